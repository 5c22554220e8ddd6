"""/api/v1/: auth, schema and docs here; each app contributes its own routes."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from plantracker.api.accounts import (
    LogoutView,
    PasswordChangeView,
    SessionDetailView,
    SessionListView,
)
from plantracker.api.auth import TokenObtainView, TokenRefreshThrottledView
from plantracker.api.manners import api_index

urlpatterns = [
    # a JSON index of the entry points (unrouted paths: plantracker.api.manners' 404)
    path("", api_index, name="api-root"),
    # JWT with the "auth" throttle and the login lockout (plantracker.api.auth)
    path("auth/token/", TokenObtainView.as_view(), name="token_obtain_pair"),
    path("auth/token/refresh/", TokenRefreshThrottledView.as_view(), name="token_refresh"),
    # logout, password change and sessions (plantracker.api.accounts)
    path("auth/logout/", LogoutView.as_view(), name="token_logout"),
    path("me/password/", PasswordChangeView.as_view(), name="me-password"),
    path("me/sessions/", SessionListView.as_view(), name="me-session-list"),
    path("me/sessions/<str:sid>/", SessionDetailView.as_view(), name="me-session-detail"),
    # session login/logout for the browsable API
    path("api-auth/", include("rest_framework.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # tasks and everything nested under them, supervision, extension decisions
    path("", include("tasks_app.api.urls")),
    # me, departments, plans and their tree, milestones list, notifications inbox
    path("", include("tasks_app.api.urls_directory")),
    # the mobile screens: my work, signed file and thumbnail URLs
    path("", include("tasks_app.api.urls_screens")),
    # quarterly rollups and their exports
    path("", include("tasks_app.rollups.api.urls")),
    # indicators and observations
    path("", include("indicators_app.api.urls")),
]
