"""Extension requests (延期申请) and decisions: who, which dates, what moves, what stays."""

from __future__ import annotations

import datetime as dt

from tasks_app.models import ExtensionRequest, HistoryEvent, Milestone, Notification, Task
from tasks_app.workflow.services.extensions import extension_request_create
from tests.api.tasks_support import SHANGHAI, World
from tests.openapi import assert_constant_queries


def ask(client, world: World, headers: dict | None = None, **body):
    body.setdefault("reason", "拆迁进度滞后")
    return client.post(world.url("extension-requests/"), body, format="json", **(headers or {}))


def decide(client, request_id: int, **body):
    return client.post(f"/api/v1/extension-requests/{request_id}/decision/", body, format="json")


def counts(task: Task) -> tuple:
    task.refresh_from_db()
    return (
        task.due_date,
        ExtensionRequest.objects.filter(task=task).count(),
        HistoryEvent.objects.filter(task=task).count(),
    )


def test_who_may_ask(world: World, validated_api) -> None:
    expected = {
        "supervisor": 403,
        "leader": 403,
        "lead_staff": 403,
        "co_lead": 403,
        "co_staff": 403,
        "other_lead": 404,
        "other_staff": 404,
    }
    before = counts(world.task)
    for who, status in expected.items():
        response = ask(validated_api(getattr(world, who)), world, new_due_date="2025-12-31")
        assert response.status_code == status, who
    assert counts(world.task) == before


def test_lead_asks_supervisor_approves_and_the_original_stays(world: World, validated_api) -> None:
    Task.objects.filter(pk=world.task.pk).update(due_date=dt.date(2025, 10, 31))
    Milestone.objects.filter(task=world.task, is_final=True).update(due_date=dt.date(2025, 10, 31))
    asked = ask(validated_api(world.lead_lead), world, new_due_date="2025-12-15")
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert (body["status"], body["old_due_date"], body["is_late"]) == (
        "pending",
        "2025-10-31",
        False,
    )
    pending = validated_api(world.supervisor).get("/api/v1/extension-requests/?status=pending")
    assert [r["id"] for r in pending.json()["results"]] == [body["id"]]
    decided = decide(validated_api(world.supervisor), body["id"], approve=True, comment="同意")
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by"]["id"] == world.supervisor.pk
    task = validated_api(world.lead_lead).get(world.url()).json()
    assert (task["due_date"], task["original_due_date"]) == ("2025-12-15", "2025-12-31")
    final = Milestone.objects.get(task=world.task, is_final=True)
    assert final.due_date == dt.date(2025, 12, 15)
    moved = HistoryEvent.objects.get(task=world.task, action="extension_approve")
    assert (moved.from_value, moved.to_value, moved.actor) == (
        "2025-10-31",
        "2025-12-15",
        world.supervisor,
    )
    note = Notification.objects.get(recipient=world.lead_lead, kind="extension_decision")
    assert note.task == world.task


def test_reject_needs_a_comment_and_moves_nothing(world: World, validated_api) -> None:
    created = ask(validated_api(world.lead_lead), world, new_due_date="2025-12-31")
    assert created.status_code == 400  # not later than the current 2025-12-31
    milestone = (
        Milestone.objects.filter(task=world.task, is_final=False).order_by("due_date").last()
    )
    created = ask(
        validated_api(world.lead_lead),
        world,
        milestone=milestone.pk,
        new_due_date=str(milestone.due_date + dt.timedelta(days=20)),
    )
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    supervisor = validated_api(world.supervisor)
    no_comment = decide(supervisor, rid, approve=False)
    assert no_comment.status_code == 400 and no_comment.json()["errors"][0]["attr"] == "comment"
    rejected = decide(supervisor, rid, approve=False, comment="理由不充分")
    assert rejected.json()["status"] == "rejected"
    milestone.refresh_from_db()
    assert milestone.due_date == milestone.original_due_date
    again = decide(supervisor, rid, approve=True)
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "extension_decided"


