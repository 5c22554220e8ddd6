"""督办单 that mean something: one open per task, a response deadline, the department's
answer with evidence, the supervisor's acceptance or send-back, automatic issue only for
a task's own deadline or a milestone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from plantracker.errors import PermissionDenied
from tasks_app.models import Attachment, Notification, SupervisionNotice, Task
from tasks_app.reminders.run import reminders_run
from tasks_app.supervision.notices import NoticeOpen, notice_answer, notice_review
from tasks_app.supervision.urge import task_urge
from tests.api.tasks_support import World

D = dt.date
OPEN = SupervisionNotice.Status.OPEN


def issue(world: World, reason: str = "Q2节点逾期，请说明原因") -> SupervisionNotice:
    return task_urge(task=world.task, actor=world.supervisor, comment=reason, notice=True)


def evidence(world: World) -> Attachment:
    return Attachment.objects.create(
        task=world.task,
        uploaded_by=world.lead_staff,
        file="evidence/2025/06/x.pdf",
        original_name="验收报告.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )


def test_one_open_notice_per_task(world: World, api) -> None:
    notice = issue(world)
    assert notice.status == OPEN and notice.respond_by == D(2025, 6, 17)  # 5 working days
    with pytest.raises(NoticeOpen):
        issue(world)
    response = api(world.supervisor).post(
        world.url("urge/"), {"comment": "再次督办", "notice": True}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "notice_open"
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionNotice.objects.create(
            task=world.task, department=world.lead_dept, kind="notice", reason="x"
        )
    # Urges are not notices: as many as needed.
    task_urge(task=world.task, actor=world.supervisor, comment="请加快")
    task_urge(task=world.task, actor=world.supervisor, comment="请加快")


def test_answer_send_back_answer_accept(world: World, api, clock) -> None:
    notice = issue(world)
    with pytest.raises(PermissionDenied):
        notice_answer(notice=notice, actor=world.co_lead, text="配合部门无权反馈")
    file = evidence(world)
    client = api(world.lead_staff)
    answered = client.post(
        f"/api/v1/supervision/notices/{notice.pk}/answer/",
        {"text": "已完成征地，附验收报告", "attachments": [file.pk]},
        format="json",
    )
    assert answered.status_code == 200, answered.json()
    body = answered.json()
    assert (body["status"], body["answer_attachments"]) == ("answered", [file.pk])
    assert Notification.objects.filter(recipient=world.supervisor, kind="notice_answered").exists()
    clock.move_to(dt.datetime(2025, 6, 12, 10, tzinfo=dt.UTC))
    sent_back = notice_review(
        notice=notice, actor=world.supervisor, accept=False, comment="材料不全"
    )
    assert (sent_back.status, sent_back.respond_by) == (OPEN, D(2025, 6, 19))
    assert Notification.objects.filter(recipient=world.lead_lead, kind="notice_sent_back").exists()
    notice_answer(notice=notice, actor=world.lead_lead, text="补充材料", attachment_ids=[file.pk])
    reviewed = api(world.supervisor).post(
        f"/api/v1/supervision/notices/{notice.pk}/review/", {"accept": True}, format="json"
    )
    assert reviewed.json()["status"] == "closed"
    assert issue(world, "新的督办事项").status == OPEN  # closed: a new one may be issued
    actions = list(
        world.task.history.filter(action__startswith="notice").values_list("action", flat=True)
    )
    assert actions == [
        "notice",
        *"notice_answer notice_send_back notice_answer".split(),
        "notice_accept",
        "notice",
    ]


def test_the_list_shows_notices_of_visible_tasks(world: World, validated_api) -> None:
    notice = issue(world)
    mine = validated_api(world.lead_lead).get("/api/v1/supervision/notices/?status=open")
    assert [row["id"] for row in mine.json()["results"]] == [notice.pk]
    assert mine.json()["results"][0]["respond_by"] == "2025-06-17"
    other = validated_api(world.other_lead).get("/api/v1/supervision/notices/")
    assert other.json()["results"] == []


def test_automatic_notice_for_a_late_deadline_only(world: World, clock) -> None:
    Task.objects.filter(pk=world.task.pk).update(due_date=D(2025, 5, 30))
    for day in (D(2025, 6, 10), D(2025, 6, 11), D(2025, 6, 16)):
        clock.move_to(dt.datetime(day.year, day.month, day.day, 1, tzinfo=dt.UTC))
        reminders_run(today=day)
    notices = SupervisionNotice.objects.filter(task=world.task, kind="notice")
    assert notices.count() == 1 and notices.get().issued_by is None
    assert Notification.objects.filter(
        recipient=world.lead_lead, kind="supervision_notice"
    ).exists()
    # Missing monthly reports of every other task: urged, never a 督办单.
    assert set(SupervisionNotice.objects.values_list("task_id", flat=True)) <= set(
        Task.objects.filter(due_date__lt=D(2025, 6, 10)).values_list("pk", flat=True)
    ) | set(
        Task.objects.filter(
            milestones__due_date__lt=D(2025, 6, 10), milestones__completed_at=None
        ).values_list("pk", flat=True)
    )


def test_bad_evidence_ids_in_an_answer_are_named_on_the_field(world: World, validated_api) -> None:
    """make fuzz found `attachments.0` in the answer's 400, which no schema entry matches:
    item errors are named on `attachments` itself, as on progress reports."""
    notice = issue(world)
    response = validated_api(world.lead_lead).post(
        f"/api/v1/supervision/notices/{notice.pk}/answer/",
        {"text": "", "attachments": [0, 2**63]},
        format="json",
    )
    assert response.status_code == 400
    errors = [(e["attr"], e["code"]) for e in response.json()["errors"]]
    assert errors == [("text", "blank"), ("attachments", "min_value"), ("attachments", "max_value")]
    assert SupervisionNotice.objects.get(pk=notice.pk).status == OPEN
