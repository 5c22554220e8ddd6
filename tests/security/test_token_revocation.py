"""Tokens die with passwords, accounts and memberships; a session has an absolute end (issue 17).

Before: a refresh token survived a password change, and each rotation reset its 7-day
expiry, so a stolen refresh token lived for ever. Now every refresh token of a person is
revoked (blacklisted) when their password changes, when they are deactivated and when one
of their memberships ends; access tokens carry a password fingerprint (simplejwt's
CHECK_REVOKE_TOKEN); and no rotation takes a session past PLANTRACKER["SESSION_MAX_AGE_DAYS"]
after the password login that started it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tasks_app.models import Department, Membership
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def lead(make_member):
    return make_member(Department.objects.create(code="qtjj", name="测试统计局"), "dept_lead")


def _api() -> APIClient:
    return APIClient(raise_request_exception=False)


def _login(user) -> dict[str, str]:
    response = _api().post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _refresh(token: str):
    return _api().post(REFRESH, {"refresh": token}, format="json")


def _me(access: str) -> int:
    client = _api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/me/").status_code


def test_a_password_change_revokes_every_token(lead) -> None:
    first, second = _login(lead), _login(lead)  # two devices
    lead.set_password("another-Password-456")
    lead.save()
    for tokens in (first, second):
        assert _refresh(tokens["refresh"]).status_code == 401
        assert _me(tokens["access"]) == 401
    fresh = _api().post(
        TOKEN, {"username": lead.username, "password": "another-Password-456"}, format="json"
    )
    assert fresh.status_code == 200
    assert _refresh(fresh.json()["refresh"]).status_code == 200


def test_a_password_changed_in_the_admin_form_revokes_tokens(lead, admin_client: Client) -> None:
    tokens = _login(lead)
    response = admin_client.post(
        f"/admin/tasks_app/user/{lead.pk}/password/",
        {"password1": "another-Password-456", "password2": "another-Password-456"},
    )
    assert response.status_code == 302, response.content[:500]
    assert _refresh(tokens["refresh"]).status_code == 401


def test_deactivation_revokes_refresh_tokens_for_good(lead) -> None:
    tokens = _login(lead)
    lead.is_active = False
    lead.save()
    assert _refresh(tokens["refresh"]).status_code == 401
    lead.is_active = True  # reactivated: the old tokens stay dead
    lead.save()
    assert _refresh(tokens["refresh"]).status_code == 401
    assert _refresh(_login(lead)["refresh"]).status_code == 200


def test_the_end_of_a_membership_revokes_refresh_tokens(lead) -> None:
    tokens = _login(lead)
    Membership.objects.filter(user=lead).delete()
    assert _refresh(tokens["refresh"]).status_code == 401


def test_a_role_change_revokes_refresh_tokens(lead) -> None:
    tokens = _login(lead)
    membership = Membership.objects.get(user=lead)
    membership.role = "dept_staff"
    membership.save()
    assert _refresh(tokens["refresh"]).status_code == 401


def test_an_unrelated_save_keeps_tokens(lead) -> None:
    tokens = _login(lead)
    lead.display_name = "改名"
    lead.save()
    assert _refresh(tokens["refresh"]).status_code == 200


def test_rotation_cannot_extend_a_session_past_its_absolute_end(lead, settings) -> None:
    assert settings.PLANTRACKER["SESSION_MAX_AGE_DAYS"] == 30
    with time_machine.travel(START, tick=False) as clock:
        refresh = _login(lead)["refresh"]
        for day in range(1, 30, 5):  # rotate every 5 days: each token lives 7
            clock.move_to(START + dt.timedelta(days=day))
            response = _refresh(refresh)
            assert response.status_code == 200, (day, response.content)
            refresh = response.json()["refresh"]
            end = RefreshToken(refresh)["exp"]
            assert end <= (START + dt.timedelta(days=30)).timestamp()
        clock.move_to(START + dt.timedelta(days=30, seconds=1))
        assert _refresh(refresh).status_code == 401


def test_the_absolute_end_is_a_setting(lead, settings) -> None:
    settings.PLANTRACKER = {**settings.PLANTRACKER, "SESSION_MAX_AGE_DAYS": 2}
    with time_machine.travel(START, tick=False) as clock:
        refresh = _login(lead)["refresh"]
        clock.move_to(START + dt.timedelta(days=1))
        response = _refresh(refresh)
        assert response.status_code == 200
        clock.move_to(START + dt.timedelta(days=2, seconds=1))
        assert _refresh(response.json()["refresh"]).status_code == 401
