"""Validate API responses in tests against the OpenAPI schema the project serves.

    def test_something(validated_api, supervisor):
        response = validated_api(supervisor).get("/api/v1/departments/")
        # raises AssertionError here if the response does not match the schema

`validated_api(user)` is `api(user)` from conftest, except that every response to a
route of the schema (/api/v1/..., minus the schema, docs and session-login pages) is
checked with openapi-core: the path and method exist, the status code is documented,
the content type and the body match. Error bodies are checked too, against the
drf-standardized-errors components (400 per-field, 401, 403, 404, 405, 409, 412, 413,
415, 429, ...), so an error the schema does not announce fails the test.

The schema is fetched once per test process from GET /api/v1/schema/?format=json.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_schema_validator import OAS30Validator
from rest_framework.test import APIClient

SCHEMA_URL = "/api/v1/schema/?format=json"
API_PREFIX = "/api/v1/"
# Served but not described by the schema (the schema itself, HTML pages).
UNDESCRIBED_PREFIXES = (
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/api/v1/redoc/",
    "/api/v1/api-auth/",
)


@lru_cache(maxsize=1)
def served_schema() -> dict[str, Any]:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


@lru_cache(maxsize=1)
def served_openapi() -> OpenAPI:
    # The document's own validity is tests/api/test_schema.py's job (spectacular --validate);
    # here one odd corner of someone else's operation must not block every response check.
    return OpenAPI.from_dict(served_schema(), config=Config(spec_validator_cls=None))


class _RequestByPath(DjangoOpenAPIRequest):
    """Match the operation by the real path: Django's `<int:pk>` is `{id}` in the schema."""

    @property
    def path_pattern(self) -> None:
        return None


def is_described(response: HttpResponse) -> bool:
    request = response.wsgi_request
    path = request.path
    if not path.startswith(API_PREFIX) or path.startswith(UNDESCRIBED_PREFIXES):
        return False
    # An unrouted URL gets Django's plain 404 page, not an API answer.
    return getattr(request, "resolver_match", None) is not None


def assert_matches_schema(response: HttpResponse) -> None:
    """AssertionError naming the operation and the mismatch when the response is off-schema."""
    if not is_described(response):
        return
    request = response.wsgi_request
    if response.status_code == 405 and not _has_operation(request.path, request.method):
        # A method the path does not offer has no operation to look up: check the body
        # against the standard 405 error component instead.
        _assert_component(response, "ErrorResponse405")
        return
    try:
        served_openapi().validate_response(_RequestByPath(request), DjangoOpenAPIResponse(response))
    except Exception as exc:  # openapi-core raises a family of errors; report them all
        causes = []
        seen = exc
        while seen is not None:
            causes.append(f"{type(seen).__name__}: {seen}")
            for sub in getattr(seen, "schema_errors", ()) or ():
                causes.append(f"  - {'/'.join(map(str, sub.absolute_path))}: {sub.message}")
            seen = seen.__cause__
        body = response.content[:1500].decode(errors="replace")
        hint = _validation_error_hint(request.path, request.method, response)
        raise AssertionError(
            f"{request.method} {request.get_full_path()} → {response.status_code} "
            f"does not match the served OpenAPI schema:\n"
            + "\n".join(causes)
            + f"\nbody: {body}"
            + hint
        ) from exc


def _operation(path: str, method: str) -> dict | None:
    """The schema's operation for `method` on the template matching `path`, if any."""
    for template, operations in served_schema()["paths"].items():
        pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return operations[method.lower()]
    return None


def _has_operation(path: str, method: str) -> bool:
    return _operation(path, method) is not None


def _component(ref: str) -> dict:
    return served_schema()["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _declared_validation_errors(operation: dict) -> dict[str, set[str]]:
    """{attr: codes} the operation's 400 validation-error schema allows."""
    content = operation["responses"]["400"]["content"]["application/json"]["schema"]
    response_400 = _component(content["$ref"])
    validation = _component(response_400["discriminator"]["mapping"]["validation_error"])
    errors = _component(validation["properties"]["errors"]["items"]["$ref"])
    return {
        attr: set(_component(ref)["properties"]["code"].get("enum", []))
        for attr, ref in errors["discriminator"]["mapping"].items()
    }


def _validation_error_hint(path: str, method: str, response: HttpResponse) -> str:
    """Name the undeclared (attr, code) pairs of a 400 and how to declare them."""
    try:
        body = json.loads(response.content)
        if body.get("type") != "validation_error":
            return ""
        declared = _declared_validation_errors(_operation(path, method) or {})
    except Exception:
        return ""
    lines = [
        f"  attr={e.get('attr')!r} code={e.get('code')!r}"
        for e in body.get("errors", [])
        if e.get("code") not in declared.get(e.get("attr"), set())
    ]
    if not lines:
        return ""
    return (
        "\nvalidation errors the schema does not declare for this operation:\n"
        + "\n".join(lines)
        + '\ndeclare them on the view, e.g. @extend_validation_errors(["read_only"], '
        + 'field_name="status", methods=["patch"]) from '
        + "drf_standardized_errors.openapi_validation_errors"
    )


def _assert_component(response: HttpResponse, component: str) -> None:
    schema = {"$ref": f"#/components/schemas/{component}", **served_schema()}
    errors = list(OAS30Validator(schema).iter_errors(json.loads(response.content)))
    assert not errors, f"{response.status_code} body is not {component}: {errors[0].message}"


class ValidatedAPIClient(APIClient):
    """APIClient whose every response is checked against the served schema."""

    def request(self, **kwargs: Any) -> HttpResponse:
        response = super().request(**kwargs)
        assert_matches_schema(response)
        return response


def queries_for(client: APIClient, url: str, **extra: Any) -> tuple[int, HttpResponse]:
    """(number of SQL queries, response) of one GET."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    return len(ctx.captured_queries), response


def assert_constant_queries(client: APIClient, url: str, *, min_rows: int = 11) -> int:
    """The list at `url` runs as many queries for page_size=10 as for page_size=100.

    Needs more than 10 visible rows so the two pages really differ; returns the count.
    """
    sep = "&" if "?" in url else "?"
    small_count, small = queries_for(client, f"{url}{sep}page_size=10")
    large_count, large = queries_for(client, f"{url}{sep}page_size=100")
    assert small.status_code == large.status_code == 200, (small.content[:300], large.content[:300])
    assert len(small.json()["results"]) == 10
    assert len(large.json()["results"]) >= min_rows
    assert small_count == large_count, f"{url}: {small_count} queries vs {large_count}"
    return small_count
