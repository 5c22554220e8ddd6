"""Logout, password change and sessions (plantracker/api/accounts.py, sessions.py): real
JWT logins through the token endpoint, every response checked against the schema."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from tasks_app.models import Department
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
PASSWORD_URL = "/api/v1/me/password/"
SESSIONS = "/api/v1/me/sessions/"
NEW_PASSWORD = "Daxing-2025-new-pass"


@pytest.fixture
def lead(make_member):
    return make_member(Department.objects.create(code="qtjj", name="测试统计局"), "dept_lead")


def _login(client, username: str, password: str = PASSWORD) -> dict:
    response = client.post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _as(client, tokens: dict):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


def _codes(response) -> list[tuple[str | None, str]]:
    return [(e["attr"], e["code"]) for e in response.json()["errors"]]


# --- logout -------------------------------------------------------------------------------


def test_logout_ends_the_session_and_only_that_one(lead, validated_api) -> None:
    client = validated_api(None)
    phone, laptop = _login(client, lead.username), _login(client, lead.username)
    rotated = client.post(REFRESH, {"refresh": phone["refresh"]}, format="json").json()

    response = client.post(LOGOUT, {"refresh": rotated["refresh"]}, format="json")
    assert response.status_code == 204 and response.content == b""
    refused = client.post(REFRESH, {"refresh": rotated["refresh"]}, format="json")
    assert refused.status_code == 401 and _codes(refused) == [(None, "token_not_valid")]
    # the other device is still logged in
    assert client.post(REFRESH, {"refresh": laptop["refresh"]}, format="json").status_code == 200
    # saying it twice is fine; no access token is needed
    again = client.post(LOGOUT, {"refresh": rotated["refresh"]}, format="json")
    assert again.status_code == 204


def test_logout_with_an_older_token_of_the_session_ends_the_session(lead, validated_api) -> None:
    client = validated_api(None)
    first = _login(client, lead.username)
    rotated = client.post(REFRESH, {"refresh": first["refresh"]}, format="json").json()
    assert client.post(LOGOUT, {"refresh": first["refresh"]}, format="json").status_code == 204
    assert client.post(REFRESH, {"refresh": rotated["refresh"]}, format="json").status_code == 401


def test_logout_refuses_what_is_not_our_refresh_token(lead, validated_api) -> None:
    client = validated_api(None)
    tokens = _login(client, lead.username)
    for bad in ("not-a-jwt", tokens["access"], tokens["refresh"][:-3] + "abc"):
        response = client.post(LOGOUT, {"refresh": bad}, format="json")
        assert response.status_code == 401, bad
        assert _codes(response) == [(None, "token_not_valid")]
    missing = client.post(LOGOUT, {}, format="json")
    assert missing.status_code == 400 and _codes(missing) == [("refresh", "required")]
    # nothing was revoked by the refusals
    assert client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 200


# --- password change ----------------------------------------------------------------------


def test_password_change_ends_every_session_and_returns_a_fresh_pair(lead, validated_api) -> None:
    client = validated_api(None)
    phone, laptop = _login(client, lead.username), _login(client, lead.username)
    me = _as(validated_api(None), phone)
    response = me.post(
        PASSWORD_URL,
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access", "refresh"}
    for old in (phone, laptop):
        refused = client.post(REFRESH, {"refresh": old["refresh"]}, format="json")
        assert refused.status_code == 401
    # the old access tokens stop at once (password fingerprint), the fresh pair works
    assert _as(validated_api(None), laptop).get("/api/v1/me/").status_code == 401
    assert _as(validated_api(None), fresh).get("/api/v1/me/").status_code == 200
    assert client.post(REFRESH, {"refresh": fresh["refresh"]}, format="json").status_code == 200
    # the new password logs in, the old one no longer
    assert _login(client, lead.username, NEW_PASSWORD)["access"]
    old = client.post(TOKEN, {"username": lead.username, "password": PASSWORD}, format="json")
    assert old.status_code == 401


def test_wrong_old_password_is_400_naming_it_and_changes_nothing(lead, validated_api) -> None:
    client = validated_api(None)
    tokens = _login(client, lead.username)
    me = _as(validated_api(None), tokens)
    response = me.post(
        PASSWORD_URL, {"old_password": "wrong", "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert _codes(response) == [("old_password", "wrong_password")]
    lead.refresh_from_db()
    assert lead.check_password(PASSWORD)
    assert client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("new", "code"),
    [
        ("123", "invalid_password"),
        ("password", "invalid_password"),
        (PASSWORD, "password_unchanged"),
    ],
)
def test_new_password_goes_through_djangos_validators(lead, validated_api, new, code) -> None:
    me = _as(validated_api(None), _login(validated_api(None), lead.username))
    response = me.post(PASSWORD_URL, {"old_password": PASSWORD, "new_password": new}, format="json")
    assert response.status_code == 400
    assert {c for _a, c in _codes(response)} == {code}
    assert {a for a, _c in _codes(response)} == {"new_password"}
    lead.refresh_from_db()
    assert lead.check_password(PASSWORD)


def test_wrong_old_passwords_count_towards_the_login_lockout(lead, validated_api) -> None:
    conf = {**settings.PLANTRACKER, "LOGIN_LOCKOUT_ATTEMPTS": 3}
    with override_settings(PLANTRACKER=conf):
        me = _as(validated_api(None), _login(validated_api(None), lead.username))
        for _ in range(3):
            wrong = {"old_password": "wrong", "new_password": NEW_PASSWORD}
            assert me.post(PASSWORD_URL, wrong, format="json").status_code == 400
        right = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
        locked = me.post(PASSWORD_URL, right, format="json")
        assert locked.status_code == 429
    lead.refresh_from_db()
    assert lead.check_password(PASSWORD)


def test_password_change_needs_a_login(validated_api) -> None:
    response = validated_api(None).post(
        PASSWORD_URL, {"old_password": "a", "new_password": "b"}, format="json"
    )
    assert response.status_code == 401


# --- sessions -----------------------------------------------------------------------------


def test_sessions_list_the_live_logins_with_the_current_one_marked(
    lead, make_member, validated_api
) -> None:
    client = validated_api(None)
    phone = _login(validated_api(None), lead.username)
    client.credentials()
    laptop_agent = {"HTTP_USER_AGENT": "Mozilla/5.0 (Macintosh)", "REMOTE_ADDR": "10.1.2.3"}
    laptop = client.post(
        TOKEN, {"username": lead.username, "password": PASSWORD}, format="json", **laptop_agent
    ).json()
    gone = _login(client, lead.username)
    assert client.post(LOGOUT, {"refresh": gone["refresh"]}, format="json").status_code == 204
    # a refresh keeps the session (same id), and moves its last use
    rotated = client.post(
        REFRESH, {"refresh": laptop["refresh"]}, format="json", **laptop_agent
    ).json()
    other = make_member(Department.objects.create(code="qjw", name="测试教委"), "dept_staff")
    _login(client, other.username)

    response = _as(validated_api(None), rotated).get(SESSIONS)
    assert response.status_code == 200
    sessions = response.json()
    assert len(sessions) == 2
    assert [s["current"] for s in sessions] == [True, False]  # the refreshed one is newest
    assert sessions[0]["last_used_at"] >= sessions[1]["last_used_at"]
    assert all(s["created_at"] <= s["last_used_at"] < s["expires_at"] for s in sessions)
    assert (sessions[0]["ip"], sessions[0]["user_agent"]) == ("10.1.2.3", "Mozilla/5.0 (Macintosh)")
    assert sessions[1]["ip"] == "127.0.0.1"
    # the phone's own view marks the phone's session
    from_phone = _as(validated_api(None), phone).get(SESSIONS).json()
    assert [s["current"] for s in from_phone] == [False, True]
    assert {s["id"] for s in from_phone} == {s["id"] for s in sessions}


def test_ending_a_session_refuses_its_refresh_token(lead, make_member, validated_api) -> None:
    client = validated_api(None)
    phone, laptop = _login(client, lead.username), _login(client, lead.username)
    me = _as(validated_api(None), laptop)
    phone_session = next(s["id"] for s in me.get(SESSIONS).json() if not s["current"])

    assert me.delete(f"{SESSIONS}{phone_session}/").status_code == 204
    assert client.post(REFRESH, {"refresh": phone["refresh"]}, format="json").status_code == 401
    assert client.post(REFRESH, {"refresh": laptop["refresh"]}, format="json").status_code == 200
    assert [s["current"] for s in me.get(SESSIONS).json()] == [True]
    # gone now, and nobody else's session can be named
    assert me.delete(f"{SESSIONS}{phone_session}/").status_code == 404
    other = make_member(Department.objects.create(code="qjw", name="测试教委"), "dept_staff")
    theirs = _as(validated_api(None), _login(client, other.username)).get(SESSIONS).json()[0]
    assert me.delete(f"{SESSIONS}{theirs['id']}/").status_code == 404
    assert len(_as(validated_api(None), _login(client, other.username)).get(SESSIONS).json()) == 2
