"""Routes of quarterly rollups: list/build, build jobs, detail, exports."""

from django.urls import path

from tasks_app.rollups.api.views import (
    RollupDetailView,
    RollupExportView,
    RollupJobView,
    RollupListView,
    RollupPublishView,
)

urlpatterns = [
    path("rollups/", RollupListView.as_view(), name="rollup-list"),
    path("rollups/jobs/<int:pk>/", RollupJobView.as_view(), name="rollup-job"),
    path("rollups/<int:pk>/", RollupDetailView.as_view(), name="rollup-detail"),
    path("rollups/<int:pk>/publish/", RollupPublishView.as_view(), name="rollup-publish"),
    path("rollups/<int:pk>/export/", RollupExportView.as_view(), name="rollup-export"),
]
