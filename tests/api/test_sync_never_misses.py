"""Sync never misses: `updated_since` on the task list returns a tombstone for every task
that left the caller's view (co-department removed, lead department changed, membership
ended, task deleted), to exactly the affected people, and the tasks whose computed flag or
overdue state changed overnight (tasks_app/workflow/flag_changes.py) — including when the
write's transaction commits after the caller's sync.

Tombstones are stamped by database triggers with the database's clock, the app's cursor
comes from the app's clock (pinned to 2025 by the `clock` fixture), so "no longer returned"
is checked with a cursor past the database's real time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tasks_app.models import Membership, Task
from tasks_app.workflow.flag_changes import task_flag_changes_record
from tests.api.tasks_support import SHANGHAI, World

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the triggers are tested on PostgreSQL"
)


def _sync(client, since: str) -> tuple[set[int], set[int], str]:
    """(tombstoned ids, live ids, X-Server-Time) of the first page of an updated_since sync."""
    response = client.get("/api/v1/tasks/", {"updated_since": since, "page_size": 200})
    assert response.status_code == 200, response.content[:500]
    rows = response.json()["results"]
    gone = {row["id"] for row in rows if row.get("deleted")}
    live = {row["id"] for row in rows if not row.get("deleted")}
    return gone, live, response["X-Server-Time"]


def _cursor(client) -> str:
    return client.get("/api/v1/tasks/", {"page_size": 1})["X-Server-Time"]


def _db_clock() -> dt.datetime:
    """The database's real clock (time_machine pins only the app's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def test_co_department_removed_reaches_exactly_its_members(
    world: World, validated_api, clock
) -> None:
    task = world.task
    clients = {name: validated_api(user) for name, user in world.everyone.items()}
    cursors = {name: _cursor(client) for name, client in clients.items()}
    remaining = [d.pk for d in task.co_departments.exclude(pk=world.co_dept.pk)]
    response = clients["supervisor"].patch(
        world.url(), {"co_departments": remaining}, format="json"
    )
    assert response.status_code == 200, response.content[:300]

    for name in ("co_lead", "co_staff"):
        gone, live, _ = _sync(clients[name], cursors[name])
        assert task.pk in gone and task.pk not in live, name
    for name in ("lead_lead", "lead_staff", "supervisor", "leader"):
        gone, live, _ = _sync(clients[name], cursors[name])
        assert task.pk not in gone and task.pk in live, name  # still seen: changed, not gone
    for name in ("other_lead", "other_staff"):
        gone, live, _ = _sync(clients[name], cursors[name])
        assert task.pk not in gone | live, name
    # once: a later cursor (past the overlap window) does not bring it again
    clock.move_to(_db_clock() + dt.timedelta(hours=1))
    gone, _, _ = _sync(clients["co_lead"], _cursor(clients["co_lead"]))
    assert task.pk not in gone


def test_lead_department_changed(world: World, validated_api) -> None:
    task = world.task
    old_lead, new_lead = validated_api(world.lead_lead), validated_api(world.other_lead)
    cursor_old, cursor_new = _cursor(old_lead), _cursor(new_lead)
    task.lead_department = world.other_dept  # as the admin or a re-import would
    task.owner = None
    task.save()

    gone, live, _ = _sync(old_lead, cursor_old)
    assert task.pk in gone and task.pk not in live
    gone, live, _ = _sync(new_lead, cursor_new)
    assert task.pk in live and task.pk not in gone
    gone, _, _ = _sync(validated_api(world.co_lead), cursor_old)
    assert task.pk not in gone  # the co-department still sees it


def test_membership_ended(world: World, validated_api) -> None:
    client = validated_api(world.co_staff)
    cursor = _cursor(client)
    seen = {row["id"] for row in client.get("/api/v1/tasks/", {"page_size": 200}).json()["results"]}
    assert world.task.pk in seen
    Membership.objects.filter(user=world.co_staff, department=world.co_dept).delete()

    gone, live, _ = _sync(client, cursor)
    assert world.task.pk in gone
    assert seen <= gone and not live  # every task of the department, nothing left
    colleague_gone, _, _ = _sync(validated_api(world.co_lead), cursor)
    assert world.task.pk not in colleague_gone


