"""签收 and 退回: a task assigned (交办) awaits its lead department's lead, who acknowledges
it (optionally naming the owner) or returns it with a reason; the supervision office
reassigns it; not acknowledged in ACKNOWLEDGE_WITHIN_WORKING_DAYS working days, it is
chased on the ladder. Tasks of a plain import (the 2025 seed) count as acknowledged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from tasks_app.models import HistoryEvent, Notification, ReminderDispatch, Task
from tasks_app.reminders.run import reminders_run
from tasks_app.supervision.acknowledgement import tasks_assign
from tests.api.tasks_support import World
from tests.claims import EVIDENCE_PDF

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def assign(world: World, task: Task | None = None) -> Task:
    task = task or world.task
    assert tasks_assign(tasks=Task.objects.filter(pk=task.pk), actor=world.supervisor) == 1
    task.refresh_from_db()
    return task


def acknowledge(validated_api, world: World, user, body=None, task: Task | None = None):
    url = world.url("acknowledge/", task)
    return validated_api(user).post(url, body or {}, format="json")


def give_back(validated_api, world: World, user, reason: str = "不属于本单位职责"):
    url = world.url("return-assignment/")
    return validated_api(user).post(url, {"reason": reason}, format="json")


def test_an_imported_task_counts_as_acknowledged_and_the_filter_splits(
    world: World, validated_api
) -> None:
    client = validated_api(world.supervisor)
    detail = client.get(world.url()).json()
    assert (detail["acknowledgement"], detail["assigned_at"]) == ("acknowledged", None)
    waiting = client.get("/api/v1/tasks/", {"acknowledged": "false"}).json()
    assert waiting["results"] == []
    assign(world)
    assert client.get(world.url()).json()["acknowledgement"] == "pending"
    waiting = client.get("/api/v1/tasks/", {"acknowledged": "false"}).json()["results"]
    assert [row["id"] for row in waiting] == [world.task.pk]
    done = client.get("/api/v1/tasks/", {"acknowledged": "true", "search": world.task.code})
    assert world.task.pk not in [row["id"] for row in done.json()["results"]]
    bad = validated_api(world.supervisor).get("/api/v1/tasks/", {"acknowledged": "maybe"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "acknowledged"
    assert HistoryEvent.objects.filter(task=world.task, action="assign").count() == 1


def test_only_the_lead_departments_lead_acknowledges_naming_the_owner(
    world: World, validated_api
) -> None:
    assign(world)
    for user in (world.lead_staff, world.co_lead, world.supervisor, world.leader):
        assert acknowledge(validated_api, world, user).status_code == 403, user
    assert acknowledge(validated_api, world, world.other_lead).status_code == 404
    outsider = acknowledge(validated_api, world, world.lead_lead, {"owner": world.co_staff.pk})
    assert outsider.status_code == 400 and outsider.json()["errors"][0]["attr"] == "owner"
    done = acknowledge(validated_api, world, world.lead_lead, {"owner": world.lead_staff.pk})
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["acknowledgement"] == "acknowledged" and body["acknowledged_at"]
    assert body["owner"]["id"] == world.lead_staff.pk
    actions = list(
        HistoryEvent.objects.filter(task=world.task).order_by("id").values_list("action", "field")
    )
    assert actions[-3:] == [
        ("assign", "acknowledgement"),
        ("update", "owner"),
        ("acknowledge", "acknowledgement"),
    ]
    again = acknowledge(validated_api, world, world.lead_lead)
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "not_pending_acknowledgement"


def test_a_task_not_awaiting_acknowledgement_is_a_409(world: World, validated_api) -> None:
    """The 2025 seed was imported as running: nothing to acknowledge or return."""
    assert acknowledge(validated_api, world, world.lead_lead).status_code == 409
    assert give_back(validated_api, world, world.lead_lead).status_code == 409


def test_return_then_reassignment_starts_over_for_the_new_department(
    world: World, validated_api
) -> None:
    assign(world)
    blank = give_back(validated_api, world, world.lead_lead, reason="  ")
    assert blank.status_code == 400 and blank.json()["errors"][0]["attr"] == "reason"
    assert give_back(validated_api, world, world.co_lead).status_code == 403
    returned = give_back(validated_api, world, world.lead_lead)
    assert returned.status_code == 200 and returned.json()["acknowledgement"] == "returned"
    told = Notification.objects.get(recipient=world.supervisor, kind="assignment_returned")
    assert "不属于本单位职责" in told.body
    en = validated_api(world.supervisor).get("/api/v1/notifications/", **EN).json()["results"]
    assert en[0]["title"].startswith("Task returned")
    assert acknowledge(validated_api, world, world.lead_lead).status_code == 409

    # Only the supervision office reassigns (a lead department change).
    patch = {"lead_department": world.other_dept.pk}
    by_lead = validated_api(world.lead_lead).patch(world.url(), patch, format="json")
    assert by_lead.status_code == 400
    assert by_lead.json()["errors"][0]["code"] == "not_allowed_for_role"
    to_co = validated_api(world.supervisor).patch(
        world.url(), {"lead_department": world.co_dept.pk}, format="json"
    )
    assert to_co.status_code == 400 and to_co.json()["errors"][0]["attr"] == "lead_department"
    moved = validated_api(world.supervisor).patch(world.url(), patch, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["lead_department"]["id"] == world.other_dept.pk
    assert moved.json()["acknowledgement"] == "pending"
    assert Notification.objects.filter(recipient=world.other_lead, kind="task_assigned").exists()
    assert acknowledge(validated_api, world, world.lead_lead).status_code == 404
    assert acknowledge(validated_api, world, world.other_lead).status_code == 200
    steps = HistoryEvent.objects.filter(task=world.task).order_by("id")
    assert [
        (e.action, e.field) for e in steps if e.field in ("acknowledgement", "lead_department")
    ][-5:] == [
        ("assign", "acknowledgement"),
        ("return_assignment", "acknowledgement"),
        ("update", "lead_department"),
        ("assign", "acknowledgement"),
        ("acknowledge", "acknowledgement"),
    ]
    assert steps.get(action="return_assignment").reason == "不属于本单位职责"


def test_reassignment_clears_an_owner_outside_the_new_department(
    world: World, validated_api
) -> None:
    client = validated_api(world.supervisor)
    client.patch(world.url(), {"owner": world.lead_staff.pk}, format="json")
    moved = client.patch(world.url(), {"lead_department": world.other_dept.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["owner"] is None
    assert HistoryEvent.objects.filter(
        task=world.task, action="update", field="owner", to_value__isnull=True
    ).exists()


@pytest.mark.parametrize("acknowledged", [False, True])
def test_an_unacknowledged_task_is_chased_after_n_working_days(
    world: World, validated_api, clock, acknowledged: bool
) -> None:
    assign(world)  # Tuesday 10 June 2025: three working days end on Friday 13 June
    if acknowledged:
        assert acknowledge(validated_api, world, world.lead_lead).status_code == 200
    key = f"acknowledgement:{world.task.pk}:2025-06-10"
    clock.move_to(dt.datetime(2025, 6, 13, 1, tzinfo=dt.UTC))
    reminders_run(today=dt.date(2025, 6, 13))
    assert not ReminderDispatch.objects.filter(item_key=key).exists()
    clock.move_to(dt.datetime(2025, 6, 16, 1, tzinfo=dt.UTC))
    reminders_run(today=dt.date(2025, 6, 16))
    chased = ReminderDispatch.objects.filter(item_key=key)
    assert chased.filter(recipient=world.lead_lead, level="overdue").exists() is not acknowledged


def test_the_deadline_is_a_setting(world: World, clock, settings) -> None:
    settings.PLANTRACKER = {**settings.PLANTRACKER, "ACKNOWLEDGE_WITHIN_WORKING_DAYS": 1}
    assign(world)
    clock.move_to(dt.datetime(2025, 6, 12, 1, tzinfo=dt.UTC))
    reminders_run(today=dt.date(2025, 6, 12))
    key = f"acknowledgement:{world.task.pk}:2025-06-10"
    assert ReminderDispatch.objects.filter(item_key=key, recipient=world.lead_lead).exists()


def test_the_board_counts_what_awaits_acknowledgement(world: World, validated_api) -> None:
    client = Client()
    client.force_login(world.supervisor)
    page = client.get("/console/overdue/").content.decode()
    assert '<strong id="total-unacknowledged">0</strong>' in page
    assign(world)
    second = Task.objects.filter(plan=world.plan).exclude(pk=world.task.pk).order_by("pk")[0]
    assign(world, second)
    give_back(validated_api, world, world.lead_lead)
    page = client.get("/console/overdue/").content.decode()
    assert '<strong id="total-unacknowledged">1</strong>' in page
    assert '<strong id="total-returned">1</strong>' in page


def test_the_lead_acknowledges_or_returns_on_the_console_task_page(world: World) -> None:
    assign(world)
    page = f"/console/tasks/{world.task.pk}/"
    co = Client()
    co.force_login(world.co_lead)
    seen = co.get(page).content.decode()
    assert 'id="acknowledgement"' in seen and 'id="acknowledge-form"' not in seen
    assert co.post(f"{page}acknowledge/").status_code == 403  # refused by the service
    world.task.refresh_from_db()
    assert world.task.acknowledgement == "pending"
    lead = Client()
    lead.force_login(world.lead_lead)
    assert 'id="acknowledge-form"' in lead.get(page).content.decode()
    lead.post(f"{page}return-assignment/", {"reason": ""})
    world.task.refresh_from_db()
    assert world.task.acknowledgement == "pending"  # a reason is required
    done = lead.post(f"{page}acknowledge/", follow=True).content.decode()
    world.task.refresh_from_db()
    assert world.task.acknowledgement == "acknowledged"
    assert 'id="acknowledgement"' not in done and "签收" in done  # the timeline names the step


def test_assigned_acknowledged_reported_claimed_approved(world: World, validated_api) -> None:
    """The whole procedure for a plan task through the same endpoints: 交办 → 签收 → 进展
    报告 → 申请销号 → 审核销号, every step in the history."""
    assign(world)
    lead = validated_api(world.lead_lead)
    assert acknowledge(validated_api, world, world.lead_lead).status_code == 200
    if world.task.status == "not_started":
        started = lead.post(world.url("transitions/"), {"action": "start"}, format="json")
        assert started.status_code == 200
    pdf = SimpleUploadedFile("验收材料.pdf", EVIDENCE_PDF, content_type="application/pdf")
    uploader = APIClient()  # (the schema-checking client does not read multipart bodies)
    uploader.force_authenticate(world.lead_lead)
    evidence = uploader.post(world.url("attachments/"), {"file": pdf}, format="multipart")
    assert evidence.status_code == 201
    report = {"percent": 100, "narrative": "已全部完成", "attachments": [evidence.json()["id"]]}
    assert lead.post(world.url("progress-reports/"), report, format="json").status_code == 201
    claim = lead.post(world.url("transitions/"), {"action": "submit"}, format="json")
    assert claim.status_code == 200, claim.json()
    office = validated_api(world.supervisor)
    done = office.post(world.url("transitions/"), {"action": "approve"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    actions = list(HistoryEvent.objects.filter(task=world.task).values_list("action", flat=True))
    steps = ["assign", "acknowledge", "report", "submit", "approve"]
    assert [a for a in actions if a in steps] == steps
