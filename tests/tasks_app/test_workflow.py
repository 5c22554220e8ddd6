"""The role × department × status table of tasks_app.workflow.rules, checked row by row."""

from __future__ import annotations

import pytest

from tasks_app.models import TaskStatus
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.rules import Action, Capability, Relation
from tests.api.tasks_support import World

R = Relation
S = TaskStatus


def test_every_relation_of_the_world(world: World) -> None:
    expected = {
        "supervisor": {R.SUPERVISOR},
        "leader": {R.LEADER},
        "lead_lead": {R.LEAD_DEPT_LEAD},
        "lead_staff": {R.LEAD_DEPT_STAFF},
        "co_lead": {R.CO_DEPT_LEAD},
        "co_staff": {R.CO_DEPT_STAFF},
        "other_lead": set(),
        "other_staff": set(),
    }
    for name, user in world.everyone.items():
        assert workflow.relations(user, world.task) == expected[name], name


def test_inactive_users_have_no_relation(world: World) -> None:
    world.lead_lead.is_active = False
    assert workflow.relations(world.lead_lead, world.task) == frozenset()


@pytest.mark.parametrize(
    ("status", "relation", "actions"),
    [
        (S.NOT_STARTED, R.LEAD_DEPT_LEAD, ["start"]),
        (S.IN_PROGRESS, R.LEAD_DEPT_LEAD, ["submit"]),
        (S.PENDING_REVIEW, R.LEAD_DEPT_LEAD, []),
        (S.NOT_STARTED, R.SUPERVISOR, ["suspend", "cancel"]),
        (S.IN_PROGRESS, R.SUPERVISOR, ["suspend", "cancel"]),
        (S.PENDING_REVIEW, R.SUPERVISOR, ["approve", "return", "suspend", "cancel"]),
        (S.SUSPENDED, R.SUPERVISOR, ["resume", "cancel"]),
        (S.COMPLETED, R.SUPERVISOR, []),
        (S.CANCELLED, R.SUPERVISOR, []),
        (S.IN_PROGRESS, R.LEAD_DEPT_STAFF, []),
        (S.IN_PROGRESS, R.CO_DEPT_LEAD, []),
        (S.PENDING_REVIEW, R.LEADER, []),
    ],
)
def test_actions_for_status_and_relation(status: str, relation: Relation, actions: list) -> None:
    assert workflow.actions_for(frozenset({relation}), status) == actions


def test_table_targets_and_reasons() -> None:
    table = workflow.TRANSITIONS
    assert table["start"].target == S.IN_PROGRESS
    assert table["submit"].target == S.PENDING_REVIEW
    assert table["approve"].target == S.COMPLETED
    assert table["return"].target == S.IN_PROGRESS
    assert table["suspend"].target == S.SUSPENDED
    assert table["resume"].target == S.IN_PROGRESS
    assert table["cancel"].target == S.CANCELLED
    assert {a for a, t in table.items() if t.needs_reason} == {"return", "suspend", "cancel"}
    assert list(table) == [a.value for a in Action] == workflow.TRANSITION_ACTIONS
    # Nothing leaves a closed status.
    for transition in table.values():
        assert not transition.sources & workflow.CLOSED_STATUSES


def test_only_supervisors_approve_and_only_lead_leads_claim() -> None:
    assert workflow.TRANSITIONS["approve"].actors == {R.SUPERVISOR}
    assert workflow.TRANSITIONS["submit"].actors == {R.LEAD_DEPT_LEAD}
    assert not workflow.may_take(frozenset({R.LEAD_DEPT_STAFF}), "submit")
    assert not workflow.may_take(frozenset({R.LEAD_DEPT_LEAD}), "approve")
    assert not workflow.may_take(frozenset({R.SUPERVISOR}), "no-such-action")


@pytest.mark.parametrize(
    ("capability", "allowed"),
    [
        (Capability.VIEW, set(Relation)),
        (Capability.EDIT_ASSIGNMENT, {R.SUPERVISOR, R.LEAD_DEPT_LEAD}),
        (Capability.EDIT_DUE_DATE, {R.SUPERVISOR}),
        (Capability.REPORT_PROGRESS, {R.LEAD_DEPT_LEAD}),
        (Capability.REPORT_PART, {R.CO_DEPT_LEAD}),
        (Capability.DRAFT_REPORT, workflow.ANY_DEPARTMENT),
        (Capability.COMMENT, set(Relation) - {R.LEADER}),
        (Capability.UPLOAD, workflow.ANY_DEPARTMENT),
        (Capability.REQUEST_EXTENSION, {R.LEAD_DEPT_LEAD}),
        (Capability.DECIDE_EXTENSION, {R.SUPERVISOR}),
        (Capability.URGE, {R.SUPERVISOR}),
    ],
)
def test_capability_matrix(capability: Capability, allowed: set) -> None:
    for relation in Relation:
        granted = workflow.has_capability(frozenset({relation}), capability)
        assert granted == (relation in allowed), (capability, relation)


def test_leader_is_read_only() -> None:
    leader = frozenset({R.LEADER})
    assert [c for c in Capability if workflow.has_capability(leader, c)] == [Capability.VIEW]
    assert all(not workflow.actions_for(leader, s) for s in TaskStatus.values)


def test_closed_tasks_refuse_writes_but_not_comments() -> None:
    lead = frozenset({R.LEAD_DEPT_LEAD})
    for status in (S.COMPLETED, S.CANCELLED):
        assert not workflow.has_capability(lead, Capability.REPORT_PROGRESS, status=status)
        assert not workflow.has_capability(lead, Capability.EDIT_ASSIGNMENT, status=status)
        assert workflow.has_capability(lead, Capability.COMMENT, status=status)


def test_patch_fields_map_to_capabilities() -> None:
    assert workflow.PATCH_FIELDS == {
        "owner": Capability.EDIT_ASSIGNMENT,
        "title": Capability.EDIT_ASSIGNMENT,
        "co_departments": Capability.EDIT_ASSIGNMENT,
        "due_date": Capability.EDIT_DUE_DATE,
        "lead_department": Capability.REASSIGN,  # 重新交办 (supervisors)
    }


def test_allowed_actions_of_real_users(world: World) -> None:
    assert workflow.allowed_actions(world.lead_lead, world.task) == ["start"]
    assert workflow.allowed_actions(world.lead_staff, world.task) == []
    assert workflow.allowed_actions(world.supervisor, world.task) == ["suspend", "cancel"]
    assert workflow.allowed_actions(world.other_lead, world.task) == []
