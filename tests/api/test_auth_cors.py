"""CORS by setting: preflights from allowed origins pass, others get no CORS headers."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db
APP = "https://app.plantracker.example"


def _preflight(origin: str, method: str = "PATCH"):
    return Client().options(
        "/api/v1/departments/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, if-match",
    )


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_preflight_from_an_allowed_origin() -> None:
    response = _preflight(APP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    allowed_headers = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers and "if-match" in allowed_headers
    assert "PATCH" in response["Access-Control-Allow-Methods"]


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_preflight_from_another_origin_gets_no_cors_headers() -> None:
    response = _preflight("https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_simple_request_exposes_the_sync_and_concurrency_headers(supervisor) -> None:
    client = Client()
    client.force_login(supervisor)
    response = client.get("/api/v1/departments/", HTTP_ORIGIN=APP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    exposed = response["Access-Control-Expose-Headers"]
    assert "ETag" in exposed and "X-Server-Time" in exposed


def test_no_origins_allowed_by_default() -> None:
    assert "Access-Control-Allow-Origin" not in _preflight(APP)
