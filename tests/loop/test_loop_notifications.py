"""Every step of the loop reaches exactly the people concerned, only while they can see
the task, rendered in the reader's language, with links on the configured site."""

from __future__ import annotations

import datetime as dt

import pytest

from tasks_app.models import Membership, Notification, ReminderDispatch, Task, User
from tasks_app.reminders.run import reminders_run
from tasks_app.supervision.urge import task_urge, urge_recipients
from tasks_app.workflow.services.extensions import (
    extension_request_create,
    extension_request_decide,
)
from tasks_app.workflow.services.task_transition import task_transition
from tests.api.tasks_support import World
from tests.claims import claim_ready
from tests.loop.conftest import SITE

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def kinds_of(user: User) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def moved_owner(world: World, make_member) -> User:
    """Staff of the lead department, made owner, then moved to an unrelated department."""
    owner = make_member(world.lead_dept, "dept_staff", username="moved.owner")
    Task.objects.filter(pk=world.task.pk).update(owner=owner)
    world.task.refresh_from_db()
    Membership.objects.filter(user=owner).update(department=world.other_dept)
    return owner


def claim(world: World) -> None:
    task_transition(task=world.task, actor=world.lead_lead, action="start")
    claim_ready(world.task, world.lead_lead)
    task_transition(task=world.task, actor=world.lead_lead, action="submit")


def test_claim_submitted_reaches_the_supervision_office_only(world: World, make_member) -> None:
    retired = User.objects.create_user("retired", district_role="supervisor", is_active=False)
    claim(world)
    assert kinds_of(world.supervisor) == ["claim_submitted"]
    for user in (retired, world.lead_lead, world.lead_staff, world.co_lead, world.leader):
        assert "claim_submitted" not in kinds_of(user)


def test_returned_claim_tells_the_department_and_owner_why(
    world: World, make_member, validated_api
) -> None:
    owner = make_member(world.lead_dept, "dept_staff", username="owner.here")
    Task.objects.filter(pk=world.task.pk).update(owner=owner)
    world.task.refresh_from_db()
    claim(world)
    task_transition(task=world.task, actor=world.supervisor, action="return", reason="缺少验收材料")
    for user in (world.lead_lead, world.lead_staff):
        assert kinds_of(user) == ["claim_returned"], user.username
    # The owner also heard of the lead's 100 % report that preceded the claim.
    assert kinds_of(owner) == ["claim_returned", "report_filed"]
    for user in (world.co_lead, world.other_lead, world.supervisor):
        assert "claim_returned" not in kinds_of(user)
    zh = validated_api(world.lead_lead).get("/api/v1/notifications/").json()["results"][0]
    assert zh["title"] == f"销号申请被退回：{world.task.code} {world.task.title}"[:200]
    assert "退回原因：缺少验收材料" in zh["body"]
    assert f"{SITE}/console/tasks/{world.task.pk}/" in zh["body"]
    en = validated_api(world.lead_lead).get("/api/v1/notifications/", **EN).json()["results"][0]
    assert en["title"].startswith(f"Completion claim returned: {world.task.code}")
    assert "Reason: 缺少验收材料" in en["body"]
    assert f"{SITE}/console/tasks/{world.task.pk}/" in en["body"]
    assert en["params"]["reason"] == "缺少验收材料"


def test_an_owner_who_left_hears_nothing(world: World, make_member) -> None:
    owner = moved_owner(world, make_member)
    task_urge(task=world.task, actor=world.supervisor, comment="请加快进度")
    claim(world)
    task_transition(task=world.task, actor=world.supervisor, action="approve")
    assert kinds_of(owner) == []
    assert owner not in urge_recipients(world.task)
    assert kinds_of(world.lead_lead) == ["claim_approved", "urge"]


def test_approval_reaches_the_department_in_english_too(world: World, validated_api) -> None:
    claim(world)
    task_transition(task=world.task, actor=world.supervisor, action="approve")
    assert kinds_of(world.lead_staff) == ["claim_approved"]
    en = validated_api(world.lead_staff).get("/api/v1/notifications/", **EN).json()["results"]
    assert en[0]["title"].startswith("Completion claim approved:")
    stored = Notification.objects.get(recipient=world.lead_staff)
    assert stored.title.startswith("销号申请已通过")  # e-mail and webhook: the district's


def test_extension_requested_then_decided(world: World, make_member, validated_api) -> None:
    second_lead = make_member(world.lead_dept, "dept_lead", username="lead2")
    request = extension_request_create(
        task=world.task,
        actor=world.lead_lead,
        new_due_date=dt.date(2026, 3, 31),
        reason="拆迁未完成",
    )
    assert kinds_of(world.supervisor) == ["extension_requested"]
    assert kinds_of(world.lead_lead) == kinds_of(second_lead) == []
    extension_request_decide(
        extension_request=request, actor=world.supervisor, approve=False, comment="理由不充分"
    )
    for user in (world.lead_lead, second_lead):
        assert kinds_of(user) == ["extension_decision"]
    assert "extension_decision" not in kinds_of(world.lead_staff)
    en = validated_api(second_lead).get("/api/v1/notifications/", **EN).json()["results"][0]
    assert en["title"].startswith("Extension request rejected:")
    assert "理由不充分" in en["body"]


@pytest.mark.parametrize("notice", [True, False])
def test_urge_and_notice_reach_leads_and_owner(world: World, make_member, notice) -> None:
    owner = make_member(world.lead_dept, "dept_staff", username="owner.here")
    Task.objects.filter(pk=world.task.pk).update(owner=owner)
    world.task.refresh_from_db()
    task_urge(task=world.task, actor=world.supervisor, comment="请说明滞后原因", notice=notice)
    kind = "supervision_notice" if notice else "urge"
    assert kinds_of(world.lead_lead) == kinds_of(owner) == [kind]
    assert kinds_of(world.lead_staff) == kinds_of(world.co_lead) == []


def test_ladder_skips_an_owner_who_left_and_staff_hear_of_reports(
    world: World, make_member, clock, api
) -> None:
    owner = moved_owner(world, make_member)
    clock.move_to(dt.datetime(2025, 7, 10, 9, 0, tzinfo=dt.UTC))
    reminders_run(today=dt.date(2025, 7, 10))
    digests = Notification.objects.filter(kind="reminder_digest")
    # Now staff elsewhere: hears of the new department's reports, never of the old task.
    assert ReminderDispatch.objects.filter(recipient=owner).exists()
    assert not ReminderDispatch.objects.filter(recipient=owner, task=world.task).exists()
    assert ReminderDispatch.objects.filter(recipient=world.lead_lead, task=world.task).exists()
    staff = digests.get(recipient=world.lead_staff)
    kinds = {item["kind"] for item in staff.payload["items"]}
    assert kinds == {"progress_report"}
    assert staff.payload["items"][0]["task_id"] is not None
    en = api(world.lead_staff).get("/api/v1/notifications/", **EN).json()["results"][0]
    assert en["kind"] == "reminder_digest" and en["title"].startswith("Reminder (2025-07-10)")
