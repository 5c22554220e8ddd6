"""Shared fixtures: the imported 2025 plan, people in every role, authenticated clients,
the task workflow's `world` and `clock`, the rollups' hand-counted `mini` plan.

Fixtures live in conftest.py files only (tests/<folder>/conftest.py for one folder's);
support modules hold plain helpers and dataclasses, imported by the tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from tasks_app.models import Department, IssuingBody, Membership, Plan, Task, User
from tasks_app.models.org import DEFAULT_BODY_CODE, DEFAULT_BODY_NAME
from tests.api.tasks_support import PINNED, World, pick_task
from tests.openapi import ValidatedAPIClient
from tests.plan_snapshot import MigrationData, PlanSnapshot, import_seed_plan
from tests.rollups.support import MiniPlan, mini_plan

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "seeds" / "daxing-2025"
PASSWORD = "test-Password-123"


def pytest_report_header(config: pytest.Config) -> str:
    return f"DATABASE_URL={os.environ.get('DATABASE_URL', '(sqlite default)')}"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Throttle counters and login lockouts live in the cache (Redis): none leak between tests."""
    cache.clear()


@pytest.fixture(scope="session")
def migration_data(django_db_setup, django_db_blocker) -> MigrationData | None:
    """What migrations wrote, copied out before any test ran (PostgreSQL)."""
    with django_db_blocker.unblock():
        return MigrationData.capture() if connection.vendor == "postgresql" else None


FLUSHED = pytest.StashKey[MigrationData]()


@pytest.fixture(autouse=True)
def _migration_data_after_a_flush(request: pytest.FixtureRequest) -> None:
    """A transactional test ends with a flush that empties every table; the migrations'
    rows are put back after it (pytest_runtest_teardown below, docs/testing.md), so no test
    depends on whether a transactional test ran before it on its worker (pytest-django
    runs them last in one process; pytest-xdist interleaves)."""
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        data = request.getfixturevalue("migration_data")
        if data is not None:
            request.node.stash[FLUSHED] = data


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield  # every fixture of the test torn down: the flush has happened
    data = item.stash.get(FLUSHED, None)
    if data is not None and nextitem is not None:  # (after the last, the database is gone)
        with item.config.stash[blocking_manager_key].unblock():
            data.restore_flushed()
    return result


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def plan_snapshot(django_db_setup, django_db_blocker) -> PlanSnapshot | None:
    """The 2025 plan imported once per test database (tests/plan_snapshot.py); None off
    PostgreSQL, where every `plan` imports it again."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return None
        return PlanSnapshot.capture(import_seed_plan, prepare=_migration_rows)


def _migration_rows() -> None:
    """What migrations write and a transactional test's flush removes: the default issuing
    body (migration 0009, the first row of its table). Put back before a capture that
    comes after a flush, so that the snapshot never holds it and restores never repeat it."""
    if not IssuingBody.objects.exists():
        IssuingBody.objects.create(
            pk=1, code=DEFAULT_BODY_CODE, name=DEFAULT_BODY_NAME, kind=IssuingBody.Kind.DISTRICT
        )


@pytest.fixture
def plan(db, plan_snapshot: PlanSnapshot | None) -> Plan:
    """The real 2025 plan, imported through the same service as `manage.py import_plan`
    (once per session; here its rows are copied back in, and leave with the test)."""
    if plan_snapshot is None:
        return import_seed_plan()
    return plan_snapshot.restore()


def _user(username: str, **fields) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    return user


def new_member(
    department: Department, role: str = "dept_lead", username: str | None = None
) -> User:
    """A lead ("dept_lead") or staff member ("dept_staff") of `department`."""
    prefix = "lead" if role == "dept_lead" else "staff"
    user = _user(
        username or f"{prefix}.{department.code}",
        display_name=f"{department.name}{prefix}",
        email=f"{prefix}@{department.code}.test",
    )
    Membership.objects.create(user=user, department=department, role=role)
    return user


def new_supervisor() -> User:
    return _user(
        "supervisor",
        district_role="supervisor",
        display_name="督查员",
        email="supervisor@example.test",
        is_staff=True,
    )


@pytest.fixture
def make_member(db) -> Callable[..., User]:
    """make_member(department, role="dept_lead"|"dept_staff", username=None) -> User."""
    return new_member


@pytest.fixture
def supervisor(db) -> User:
    return new_supervisor()


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


@pytest.fixture
def validated_api(db) -> Callable[[User | None], ValidatedAPIClient]:
    """validated_api(user) -> schema-checking APIClient as `user` (None: anonymous);
    see tests/openapi.py."""

    def factory(user: User | None = None) -> ValidatedAPIClient:
        client = ValidatedAPIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return factory


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """The clock at tests.api.tasks_support.PINNED and ticking; `clock.move_to(datetime)`
    jumps. (tests/console has its own.)"""
    with time_machine.travel(PINNED, tick=True) as traveller:
        yield traveller


@pytest.fixture
def world(
    clock: time_machine.Coordinates,
    plan: Plan,
    make_member: Callable[..., User],
    supervisor: User,
    leader: User,
) -> World:
    """One task of the 2025 plan seen from every role (tests/api/tasks_support.py).
    (tests/reminders and tests/integration have their own `world`.)"""
    task = pick_task(plan)
    assert task is not None, "the 2025 plan has tasks with co-departments"
    lead_dept = task.lead_department
    co_dept = task.co_departments.order_by("code").first()
    involved = Task.objects.filter(lead_department=lead_dept).values("pk")
    other_dept = (
        Department.objects.exclude(pk__in=[lead_dept.pk, co_dept.pk])
        .exclude(lead_tasks__co_departments=lead_dept)
        .exclude(co_tasks__in=involved)
        .order_by("code")
        .first()
    )
    return World(
        plan=plan,
        task=task,
        lead_dept=lead_dept,
        co_dept=co_dept,
        other_dept=other_dept,
        lead_lead=make_member(lead_dept, "dept_lead"),
        lead_staff=make_member(lead_dept, "dept_staff"),
        co_lead=make_member(co_dept, "dept_lead"),
        co_staff=make_member(co_dept, "dept_staff"),
        other_lead=make_member(other_dept, "dept_lead"),
        other_staff=make_member(other_dept, "dept_staff"),
        supervisor=supervisor,
        leader=leader,
    )


@pytest.fixture
def mini(db, leader: User) -> MiniPlan:
    """The small 2025 plan of tests/rollups/support.py, its Q3 numbers counted by hand."""
    return mini_plan(leader)


# Slow kinds, by where their tests live: each is also `slow`, which `make test-fast`
# leaves out (docs/testing.md). Single slow tests elsewhere carry @pytest.mark.slow.
SLOW_KINDS = {
    "tests/console/test_console_browser.py": "browser",
    "tests/console/test_onboarding_browser.py": "browser",
    "tests/fuzz/": "fuzz",
    "tests/security/test_faults_": "faults",
    "tests/integration/": "worker",
}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(item.path).relative_to(REPO).as_posix()
        for prefix, kind in SLOW_KINDS.items():
            if path.startswith(prefix):
                item.add_marker(kind)
                item.add_marker("slow")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under `-m "not slow"` (make test-fast) the slow kinds' files are not even imported
    (schemathesis, selenium): every test in them would be deselected anyway."""
    if config.option.markexpr.strip() != "not slow":
        return None
    try:
        path = collection_path.relative_to(REPO).as_posix()
    except ValueError:
        return None
    if any(path.startswith(prefix) or f"{path}/" == prefix for prefix in SLOW_KINDS):
        return True
    return None
