"""Root URLs: admin, the supervision console, /healthz and the versioned API."""

from django.contrib import admin
from django.urls import include, path

from plantracker.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    # the supervision console (督查控制台): its own login, so department leads need no is_staff
    path("console/", include("plantracker.console.urls")),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("plantracker.api_urls")),
]
# MEDIA_ROOT is never served as files, not even with DEBUG (`make run`): evidence goes out
# only through the permission-checked download and thumbnail views (issue 17).
