"""/api/v1/: auth, schema and docs here; each app contributes its own routes."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from plantracker.api.auth import TokenObtainView, TokenRefreshThrottledView

urlpatterns = [
    # JWT with the "auth" throttle and the login lockout (plantracker.api.auth)
    path("auth/token/", TokenObtainView.as_view(), name="token_obtain_pair"),
    path("auth/token/refresh/", TokenRefreshThrottledView.as_view(), name="token_refresh"),
    # session login/logout for the browsable API
    path("api-auth/", include("rest_framework.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # tasks and everything nested under them, supervision, extension decisions
    path("", include("tasks_app.api.urls")),
    # me, departments, plans and their tree, milestones list, notifications inbox
    path("", include("tasks_app.api.urls_directory")),
    # quarterly rollups and their exports
    path("", include("tasks_app.api.urls_rollups")),
    # indicators and observations
    path("", include("indicators_app.api.urls")),
]
