"""/healthz and the production settings' deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from tests.conftest import REPO


@pytest.mark.django_db
def test_healthz_ok_with_database_and_broker() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": True, "broker": True}


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={})
def test_healthz_503_when_broker_unreachable() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False


@pytest.mark.slow
def test_check_deploy_clean_with_production_settings() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "plantracker.settings.production",
        "DJANGO_SECRET_KEY": "x" * 30 + "-prod-only-Secret-key-for-the-check-0123456789",
        "DJANGO_ALLOWED_HOSTS": "plan.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="plantracker.settings.production",
        DJANGO_ALLOWED_HOSTS="plan.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