def test_deleted_task(world: World, validated_api) -> None:
    task = Task.objects.create(
        plan=world.plan,
        chapter=world.task.chapter,
        measure=world.task.measure,
        code="2025-9.9.9-99",
        sentence_no=99,
        title="临时任务",
        text="临时任务",
        lead_department=world.lead_dept,
        start_date=world.task.start_date,
        due_date=world.task.due_date,
        original_due_date=world.task.due_date,
    )
    task.co_departments.add(world.co_dept)
    clients = {name: validated_api(user) for name, user in world.everyone.items()}
    cursors = {name: _cursor(client) for name, client in clients.items()}
    task_id = task.pk
    task.delete()

    for name in ("lead_lead", "lead_staff", "co_lead", "co_staff", "supervisor", "leader"):
        gone, _, _ = _sync(clients[name], cursors[name])
        assert task_id in gone, name
    for name in ("other_lead", "other_staff"):
        gone, _, _ = _sync(clients[name], cursors[name])
        assert task_id not in gone, name


def test_flag_changed_overnight(world: World, validated_api, clock) -> None:
    today = timezone.localdate()
    task = world.task
    Task.objects.filter(pk=task.pk).update(due_date=today, progress=100)  # yellow, not overdue
    Task.objects.filter(pk=task.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    clients = {name: validated_api(user) for name, user in world.everyone.items()}
    detail = clients["lead_lead"].get(world.url()).json()
    assert (detail["flag"], detail["is_overdue"]) == ("yellow", False)

    clock.move_to(dt.datetime.combine(today, dt.time(23, 0), tzinfo=SHANGHAI))
    cursors = {name: _cursor(client) for name, client in clients.items()}
    clock.move_to(dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0, 5), SHANGHAI))
    stamped = task_flag_changes_record(today=timezone.localdate())
    assert stamped >= 1

    for name in ("lead_lead", "co_staff", "supervisor"):
        _, live, _ = _sync(clients[name], cursors[name])
        assert task.pk in live, name
        row = next(
            r
            for r in clients[name].get("/api/v1/tasks/", {"page_size": 200}).json()["results"]
            if r["id"] == task.pk
        )
        assert (row["flag"], row["is_overdue"]) == ("red", True)
    _, live, _ = _sync(clients["other_lead"], cursors["other_lead"])
    assert task.pk not in live
    # only tasks whose state changed: a second run the same day stamps nothing
    assert task_flag_changes_record(today=timezone.localdate(), since=timezone.localdate()) == 0


@pytest.mark.django_db(transaction=True)
def test_a_late_committing_removal_is_not_missed(world: World, validated_api) -> None:
    """The removal's transaction starts (and its trigger stamps the tombstone) before the
    person's sync and commits after it; the next sync, from that sync's X-Server-Time,
    still returns the tombstone (the overlap window, plantracker/api/sync.py)."""
    client = validated_api(world.co_lead)
    first_cursor = _db_now()
    written, release = threading.Event(), threading.Event()

    def slow_removal() -> None:
        try:
            with transaction.atomic():
                world.task.co_departments.remove(world.co_dept)
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_removal)
    writer.start()
    assert written.wait(timeout=30)
    time.sleep(0.2)
    gone, _, server_time = _sync(client, first_cursor)
    assert world.task.pk not in gone  # not committed yet: invisible
    release.set()
    writer.join(timeout=30)

    # the next sync starts from the server's time (mapped onto the database's clock)
    next_cursor = _db_now()
    gone, _, _ = _sync(client, next_cursor)
    assert world.task.pk in gone
    assert server_time  # the header a client sends back


def _db_now() -> str:
    """A cursor on the database's (real) clock, which stamps the tombstones."""
    return _db_clock().isoformat()
