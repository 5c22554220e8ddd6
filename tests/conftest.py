"""Shared fixtures: the imported 2025 plan, people in every role, authenticated clients."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tasks_app.models import Department, Membership, Plan, User
from tasks_app.plans.enrichment import load_enrichment
from tasks_app.plans.importer import plan_import
from tests.openapi import validated_api  # noqa: F401  (fixture: schema-checked APIClient)

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "seeds" / "daxing-2025"
PASSWORD = "test-Password-123"


def pytest_report_header(config: pytest.Config) -> str:
    return f"DATABASE_URL={os.environ.get('DATABASE_URL', '(sqlite default)')}"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Throttle counters and login lockouts live in the cache (Redis): none leak between tests."""
    cache.clear()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def plan(db) -> Plan:
    """The real 2025 plan, imported through the same service as `manage.py import_plan`."""
    text = (SEED_DIR / "plan.txt").read_text(encoding="utf-8")
    result = plan_import(text=text, enrichment=load_enrichment(SEED_DIR / "enrichment.yaml"))
    return result.plan


def _user(username: str, **fields) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    return user


@pytest.fixture
def make_member(db) -> Callable[..., User]:
    """make_member(department, role="dept_lead"|"dept_staff", username=None) -> User."""

    def factory(department: Department, role: str = "dept_lead", username: str | None = None):
        prefix = "lead" if role == "dept_lead" else "staff"
        user = _user(
            username or f"{prefix}.{department.code}",
            display_name=f"{department.name}{prefix}",
            email=f"{prefix}@{department.code}.test",
        )
        Membership.objects.create(user=user, department=department, role=role)
        return user

    return factory


@pytest.fixture
def supervisor(db) -> User:
    return _user(
        "supervisor",
        district_role="supervisor",
        display_name="督查员",
        email="supervisor@example.test",
        is_staff=True,
    )


@pytest.fixture
def leader(db) -> User:
    return _user(
        "leader", district_role="leader", display_name="区领导", email="leader@example.test"
    )


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """api(user) -> an APIClient authenticated as `user` (None: anonymous)."""

    def factory(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return factory
