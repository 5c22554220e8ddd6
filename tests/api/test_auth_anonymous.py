"""No anonymous access but the token endpoints, schema, docs, session login and /healthz:
every route of the URL resolver is tried, every method its view offers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

PUBLIC = {
    "token_obtain_pair",
    "token_refresh",
    "token_logout",  # the refresh token in the body is the credential
    "schema",
    "docs",
    "redoc",
    "rest_framework:login",
    "rest_framework:logout",
    "healthz",
    "signed-file",  # a signed, short-lived link is its own proof (tests/api/test_file_links.py)
}
METHODS = ("get", "post", "put", "patch", "delete")
SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.uuid4())}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _routes(
    patterns: list, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if not (route.startswith("api/v1/") or "api/v1/".startswith(route) or route == "healthz"):
            continue  # admin, media: not the API
        if not isinstance(entry.pattern, RoutePattern):
            raise AssertionError(f"regex route {route}: teach this test to fill it")
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, route, ns)
        else:
            yield route, f"{namespace}{entry.name}", entry


def _concrete(route: str) -> str:
    return "/" + CONVERTER.sub(lambda m: SAMPLES[m.group("kind") or "str"], route)


def _methods(pattern: URLPattern) -> list[str]:
    view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
    if view is None:
        return ["get"]
    return [m for m in METHODS if hasattr(view, m)]


def api_routes() -> list[tuple[str, str, list[str]]]:
    found = []
    for route, name, pattern in _routes(get_resolver().url_patterns):
        if route.startswith("api/v1/") or route == "healthz":
            found.append((_concrete(route), name, _methods(pattern)))
    return found


def test_the_resolver_walk_finds_the_contract_routes() -> None:
    paths = {path for path, _, _ in api_routes()}
    for expected in (
        "/api/v1/me/",
        "/api/v1/departments/",
        "/api/v1/plans/1/tree/",
        "/api/v1/milestones/",
        "/api/v1/notifications/1/read/",
        "/api/v1/notifications/read-all/",
        "/api/v1/auth/token/",
        "/api/v1/schema/",
        "/healthz",
    ):
        assert expected in paths


@pytest.mark.parametrize(
    ("path", "name", "methods"),
    [r for r in api_routes() if r[1] not in PUBLIC],
    ids=lambda v: v if isinstance(v, str) and v.startswith("/") else "",
)
def test_every_private_route_is_401_for_anonymous(path, name, methods) -> None:
    client = Client()
    assert methods, f"{path}: no HTTP method found on its view"
    for method in methods:
        response = getattr(client, method)(path, content_type="application/json")
        assert response.status_code == 401, f"{method.upper()} {path} → {response.status_code}"
        assert response.json()["errors"][0]["code"] == "not_authenticated"
        assert response.has_header("WWW-Authenticate")


def test_public_routes_answer_anonymous() -> None:
    client = Client()
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200
    assert client.get("/api/v1/api-auth/login/").status_code == 200
    assert (
        client.post("/api/v1/auth/token/", {}, content_type="application/json").status_code == 400
    )
    refresh = client.post("/api/v1/auth/token/refresh/", {}, content_type="application/json")
    assert refresh.status_code == 400
    assert client.get("/healthz").status_code in (200, 503)  # up or down, never 401


def test_every_public_name_is_still_routed() -> None:
    names = {name for _, name, _ in api_routes()}
    assert names >= PUBLIC
