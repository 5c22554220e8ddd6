"""Session logins are throttled per address like the token endpoint (issue 17).

Before: /console/login/, /admin/login/ and /api/v1/api-auth/login/ had no per-address
limit, so with predictable usernames (lead.<code>) one address could spray passwords over
many accounts, each staying under the per-username lockout. Now every password login,
token or session, draws on one "auth" bucket per address (429 + Retry-After), and the
per-username lockout counts failures from all of them.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.settings import api_settings

from tasks_app.models import Department
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGINS = ["/console/login/", "/admin/login/", "/api/v1/api-auth/login/"]
TOKEN = "/api/v1/auth/token/"


def _rates(**rates: str):
    merged = {**api_settings.DEFAULT_THROTTLE_RATES, **rates}
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}
    )


@pytest.fixture
def lead(make_member):
    return make_member(Department.objects.create(code="qtjj", name="测试统计局"), "dept_lead")


@pytest.mark.parametrize("url", LOGINS)
def test_a_session_login_is_throttled_per_address(url: str, lead) -> None:
    browser = Client()
    with _rates(auth="3/min"):
        for n in range(3):  # a spray: another username each time
            response = browser.post(url, {"username": f"lead.x{n}", "password": "guess"})
            assert response.status_code != 429
        assert browser.get(url).status_code == 200  # showing the form is not counted
        refused = browser.post(url, {"username": lead.username, "password": PASSWORD})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert "_auth_user_id" not in browser.session
        other = Client(REMOTE_ADDR="10.0.0.9")  # another address has its own bucket
        assert other.post(url, {"username": "nobody", "password": "x"}).status_code != 429


def test_token_and_session_logins_share_one_bucket(lead) -> None:
    browser = Client()
    with _rates(auth="3/min"):
        guess = {"username": "a", "password": "b"}
        assert browser.post(TOKEN, guess, content_type="application/json").status_code == 401
        assert browser.post("/console/login/", guess).status_code == 200
        assert browser.post("/admin/login/", guess).status_code == 200
        assert browser.post(TOKEN, guess, content_type="application/json").status_code == 429
        assert browser.post("/api/v1/api-auth/login/", {"username": "a"}).status_code == 429


def test_session_failures_lock_the_token_endpoint_too(lead) -> None:
    for n in range(5):
        Client(REMOTE_ADDR=f"10.0.1.{n}").post(
            "/admin/login/", {"username": lead.username, "password": "wrong"}
        )
    locked = Client().post(
        TOKEN, {"username": lead.username, "password": PASSWORD}, content_type="application/json"
    )
    assert locked.status_code == 429
