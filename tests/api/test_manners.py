"""What a client expects of any HTTP API: compressed JSON, a JSON index and JSON 404s,
offline docs, a refused Idempotency-Key reuse, login limits an office behind NAT can live
with, and refreshes not counted as logins."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from rest_framework.settings import api_settings

from tasks_app.models import ProgressReport
from tests.api.tasks_support import World
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_json_lists_are_gzipped_when_asked(world: World, api) -> None:
    client = api(world.supervisor)  # (the schema check reads plain JSON only)
    plain = client.get("/api/v1/tasks/", {"page_size": 200})
    zipped = client.get("/api/v1/tasks/", {"page_size": 200}, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    body = gzip.decompress(zipped.content)
    assert json.loads(body)["results"] == plain.json()["results"]
    assert len(zipped.content) * 4 < len(plain.content)


def test_the_api_root_is_a_json_index(world: World, validated_api) -> None:
    response = validated_api(world.lead_lead).get("/api/v1/")
    assert response.status_code == 200
    links = response.json()["links"]
    assert links["tasks"].endswith("/api/v1/tasks/")
    assert links["schema"].endswith("/api/v1/schema/")
    anonymous = Client().get("/api/v1/")
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/tasks/1/nope/", "/api/v1/x", "/api/v2/"]
)
def test_unknown_paths_under_the_api_answer_its_404_shape(path, debug, settings) -> None:
    settings.DEBUG = debug
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")
    if not path.startswith("/api/v1/"):
        assert response.status_code == 404  # outside the API: Django's own page
        return
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_come_from_the_package_not_a_cdn(page) -> None:
    response = Client().get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://(cdn|unpkg|fastly|jsdelivr)", html), html[:2000]
    scripts = re.findall(r'src="([^"]+\.js)"', html)
    assert scripts and all("drf_spectacular_sidecar" in src for src in scripts), scripts
    for src in scripts:
        assert finders.find(src.split("/static/", 1)[1]), src


def test_an_idempotency_key_reused_with_another_body_is_422(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    url = world.url("progress-reports/")
    headers = {"HTTP_IDEMPOTENCY_KEY": "report-a"}
    first = client.post(url, {"percent": 30, "narrative": "进展一"}, format="json", **headers)
    assert first.status_code == 201, first.content[:300]
    same = client.post(url, {"narrative": "进展一", "percent": 30}, format="json", **headers)
    assert same.status_code == 201 and same["Idempotent-Replayed"] == "true"
    other = client.post(url, {"percent": 60, "narrative": "进展二"}, format="json", **headers)
    assert other.status_code == 422
    assert other.json()["errors"] == [
        {
            "code": "idempotency_key_reused",
            "detail": "该幂等键已用于其他请求。",
            "attr": "Idempotency-Key",
        }
    ]
    assert ProgressReport.objects.filter(task=world.task).count() == 1


def _rates(**rates):
    return override_settings(
        REST_FRAMEWORK={
            **_current(),
            "DEFAULT_THROTTLE_RATES": {**_current()["DEFAULT_THROTTLE_RATES"], **rates},
        }
    )


def _current() -> dict:
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_login_limit_fits_an_office_behind_one_nat() -> None:
    rate = api_settings.DEFAULT_THROTTLE_RATES["auth"]
    count, _, period = rate.partition("/")
    assert period.startswith("m") and int(count) >= 200, rate


def test_refreshes_are_not_counted_as_logins(world: World) -> None:
    client = Client()
    with _rates(auth="2/min", auth_refresh="100/min"):
        login = client.post(
            "/api/v1/auth/token/",
            {"username": world.lead_lead.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert login.status_code == 200
        refresh = login.json()["refresh"]
        for _ in range(4):
            answer = client.post(
                "/api/v1/auth/token/refresh/", {"refresh": refresh}, content_type="application/json"
            )
            assert answer.status_code == 200, answer.content
            refresh = answer.json()["refresh"]
        second = client.post(
            "/api/v1/auth/token/",
            {"username": world.lead_staff.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert second.status_code == 200  # the refreshes left the login budget alone
        third = client.post(
            "/api/v1/auth/token/",
            {"username": world.co_lead.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert third.status_code == 429
