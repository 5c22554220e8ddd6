"""The orjson renderer writes byte for byte what DRF's JSONRenderer writes
(plantracker/api/renderers.py, issue 18); the browsable API and the schema still work."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from plantracker.api.renderers import JSONRenderer
from tasks_app.models import TaskStatus

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SAMPLES = [
    {"name": "大兴区统计局", "emoji": "✅", "escaped": 'quote " back \\ slash\n'},
    {"utc": dt.datetime(2025, 3, 3, 9, 0, 5, 123456, tzinfo=dt.UTC)},
    {"local": dt.datetime(2025, 3, 3, 17, 0, tzinfo=SHANGHAI), "naive": dt.datetime(2025, 1, 1)},
    {"now": timezone.now(), "date": dt.date(2025, 12, 31), "time": dt.time(22, 0)},
    {"time_us": dt.time(7, 30, 0, 5), "delta": dt.timedelta(days=1, seconds=3)},
    {"decimal": Decimal("12.34567"), "whole": Decimal("100"), "tiny": Decimal("0.1")},
    {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"), "lazy": gettext_lazy("计划任务")},
    {"status": TaskStatus.IN_PROGRESS, "ints": [0, -1, 2**63 - 1], "big": 2**70},
    {"floats": [0.1, 1.5, 1e-3, 123456789.125, -0.0, 1e16, 1.5e300], "bools": [True, None]},
    {"tiny_decimals": [Decimal("0.00001"), Decimal("1E-7"), Decimal("-2.5E-9")]},
    {"separators": "line\u2028para\u2029end", "nested": {"a": [{"b": ()}], "c": {}}},
    {1: "int key", "tuple": (1, 2), "set_like": frozenset()},
    ReturnDict({"results": ReturnList([{"id": 1}], serializer=None)}, serializer=None),
    ["top", "level", "list"],
    "a bare string",
    12,
]


@pytest.mark.parametrize("data", SAMPLES, ids=range(len(SAMPLES)))
def test_bytes_equal_drf(data) -> None:
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


@pytest.mark.parametrize("media_type", ["application/json; indent=4", "application/json"])
def test_indented_bodies_are_drf_s(media_type) -> None:
    data = {"名称": "统计局", "n": [1, 2]}
    ours = JSONRenderer().render(
        data, media_type, {"indent": 2} if "indent" not in media_type else {}
    )
    assert ours == DRFJSONRenderer().render(
        data, media_type, {"indent": 2} if "indent" not in media_type else {}
    )
    assert b"\n" in ours


def test_the_one_difference_tiny_floats_parse_to_the_same_number() -> None:
    data = [1e-5, 1e-7, 2.5e-9]
    assert JSONRenderer().render(data) == b"[0.00001,1e-7,2.5e-9]"
    assert DRFJSONRenderer().render(data) == b"[1e-05,1e-07,2.5e-09]"
    assert json.loads(JSONRenderer().render(data)) == data


def test_none_is_an_empty_body() -> None:
    assert JSONRenderer().render(None) == b""


def test_what_drf_cannot_render_fails_as_in_drf() -> None:
    with pytest.raises(TypeError):
        DRFJSONRenderer().render({"x": object()})
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})


@pytest.mark.django_db
def test_api_bodies_equal_drf_s_rendering(validated_api, leader, mini) -> None:
    """Real responses (a list with Chinese text, dates and numbers; a detail; /me/): the
    bytes served are DRF's rendering of the same data."""
    client = validated_api(leader)
    task = next(iter(mini.tasks.values()))
    for path in ("/api/v1/tasks/", f"/api/v1/tasks/{task.pk}/", "/api/v1/me/"):
        response = client.get(path)
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Type"] == "application/json"
        assert response.content == DRFJSONRenderer().render(response.data), path
    assert "的任务原文".encode() in client.get("/api/v1/tasks/").content  # not \u-escaped


@pytest.mark.django_db
def test_browsable_api_and_schema_still_work(supervisor) -> None:
    from django.test import Client

    browser = Client()
    browser.force_login(supervisor)
    page = browser.get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert b"<html" in page.content and b"supervisor" in page.content
    schema = browser.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["paths"]["/api/v1/me/"]


@pytest.mark.django_db
def test_a_malformed_body_is_a_parse_error(validated_api, supervisor) -> None:
    client = validated_api(supervisor)
    response = client.generic(
        "PATCH", "/api/v1/me/", b'{"language": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert response.wsgi_request.body == b'{"language": '  # still readable, as with DRF's


@pytest.mark.django_db
def test_a_body_is_parsed_by_orjson(validated_api, supervisor) -> None:
    response = validated_api(supervisor).patch("/api/v1/me/", {"language": "en"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["language"] == "en"
