"""POST /tasks/{id}/transitions/: the state machine over REST, role by role.

403 when the role may never take the action, 409 (allowed actions named) when not from
the current status, 400 for a missing reason or an unknown action, 412 for a stale tag.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from plantracker.errors import PreconditionFailed
from tasks_app.models import HistoryEvent, Membership, Milestone, Task, TaskStatus
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services import task_update as task_update_module
from tasks_app.workflow.services.task_update import task_update
from tests.api.tasks_support import World, is_task_tag
from tests.claims import claim_ready

S = TaskStatus


def move(client, world: World, action: str, comment: str = "", **headers):
    body = {"action": action, **({"comment": comment} if comment else {})}
    return client.post(world.url("transitions/"), body, format="json", **headers)


def state(task: Task) -> tuple:
    task.refresh_from_db()
    return task.status, task.version, HistoryEvent.objects.filter(task=task).count()


def test_claim_return_claim_approve(world: World, validated_api) -> None:
    lead, supervisor = validated_api(world.lead_lead), validated_api(world.supervisor)
    assert move(lead, world, "start").json()["status"] == S.IN_PROGRESS
    claim_ready(world.task, world.lead_lead)
    claimed = move(lead, world, "submit")
    assert claimed.status_code == 200 and claimed.json()["status"] == S.PENDING_REVIEW
    assert claimed.json()["allowed_actions"] == []
    returned = move(supervisor, world, "return", "佐证材料不全")
    assert returned.json()["status"] == S.IN_PROGRESS
    move(lead, world, "submit")
    approved = move(supervisor, world, "approve", "同意销号")
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["progress"], body["flag"]) == (S.COMPLETED, 100, "green")
    assert body["completed_at"] and is_task_tag(approved["ETag"], world.task.pk, 7, "20250610")
    assert Milestone.objects.get(task=world.task, is_final=True).completed_at is not None
    steps = list(
        HistoryEvent.objects.filter(task=world.task, field="status")
        .order_by("id")
        .values_list("action", "actor__username", "from_value", "to_value", "reason")
    )
    assert steps == [
        ("start", "lead." + world.lead_dept.code, S.NOT_STARTED, S.IN_PROGRESS, ""),
        ("submit", "lead." + world.lead_dept.code, S.IN_PROGRESS, S.PENDING_REVIEW, ""),
        ("return", "supervisor", S.PENDING_REVIEW, S.IN_PROGRESS, "佐证材料不全"),
        ("submit", "lead." + world.lead_dept.code, S.IN_PROGRESS, S.PENDING_REVIEW, ""),
        ("approve", "supervisor", S.PENDING_REVIEW, S.COMPLETED, "同意销号"),
    ]


def test_suspend_resume_cancel(world: World, validated_api) -> None:
    supervisor = validated_api(world.supervisor)
    assert move(supervisor, world, "suspend", "政策调整").json()["status"] == S.SUSPENDED
    assert move(supervisor, world, "resume").json()["status"] == S.IN_PROGRESS
    assert move(supervisor, world, "cancel", "任务取消").json()["status"] == S.CANCELLED
    after = move(supervisor, world, "resume")
    assert after.status_code == 409


def test_every_action_for_every_role(world: World, validated_api) -> None:
    """From a status the action allows, each role gets 200, 403 or 404, as the table says."""
    codes = {"other_lead": 404, "other_staff": 404}
    allowed_by = {
        "supervisor": workflow.Relation.SUPERVISOR,
        "leader": workflow.Relation.LEADER,
        "lead_lead": workflow.Relation.LEAD_DEPT_LEAD,
        "lead_staff": workflow.Relation.LEAD_DEPT_STAFF,
        "co_lead": workflow.Relation.CO_DEPT_LEAD,
        "co_staff": workflow.Relation.CO_DEPT_STAFF,
    }
    claim_ready(world.task, world.lead_lead)  # a claim may then be made from any status
    for action, transition in workflow.TRANSITIONS.items():
        source = sorted(transition.sources)[0]
        for who, user in world.everyone.items():
            Task.objects.filter(pk=world.task.pk).update(status=source)
            before = state(world.task)
            expected = codes.get(who) or (200 if allowed_by[who] in transition.actors else 403)
            response = move(validated_api(user), world, action, "原因")
            assert response.status_code == expected, (action, who, response.content)
            if expected != 200:
                assert state(world.task) == before, (action, who)
            else:
                assert state(world.task)[0] == transition.target


def test_staff_may_not_claim_and_a_lead_may_not_approve(world: World, validated_api) -> None:
    Task.objects.filter(pk=world.task.pk).update(status=S.IN_PROGRESS)
    claim_ready(world.task, world.lead_lead)
    staff = move(validated_api(world.lead_staff), world, "submit")
    assert staff.status_code == 403
    assert staff.json()["errors"][0]["code"] == "permission_denied"
    move(validated_api(world.lead_lead), world, "submit")
    before = state(world.task)
    assert move(validated_api(world.lead_lead), world, "approve").status_code == 403
    assert state(world.task) == before


def test_a_supervisor_who_claimed_may_not_approve_the_claim(world: World, validated_api) -> None:
    Membership.objects.create(
        user=world.supervisor, department=world.lead_dept, role=Membership.DeptRole.LEAD
    )
    client = validated_api(world.supervisor)
    move(client, world, "start")
    claim_ready(world.task, world.lead_lead)
    move(client, world, "submit")
    assert move(client, world, "approve").status_code == 403
    assert move(validated_api(world.lead_lead), world, "approve").status_code == 403


def test_wrong_status_is_409_naming_the_allowed_actions(world: World, validated_api) -> None:
    before = state(world.task)
    early = move(validated_api(world.lead_lead), world, "submit")
    assert early.status_code == 409
    error = early.json()["errors"][0]
    assert error["code"] == "transition_not_allowed" and "start" in error["detail"]
    approve = move(validated_api(world.supervisor), world, "approve")
    assert approve.status_code == 409
    assert "suspend, cancel" in approve.json()["errors"][0]["detail"]
    assert state(world.task) == before


def test_reasons_are_required_and_actions_must_exist(world: World, validated_api) -> None:
    supervisor = validated_api(world.supervisor)
    Task.objects.filter(pk=world.task.pk).update(status=S.PENDING_REVIEW)
    before = state(world.task)
    for action in ("return", "suspend", "cancel"):
        response = move(supervisor, world, action, "")
        assert response.status_code == 400, action
        assert response.json()["errors"][0]["attr"] == "comment"
        blank = move(supervisor, world, action, "   ")
        assert blank.status_code == 400
    unknown = supervisor.post(world.url("transitions/"), {"action": "finish"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["attr"] == "action"
    missing = supervisor.post(world.url("transitions/"), {}, format="json")
    assert missing.json()["errors"][0]["attr"] == "action"
    extra = supervisor.post(
        world.url("transitions/"), {"action": "approve", "status": "completed"}, format="json"
    )
    assert extra.status_code == 400
    assert state(world.task) == before


def test_stale_if_match_is_412_and_nothing_changes(world: World, validated_api) -> None:
    lead = validated_api(world.lead_lead)
    tag = lead.get(world.url())["ETag"]
    assert move(lead, world, "start", HTTP_IF_MATCH=tag).status_code == 200
    claim_ready(world.task, world.lead_lead)
    before = state(world.task)
    stale = move(lead, world, "submit", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412 and stale.json()["errors"][0]["code"] == "stale"
    assert state(world.task) == before
    fresh = lead.get(world.url())["ETag"]
    assert move(lead, world, "submit", HTTP_IF_MATCH=fresh).status_code == 200


def test_transitions_on_a_hidden_task_are_404(world: World, validated_api) -> None:
    before = state(world.task)
    for user in (world.other_lead, world.other_staff):
        assert move(validated_api(user), world, "start").status_code == 404
    assert state(world.task) == before


@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_tag_cannot_both_win(world: World, monkeypatch) -> None:
    """The tag is checked under SELECT … FOR UPDATE: the second writer waits, then sees
    the bumped version and gets 412 (without the lock both would succeed)."""
    task = world.task
    tag = f'W/"task-{task.pk}-{task.version}"'
    real_bump = task_update_module.task_bump

    def slow_bump(locked: Task, fields: list[str]) -> None:
        time.sleep(0.5)  # hold the row lock long enough for the other writer to arrive
        real_bump(locked, fields)

    monkeypatch.setattr(task_update_module, "task_bump", slow_bump)
    barrier, outcomes = threading.Barrier(2), []

    def writer(title: str) -> None:
        try:
            barrier.wait()
            task_update(task=task, actor=world.supervisor, changes={"title": title}, if_match=tag)
            outcomes.append("ok")
        except PreconditionFailed:
            outcomes.append("412")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["412", "ok"]
    task.refresh_from_db()
    assert task.version == 2
    assert HistoryEvent.objects.filter(task=task, field="title").count() == 1
