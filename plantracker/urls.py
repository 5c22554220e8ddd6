"""Root URLs: admin, the supervision console, /healthz and the versioned API."""

from django.conf import settings
from django.conf.urls.static import static
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
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
