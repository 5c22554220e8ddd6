"""Supervision: urging (催办 / 督办单) one task, and the overdue list for review."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tasks_app.models import (
    HistoryEvent,
    Milestone,
    Notification,
    SupervisionNotice,
    Task,
    TaskStatus,
)
from tasks_app.workflow.flags import RED, YELLOW
from tests.api.tasks_support import SHANGHAI, World
from tests.openapi import assert_constant_queries

OVERDUE = "/api/v1/supervision/overdue/"


def urge(client, world: World, headers: dict | None = None, **body):
    return client.post(world.url("urge/"), body, format="json", **(headers or {}))


def test_supervisor_urges_owner_and_leads(world: World, validated_api) -> None:
    Task.objects.filter(pk=world.task.pk).update(owner=world.lead_staff)
    response = urge(validated_api(world.supervisor), world, comment="请加快进度")
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["department"]["id"]) == (
        "urge",
        world.lead_dept.pk,
    )
    notice = SupervisionNotice.objects.get(task=world.task)
    assert (notice.issued_by, notice.reason) == (world.supervisor, "请加快进度")
    recipients = set(
        Notification.objects.filter(task=world.task, kind="urge").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {world.lead_staff.pk, world.lead_lead.pk}
    event = HistoryEvent.objects.get(task=world.task, action="urge")
    assert (event.actor, event.reason, event.to_value) == (
        world.supervisor,
        "请加快进度",
        notice.pk,
    )


def test_a_formal_notice(world: World, validated_api) -> None:
    response = urge(validated_api(world.supervisor), world, comment="逾期未完成", notice=True)
    assert response.status_code == 201 and response.json()["kind"] == "notice"
    assert Notification.objects.filter(
        kind="supervision_notice", recipient=world.lead_lead
    ).exists()


def test_only_supervisors_urge(world: World, validated_api) -> None:
    expected = {
        "leader": 403,
        "lead_lead": 403,
        "lead_staff": 403,
        "co_lead": 403,
        "other_lead": 404,
        "other_staff": 404,
    }
    for who, status in expected.items():
        assert urge(validated_api(getattr(world, who)), world, comment="x").status_code == status
    assert not SupervisionNotice.objects.exists() and not Notification.objects.exists()


def test_urge_validation_closed_tasks_and_idempotency(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    missing = urge(client, world)
    assert missing.status_code == 400 and missing.json()["errors"][0]["attr"] == "comment"
    headers = {"HTTP_IDEMPOTENCY_KEY": "urge-1"}
    first = urge(client, world, headers, comment="请加快")
    again = urge(client, world, headers, comment="请加快")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert SupervisionNotice.objects.count() == 1
    Task.objects.filter(pk=world.task.pk).update(status=TaskStatus.COMPLETED)
    assert urge(client, world, comment="x").status_code == 409


def _red_by_deadline(task: Task, due: dt.date) -> None:
    Task.objects.filter(pk=task.pk).update(due_date=due, progress=100, status="in_progress")
    Milestone.objects.filter(task=task).update(due_date=due)


def test_overdue_list_most_overdue_first_in_working_days(
    world: World, validated_api, clock
) -> None:
    clock.move_to(dt.datetime(2025, 10, 9, 10, tzinfo=SHANGHAI))
    # Everything else done, so only the arranged tasks are red or yellow.
    Milestone.objects.update(completed_at=timezone.now())
    Task.objects.update(progress=100)
    tasks = list(Task.objects.filter(lead_department=world.lead_dept).order_by("pk")[:3])
    _red_by_deadline(tasks[0], dt.date(2025, 9, 25))  # 09-26, 28, 29, 30, 10-09: 5 days
    _red_by_deadline(tasks[1], dt.date(2025, 9, 29))  # 09-30, 10-09: 2 working days
    Task.objects.filter(pk=tasks[2].pk).update(due_date=dt.date(2025, 10, 13))  # yellow
    Milestone.objects.filter(task=tasks[2], is_final=True).update(
        due_date=dt.date(2025, 10, 13), completed_at=None
    )
    rows = validated_api(world.supervisor).get(OVERDUE).json()["results"]
    assert [(r["id"], r["flag"], r["days_overdue"]) for r in rows] == [
        (tasks[0].pk, RED, 5),
        (tasks[1].pk, RED, 2),
        (tasks[2].pk, YELLOW, 0),
    ]
    assert rows[0]["overdue_since"] == "2025-09-25" and rows[2]["overdue_since"] is None
    lead_rows = validated_api(world.lead_lead).get(OVERDUE).json()["results"]
    assert [r["id"] for r in lead_rows] == [t.pk for t in tasks]
    assert validated_api(world.other_lead).get(OVERDUE).json()["results"] == []


def test_overdue_list_matches_the_flag_filter(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    listed = {r["id"] for r in client.get(f"{OVERDUE}?page_size=200").json()["results"]}
    red = {r["id"] for r in client.get("/api/v1/tasks/?flag=red&page_size=200").json()["results"]}
    yellow = {
        r["id"] for r in client.get("/api/v1/tasks/?flag=yellow&page_size=200").json()["results"]
    }
    assert listed == red | yellow and listed


def test_overdue_constant_queries(world: World, validated_api) -> None:
    assert_constant_queries(validated_api(world.supervisor), OVERDUE)


def test_overdue_cursor_pages_cover_the_list_once(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    everything = [r["id"] for r in client.get(f"{OVERDUE}?page_size=200").json()["results"]]
    url, seen = f"{OVERDUE}?page_size=7", []
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == everything and len(everything) > 7
