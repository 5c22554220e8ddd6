"""The OpenAPI schema: served publicly as YAML or JSON, valid, warning-free, covering the
contract and its error shapes; and the validated client really rejects off-schema answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from tests.openapi import assert_matches_schema, served_schema

CONTRACT = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/token/refresh/": {"post"},
    "/api/v1/me/": {"get"},
    "/api/v1/departments/": {"get"},
    "/api/v1/plans/": {"get"},
    "/api/v1/plans/{id}/": {"get"},
    "/api/v1/plans/{id}/tree/": {"get"},
    "/api/v1/tasks/": {"get"},
    "/api/v1/tasks/{id}/": {"get", "patch"},
    "/api/v1/tasks/{id}/transitions/": {"post"},
    "/api/v1/tasks/{id}/progress-reports/": {"get", "post"},
    "/api/v1/tasks/{id}/milestones/": {"get", "post"},
    "/api/v1/milestones/": {"get"},
    "/api/v1/tasks/{id}/comments/": {"get", "post"},
    "/api/v1/tasks/{id}/attachments/": {"get", "post"},
    "/api/v1/tasks/{id}/history/": {"get"},
    "/api/v1/tasks/{id}/extension-requests/": {"get", "post"},
    "/api/v1/extension-requests/{id}/decision/": {"post"},
    "/api/v1/tasks/{id}/urge/": {"post"},
    "/api/v1/supervision/overdue/": {"get"},
    "/api/v1/notifications/": {"get"},
    "/api/v1/notifications/{id}/read/": {"post"},
    "/api/v1/notifications/read-all/": {"post"},
    "/api/v1/indicators/": {"get"},
    "/api/v1/indicators/{id}/": {"get"},
    "/api/v1/indicators/{id}/observations/": {"get", "post"},
    "/api/v1/rollups/": {"get", "post"},
    "/api/v1/rollups/{id}/": {"get"},
    "/api/v1/rollups/{id}/export/": {"get"},
}


def _ref(schema: dict, ref: str) -> dict:
    node = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


# --- serving --------------------------------------------------------------------------------


@pytest.mark.slow
def test_schema_is_public_yaml_by_default() -> None:
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "plantracker API"


@pytest.mark.parametrize(
    "how", [{"path": "/api/v1/schema/?format=json"}, {"HTTP_ACCEPT": "application/json"}]
)
def test_schema_as_json_by_format_or_accept(how: dict) -> None:
    path = how.pop("path", "/api/v1/schema/")
    response = Client().get(path, **how)
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    assert json.loads(response.content)["paths"]


def test_docs_page_is_public() -> None:
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_served_schema_is_valid_openapi() -> None:
    validate(served_schema())


@pytest.mark.slow
def test_schema_builds_without_warnings(tmp_path: Path) -> None:
    """`manage.py spectacular --validate --fail-on-warn`: any view the generator cannot
    describe (no serializer, unresolvable field, enum collision) fails here."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["paths"]


# --- content --------------------------------------------------------------------------------


def test_every_contract_path_and_method_is_described() -> None:
    paths = served_schema()["paths"]
    missing = {
        path: sorted(methods - set(paths.get(path, {})))
        for path, methods in CONTRACT.items()
        if methods - set(paths.get(path, {}))
    }
    assert not missing


def test_error_responses_are_described() -> None:
    schema = served_schema()
    milestones = schema["paths"]["/api/v1/milestones/"]["get"]["responses"]
    assert {"400", "401", "404", "405", "429", "500"} <= set(milestones)
    error_400 = json.dumps(
        _ref(schema, milestones["400"]["content"]["application/json"]["schema"]["$ref"])
    )
    components = json.dumps(schema["components"]["schemas"])
    assert "updated_since" in components and "due_before" in components
    assert error_400
    code_401 = schema["components"]["schemas"]["ErrorCode401Enum"]["enum"]
    assert {"not_authenticated", "token_not_valid", "no_active_account"} <= set(code_401)
    read_all = schema["paths"]["/api/v1/notifications/read-all/"]["post"]["responses"]
    assert {"200", "401", "409", "429"} <= set(read_all)


def test_etag_and_304_are_described() -> None:
    detail = served_schema()["paths"]["/api/v1/plans/{id}/"]["get"]
    assert "304" in detail["responses"]
    assert "ETag" in detail["responses"]["200"]["headers"]
    assert "If-None-Match" in {p["name"] for p in detail["parameters"]}


def test_sync_lists_announce_tombstones_and_updated_since() -> None:
    schema = served_schema()
    for path in ("/api/v1/departments/", "/api/v1/milestones/", "/api/v1/notifications/"):
        operation = schema["paths"][path]["get"]
        assert "updated_since" in {p["name"] for p in operation["parameters"]}
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        items = _ref(schema, ref)["properties"]["results"]["items"]
        assert _ref(schema, items["oneOf"][1]["$ref"])["required"] == ["id", "deleted"]


# --- the validated client catches mismatches -----------------------------------------------


@pytest.mark.django_db
def test_validated_client_rejects_a_wrong_body(supervisor) -> None:
    client = APIClient()
    client.force_authenticate(supervisor)
    response = client.get("/api/v1/me/")
    assert_matches_schema(response)  # the real answer passes
    response.content = json.dumps({**response.json(), "id": "not-a-number"}).encode()
    with pytest.raises(AssertionError, match="does not match the served OpenAPI schema"):
        assert_matches_schema(response)


@pytest.mark.django_db
def test_validated_client_rejects_an_undocumented_status(supervisor) -> None:
    client = APIClient()
    client.force_authenticate(supervisor)
    response = client.get("/api/v1/me/")
    response.status_code = 418
    with pytest.raises(AssertionError, match="418"):
        assert_matches_schema(response)


@pytest.mark.django_db
def test_validated_client_checks_405_bodies(supervisor) -> None:
    client = APIClient()
    client.force_authenticate(supervisor)
    response = client.delete("/api/v1/me/")
    assert response.status_code == 405
    assert_matches_schema(response)
    response.content = b'{"detail": "nope"}'
    with pytest.raises(AssertionError, match="ErrorResponse405"):
        assert_matches_schema(response)


@pytest.mark.django_db
def test_validated_client_names_undeclared_validation_errors(supervisor) -> None:
    client = APIClient()
    client.force_authenticate(supervisor)
    response = client.get("/api/v1/milestones/?due_before=never")
    assert response.status_code == 400
    assert_matches_schema(response)  # due_before/invalid is declared
    body = response.json()
    body["errors"][0]["attr"] = "bogus"
    response.content = json.dumps(body).encode()
    with pytest.raises(
        AssertionError, match=r"attr='bogus' code='invalid'[\s\S]*extend_validation"
    ):
        assert_matches_schema(response)