def test_who_may_decide(world: World, validated_api) -> None:
    request = extension_request_create(
        task=world.task,
        actor=world.lead_lead,
        reason="原因",
        new_due_date=dt.date(2025, 12, 31),
        milestone_id=Milestone.objects.filter(task=world.task, is_final=False)
        .order_by("due_date")
        .last()
        .pk,
    )
    expected = {
        "leader": 403,
        "lead_lead": 403,
        "lead_staff": 403,
        "co_lead": 403,
        "other_lead": 404,
        "other_staff": 404,
    }
    for who, status in expected.items():
        response = decide(validated_api(getattr(world, who)), request.pk, approve=True)
        assert response.status_code == status, who
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.PENDING


def test_dates_are_checked(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    before = counts(world.task)
    foreign = Milestone.objects.exclude(task=world.task).first()
    cases = [
        ({"new_due_date": "2026-04-01"}, "new_due_date"),  # past the limit (2026-03-31)
        ({"new_due_date": "2025-11-30"}, "new_due_date"),  # earlier than the current date
        ({"new_due_date": "soon"}, "new_due_date"),
        ({"new_due_date": "2025-12-31", "milestone": foreign.pk}, "milestone"),
        ({"new_due_date": "2025-12-31", "reason": ""}, "reason"),
        ({}, "new_due_date"),
    ]
    for body, field in cases:
        response = ask(client, world, **body)
        assert response.status_code == 400, body
        assert field in {e["attr"] for e in response.json()["errors"]}, body
    assert counts(world.task) == before


def test_a_request_after_the_date_passed_is_marked_late(world: World, validated_api, clock) -> None:
    Task.objects.filter(pk=world.task.pk).update(due_date=dt.date(2025, 11, 28))
    clock.move_to(dt.datetime(2025, 12, 2, 10, tzinfo=SHANGHAI))
    response = ask(validated_api(world.lead_lead), world, new_due_date="2025-12-20")
    assert response.status_code == 201 and response.json()["is_late"] is True


def test_one_pending_request_per_date_and_idempotency(world: World, validated_api) -> None:
    Task.objects.filter(pk=world.task.pk).update(due_date=dt.date(2025, 11, 28))
    client = validated_api(world.lead_lead)
    headers = {"HTTP_IDEMPOTENCY_KEY": "ext-1"}
    first = ask(client, world, headers, new_due_date="2025-12-20")
    replay = ask(client, world, headers, new_due_date="2025-12-20")
    assert first.status_code == replay.status_code == 201 and first.json() == replay.json()
    second = ask(client, world, new_due_date="2025-12-25")
    assert second.status_code == 409 and second.json()["errors"][0]["code"] == "extension_pending"
    assert ExtensionRequest.objects.filter(task=world.task).count() == 1


def test_lists_have_constant_queries(world: World, validated_api) -> None:
    milestones = Milestone.objects.filter(
        task__lead_department=world.lead_dept, is_final=False, due_date__lt=dt.date(2025, 12, 1)
    )[:12]
    for milestone in milestones:
        Task.objects.filter(pk=milestone.task_id).update(due_date=dt.date(2025, 12, 31))
        ExtensionRequest.objects.create(
            task_id=milestone.task_id,
            milestone=milestone,
            requested_by=world.lead_lead,
            old_due_date=milestone.due_date,
            new_due_date=dt.date(2025, 12, 1),
            reason="r",
        )
    assert len(milestones) > 10
    assert_constant_queries(validated_api(world.supervisor), "/api/v1/extension-requests/")
    task_id = milestones[0].task_id
    for _ in range(11):
        ExtensionRequest.objects.create(
            task_id=task_id,
            requested_by=world.lead_lead,
            old_due_date=dt.date(2025, 12, 31),
            new_due_date=dt.date(2025, 12, 31),
            reason="r",
            status="rejected",
        )
    assert_constant_queries(
        validated_api(world.lead_staff), f"/api/v1/tasks/{task_id}/extension-requests/"
    )
