"""Hardening of the deployment: production settings, secrets, passwords, tokens.

Also in the suite (not repeated here): `manage.py check --deploy --fail-level WARNING` clean
and the refusal to start without DJANGO_SECRET_KEY (tests/test_health.py); login lockout,
the auth and write throttles, refresh rotation (tests/api/test_auth.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import jwt
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken

from tasks_app.models import User
from tests.conftest import PASSWORD, REPO

PRODUCTION_KEY = "probe-" + "k" * 50
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_HTTPONLY", "CORS_ALLOWED_ORIGINS",
)}))
"""


def _production(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full = {**base, "DJANGO_SETTINGS_MODULE": "plantracker.settings.production", **env}
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=full, capture_output=True, text=True
    )


def test_production_settings_are_locked_down() -> None:
    result = _production(DJANGO_SECRET_KEY=PRODUCTION_KEY, DJANGO_ALLOWED_HOSTS="plan.example.cn")
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout)
    assert conf["DEBUG"] is False
    assert conf["SECRET_KEY"] == PRODUCTION_KEY  # the environment's, nothing else
    assert conf["ALLOWED_HOSTS"] == ["plan.example.cn"]
    assert conf["SECURE_SSL_REDIRECT"] and conf["SESSION_COOKIE_SECURE"]
    assert conf["CSRF_COOKIE_SECURE"] and conf["SESSION_COOKIE_HTTPONLY"]
    assert conf["SECURE_HSTS_SECONDS"] >= 31_536_000 and conf["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert conf["SECURE_CONTENT_TYPE_NOSNIFF"] and conf["X_FRAME_OPTIONS"] == "DENY"
    assert conf["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert conf["CORS_ALLOWED_ORIGINS"] == []  # no browser origin unless configured


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = _production(DJANGO_SECRET_KEY=PRODUCTION_KEY)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_secrets_stay_out_of_git_and_the_image() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO)
    assert ignored.returncode == 0, ".env (read by the settings) must be git-ignored"
    dockerignore = (REPO / ".dockerignore").read_text().split()
    assert ".env" in dockerignore and ".git" in dockerignore
    compose = (REPO / "docker-compose.yml").read_text()
    for name in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"):
        assert f"${{{name}:?" in compose, f"{name} must come from the environment, required"


# --- passwords -----------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["12345678", "password", "plantracker", "abc"])
def test_weak_passwords_are_refused(weak: str) -> None:
    user = User(username="plantracker", email="plantracker@example.test")
    with pytest.raises(ValidationError):
        validate_password(weak, user)


def test_validators_are_on() -> None:
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names >= {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    validate_password("Daxing-Plan-2025-strong!")


MEMBERSHIP_INLINE = {
    f"memberships-{name}": value
    for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MAX_NUM_FORMS", "10"))
}


@pytest.mark.django_db
def test_the_admin_creates_no_user_with_a_weak_password() -> None:
    admin = User.objects.create_superuser("root", "root@example.test", "Root-Pass-2025!")
    client = Client()
    client.force_login(admin)
    weak = client.post(
        "/admin/tasks_app/user/add/",
        {
            **MEMBERSHIP_INLINE,
            "username": "weakling",
            "usable_password": "true",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert weak.status_code == 200 and not User.objects.filter(username="weakling").exists()
    assert "password2" in weak.context["adminform"].form.errors
    strong = client.post(
        "/admin/tasks_app/user/add/",
        {
            **MEMBERSHIP_INLINE,
            "username": "strongling",
            "usable_password": "true",
            "password1": "Daxing-Plan-2025-strong!",
            "password2": "Daxing-Plan-2025-strong!",
        },
    )
    assert strong.status_code == 302 and User.objects.filter(username="strongling").exists()


# --- JWT -------------------------------------------------------------------------------


@pytest.fixture
def person(db) -> User:
    return User.objects.create_user("tokenholder", password=PASSWORD)


def _me(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/me/").status_code


def test_token_lifetimes_and_rotation_are_configured() -> None:
    jwt_conf = settings.SIMPLE_JWT
    assert jwt_conf["ACCESS_TOKEN_LIFETIME"] == dt.timedelta(minutes=30)
    assert jwt_conf["REFRESH_TOKEN_LIFETIME"] == dt.timedelta(days=7)
    assert jwt_conf["ROTATE_REFRESH_TOKENS"] and jwt_conf["BLACKLIST_AFTER_ROTATION"]


def test_an_access_token_dies_after_thirty_minutes(person: User) -> None:
    start = dt.datetime(2025, 6, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        token = str(AccessToken.for_user(person))
        assert _me(token) == 200
        clock.move_to(start + dt.timedelta(minutes=29))
        assert _me(token) == 200
        clock.move_to(start + dt.timedelta(minutes=31))
        assert _me(token) == 401


def test_a_refresh_token_dies_after_seven_days_and_once_used(person: User) -> None:
    client = APIClient()
    start = dt.datetime(2025, 6, 10, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        pair = client.post(
            "/api/v1/auth/token/", {"username": person.username, "password": PASSWORD}
        ).json()
        rotated = client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]})
        assert rotated.status_code == 200
        assert BlacklistedToken.objects.filter(token__token=pair["refresh"]).exists()
        assert (
            client.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}).status_code
            == 401
        )
        clock.move_to(start + dt.timedelta(days=7, minutes=1))
        late = client.post("/api/v1/auth/token/refresh/", {"refresh": rotated.json()["refresh"]})
        assert late.status_code == 401


def test_forged_tokens_are_refused(person: User) -> None:
    claims = dict(AccessToken.for_user(person).payload)
    other_key = jwt.encode(claims, "not-the-server-key-" + "x" * 40, algorithm="HS256")
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    assert _me(other_key) == 401
    assert _me(unsigned) == 401
    claims["user_id"] = str(person.pk + 1000)
    assert _me(jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")) == 401  # no such user


def test_a_deactivated_person_loses_access_at_once(person: User) -> None:
    token = str(AccessToken.for_user(person))
    assert _me(token) == 200
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert _me(token) == 401
