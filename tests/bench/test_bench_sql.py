"""The benchmark's hand-written SQL (bench/sql.py) returns what the endpoints return, on
data where every group of GET /me/work/ is filled (the generated city has no returned
claims, 督办单 or leader instructions, so `make bench`'s own row check cannot see those
groups). Real PostgreSQL, the seed plan, the pinned clock of tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from bench.probe import sql_params
from bench.sql import me_work, tasks_sync
from tasks_app.models import Task
from tasks_app.org.plan_scope import default_plan_id
from tasks_app.supervision.instructions import instruction_create
from tasks_app.supervision.urge import task_urge
from tasks_app.workflow.my_work import my_work
from tasks_app.workflow.services.task_transition import task_transition
from tests.api.tasks_support import World
from tests.claims import claim

LIMIT = 50


def _rows(sql: str, world: World, user, **extra) -> list[tuple]:
    subjects = {
        "department": world.lead_dept.pk,
        "task": world.task.pk,
        "since": timezone.now() - dt.timedelta(days=1),
        **extra,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params(subjects, user, LIMIT))
        return cursor.fetchall()


@pytest.mark.django_db
def test_me_work_sql_gives_the_endpoints_groups(world: World, on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("bench/sql.py is PostgreSQL")
    task = world.task
    Task.objects.filter(pk=task.pk).update(due_date=dt.date(2025, 6, 13))
    task_transition(task=task, actor=world.lead_lead, action="start")
    claim(task, world.lead_lead)
    task_transition(task=task, actor=world.supervisor, action="return", reason="佐证材料不全")
    task_urge(task=task, actor=world.supervisor, comment="请说明进度", notice=True)
    instruction_create(task=task, actor=world.leader, text="抓紧推进")
    today = timezone.localdate()

    for user in (world.lead_lead, world.co_lead, world.other_lead):
        plan = default_plan_id(user, today=today)
        groups = my_work(user=user, plan=plan, today=today, limit=LIMIT)
        rows = _rows(me_work(), world, user)
        expected = [(number, t.pk) for number, g in enumerate(groups, 1) for t in g.items]
        assert [(row[1], row[0]) for row in rows] == expected, user.username
        if rows:  # the six counts close every row
            assert list(rows[0][-6:]) == [g.count for g in groups], user.username
        # respond_by and reason, as the endpoint renders them
        orm = {
            (number, t.pk): (getattr(t, "respond_by", None), getattr(t, "reason", None))
            for number, g in enumerate(groups, 1)
            for t in g.items
        }
        assert {(row[1], row[0]): (row[12], row[13]) for row in rows} == orm, user.username

    lead_groups = {row[1] for row in _rows(me_work(), world, world.lead_lead)}
    assert {2, 4, 5, 6} <= lead_groups  # due this week, returned, notice, instruction


@pytest.mark.django_db
def test_sync_sql_gives_the_endpoints_rows(world: World, on_postgres: bool, api) -> None:
    if not on_postgres:
        pytest.skip("bench/sql.py is PostgreSQL")
    since = timezone.now() - dt.timedelta(hours=1)
    changed = list(Task.objects.filter(lead_department=world.lead_dept).order_by("pk")[:3])
    Task.objects.filter(pk__in=[t.pk for t in changed]).update(updated_at=timezone.now())
    Task.objects.exclude(pk__in=[t.pk for t in changed]).update(
        updated_at=since - dt.timedelta(days=1)
    )
    # the bench's cutoff: the client's time minus the sync overlap
    rows = _rows(tasks_sync(), world, world.lead_lead, since=since)
    response = api(world.lead_lead).get(
        "/api/v1/tasks/", {"updated_since": since.isoformat(), "page_size": LIMIT}
    )
    assert response.status_code == 200
    api_ids = [row["id"] for row in response.json()["results"] if not row.get("deleted")]
    assert [row[0] for row in rows] == api_ids
    assert {t.pk for t in changed} <= set(api_ids)
