"""JWT login, refresh rotation with blacklist, login lockout, throttles, session login."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.settings import api_settings

from tasks_app.models import Department, Notification
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"


@pytest.fixture
def lead(make_member):
    return make_member(Department.objects.create(code="qtjj", name="测试统计局"), "dept_lead")


def _login(client, username: str, password: str = PASSWORD):
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


def _rates(**rates: str):
    merged = {**api_settings.DEFAULT_THROTTLE_RATES, **rates}
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}
    )


def _lockout(attempts: int = 5, seconds: int = 900):
    conf = {
        **settings.PLANTRACKER,
        "LOGIN_LOCKOUT_ATTEMPTS": attempts,
        "LOGIN_LOCKOUT_SECONDS": seconds,
    }
    return override_settings(PLANTRACKER=conf)


# --- JWT --------------------------------------------------------------------------------


def test_token_pair_then_bearer_access(lead, validated_api) -> None:
    client = validated_api(None)
    response = _login(client, lead.username)
    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["username"] == lead.username


def test_wrong_password_is_401_with_one_stable_error(lead, validated_api) -> None:
    response = _login(validated_api(None), lead.username, "wrong")
    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "no_active_account",
                "detail": response.json()["errors"][0]["detail"],
                "attr": None,
            }
        ],
    }


def test_missing_password_and_malformed_json_are_400(lead, validated_api) -> None:
    client = validated_api(None)
    missing = client.post(TOKEN, {"username": lead.username}, format="json")
    assert missing.status_code == 400
    assert [(e["attr"], e["code"]) for e in missing.json()["errors"]] == [("password", "required")]
    broken = client.post(TOKEN, data='{"username": ', content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["code"] == "parse_error"


def test_garbage_bearer_token_is_401_token_not_valid(lead, validated_api) -> None:
    client = validated_api(None)
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == ["token_not_valid"]


def test_refresh_rotates_and_a_used_refresh_token_is_refused(lead, validated_api) -> None:
    client = validated_api(None)
    first = _login(client, lead.username).json()
    rotated = client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != first["refresh"]

    replay = client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert replay.status_code == 401
    assert [e["code"] for e in replay.json()["errors"]] == ["token_not_valid"]

    onward = client.post(REFRESH, {"refresh": rotated.json()["refresh"]}, format="json")
    assert onward.status_code == 200


# --- lockout ------------------------------------------------------------------------------


def test_lockout_after_five_failures_even_with_the_right_password(
    lead, make_member, validated_api
) -> None:
    client = validated_api(None)
    for _ in range(5):
        assert _login(client, lead.username, "wrong").status_code == 401
    locked = _login(client, lead.username)
    assert locked.status_code == 429
    error = locked.json()["errors"][0]
    assert error["code"] == "throttled"
    assert "锁定" in error["detail"]
    assert 0 < int(locked["Retry-After"]) <= 900
    # the username is locked, not the address: someone else still logs in
    other = make_member(Department.objects.create(code="qjw", name="测试教委"), "dept_staff")
    assert _login(client, other.username).status_code == 200
    # case and spaces do not dodge the lock
    assert _login(client, f" {lead.username.upper()} ").status_code == 429


def test_a_success_resets_the_failure_count(lead, validated_api) -> None:
    client = validated_api(None)
    for _ in range(4):
        _login(client, lead.username, "wrong")
    assert _login(client, lead.username).status_code == 200
    for _ in range(4):
        _login(client, lead.username, "wrong")
    assert _login(client, lead.username).status_code == 200


def test_lockout_ends_with_its_window(lead, validated_api) -> None:
    client = validated_api(None)
    with _lockout(attempts=2, seconds=1):
        _login(client, lead.username, "wrong")
        _login(client, lead.username, "wrong")
        assert _login(client, lead.username).status_code == 429
        time.sleep(1.2)
        assert _login(client, lead.username).status_code == 200


def test_locked_username_cannot_log_in_by_session_either(lead) -> None:
    browser = Client()
    with _lockout(attempts=2):
        for _ in range(2):
            browser.post("/api/v1/api-auth/login/", {"username": lead.username, "password": "x"})
        browser.post("/api/v1/api-auth/login/", {"username": lead.username, "password": PASSWORD})
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    assert "_auth_user_id" not in browser.session


# --- throttles ----------------------------------------------------------------------------


def test_auth_scope_throttles_token_requests_per_address(lead, validated_api) -> None:
    client = validated_api(None)
    with _rates(auth="3/min"):
        codes = [_login(client, lead.username).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        throttled = _login(client, lead.username)
        assert throttled.status_code == 429
        assert throttled.json()["errors"][0]["code"] == "throttled"
        # refreshes have their own budget ("auth_refresh"): not blocked by logins
        assert client.post(REFRESH, {"refresh": "x"}, format="json").status_code == 401


def test_writes_scope_throttles_unsafe_methods_only(lead, validated_api) -> None:
    Notification.objects.create(recipient=lead, kind="urge", title="t", body="b")
    client = validated_api(lead)
    with _rates(writes="2/min"):
        assert client.post("/api/v1/notifications/read-all/").status_code == 200
        assert client.post("/api/v1/notifications/read-all/").status_code == 200
        throttled = client.post("/api/v1/notifications/read-all/")
        assert throttled.status_code == 429
        assert int(throttled["Retry-After"]) > 0
        for _ in range(5):  # reads are not counted
            assert client.get("/api/v1/notifications/").status_code == 200


def test_writes_are_counted_per_user(lead, make_member, validated_api) -> None:
    other = make_member(Department.objects.create(code="qjw", name="测试教委"), "dept_lead")
    with _rates(writes="1/min"):
        assert validated_api(lead).post("/api/v1/notifications/read-all/").status_code == 200
        assert validated_api(lead).post("/api/v1/notifications/read-all/").status_code == 429
        assert validated_api(other).post("/api/v1/notifications/read-all/").status_code == 200


# --- session login for the browsable API -------------------------------------------------


def test_session_login_and_browsable_api(lead) -> None:
    browser = Client()
    page = browser.get("/api/v1/api-auth/login/")
    assert page.status_code == 200
    response = browser.post(
        "/api/v1/api-auth/login/?next=/api/v1/me/",
        {"username": lead.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert browser.get("/api/v1/me/", HTTP_ACCEPT="application/json").json()["username"] == (
        lead.username
    )
    html = browser.get("/api/v1/departments/", HTTP_ACCEPT="text/html")
    assert html.status_code == 200
    assert b"/api/v1/api-auth/logout/" in html.content
