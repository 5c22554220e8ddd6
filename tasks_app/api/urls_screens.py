"""Routes of the mobile screens: the caller's work in one call, and signed file URLs."""

from django.urls import path

from tasks_app.api.file_views import SignedFileView
from tasks_app.api.my_work_views import MyWorkView

urlpatterns = [
    path("me/work/", MyWorkView.as_view(), name="me-work"),
    path("files/<str:token>/", SignedFileView.as_view(), name="signed-file"),
]
