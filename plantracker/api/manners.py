"""What a client expects of any HTTP API, beyond its resources.

- `api_index`: `GET /api/v1/` answers a JSON index of the entry points (not Django's page).
- `ApiNotFoundMiddleware`: a path under /api/v1/ that no route matches answers the API's
  404 error shape (`{"type": "client_error", "errors": [{"code": "not_found", ...}]}`)
  instead of Django's HTML page, whatever DEBUG says.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

API_PREFIX = "/api/v1/"
# Entry points a client starts from; the schema lists every operation.
INDEX = {
    "schema": "schema/",
    "docs": "docs/",
    "redoc": "redoc/",
    "token": "auth/token/",
    "token_refresh": "auth/token/refresh/",
    "me": "me/",
    "tasks": "tasks/",
    "milestones": "milestones/",
    "departments": "departments/",
    "plans": "plans/",
    "notifications": "notifications/",
    "supervision_overdue": "supervision/overdue/",
    "extension_requests": "extension-requests/",
    "indicators": "indicators/",
    "rollups": "rollups/",
}


@extend_schema(
    summary="The API's entry points",
    responses=inline_serializer(
        "ApiIndex",
        {
            "version": serializers.CharField(),
            "links": serializers.DictField(child=serializers.CharField()),
        },
    ),
)
@api_view(["GET"])
def api_index(request: Request) -> Response:
    base = request.build_absolute_uri(API_PREFIX)
    return Response(
        {"version": "v1", "links": {name: f"{base}{path}" for name, path in INDEX.items()}}
    )


def not_found_body() -> dict:
    return {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": _("未找到。"), "attr": None}],
    }


class ApiNotFoundMiddleware:
    """Unrouted paths under /api/v1/: the API's 404, not Django's HTML page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith(API_PREFIX)
            and getattr(request, "resolver_match", None) is None
        ):
            return JsonResponse(not_found_body(), status=404)
        return response
