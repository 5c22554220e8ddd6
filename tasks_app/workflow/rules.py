"""The role × department × status rules of product.md, in one table.

Services enforce these rules, the API renders `allowed_actions` from them and the tests
iterate over them. A caller's standing towards one task is a set of *relations*
(supervisor, district leader, lead or staff of the lead department, lead or staff of a
co-responsible department); no relation means the task is invisible (404).

Co-responsible departments (配合部门) "report their part": they may comment, upload
evidence and file progress reports whose percent is recorded on the report only; the
task's own progress, key-result actuals and status move only with the lead department.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from tasks_app.models import Membership, Task, TaskStatus, User
from tasks_app.models.plan import CLOSED_STATUSES as CLOSED_TASK_STATUSES
from tasks_app.workflow.selectors import co_departments_of

S = TaskStatus


class Relation(StrEnum):
    SUPERVISOR = "supervisor"  # 督查室 (and Django superusers)
    LEADER = "leader"  # 区领导: read-only
    LEAD_DEPT_LEAD = "lead_dept_lead"  # 牵头部门负责人
    LEAD_DEPT_STAFF = "lead_dept_staff"  # 牵头部门联络员
    CO_DEPT_LEAD = "co_dept_lead"  # 配合部门负责人
    CO_DEPT_STAFF = "co_dept_staff"  # 配合部门联络员


R = Relation
LEAD_DEPARTMENT = frozenset({R.LEAD_DEPT_LEAD, R.LEAD_DEPT_STAFF})
CO_DEPARTMENT = frozenset({R.CO_DEPT_LEAD, R.CO_DEPT_STAFF})
ANY_DEPARTMENT = LEAD_DEPARTMENT | CO_DEPARTMENT


class Action(StrEnum):
    START = "start"
    SUBMIT = "submit"  # claim completion (申请销号)
    APPROVE = "approve"  # verify the claim (审核销号)
    RETURN = "return"  # send the claim back (退回)
    SUSPEND = "suspend"
    RESUME = "resume"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str
    actors: frozenset[Relation]
    needs_reason: bool = False


OPEN_STATUSES = frozenset({S.NOT_STARTED, S.IN_PROGRESS, S.PENDING_REVIEW, S.SUSPENDED})
# withdrawn (撤销) by a re-import; carried_over (已结转) by a year rollover, the work going
# on in the carried task. The list itself is the model's (tasks_app.models.plan).
CLOSED_STATUSES = frozenset(CLOSED_TASK_STATUSES)


def _transition(
    action: Action, sources: set[str], target: str, actors: set[Relation], needs_reason: bool
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), needs_reason)


TRANSITIONS: dict[str, Transition] = {
    t.action.value: t
    for t in (
        _transition(Action.START, {S.NOT_STARTED}, S.IN_PROGRESS, {R.LEAD_DEPT_LEAD}, False),
        _transition(Action.SUBMIT, {S.IN_PROGRESS}, S.PENDING_REVIEW, {R.LEAD_DEPT_LEAD}, False),
        _transition(Action.APPROVE, {S.PENDING_REVIEW}, S.COMPLETED, {R.SUPERVISOR}, False),
        _transition(Action.RETURN, {S.PENDING_REVIEW}, S.IN_PROGRESS, {R.SUPERVISOR}, True),
        _transition(
            Action.SUSPEND,
            {S.NOT_STARTED, S.IN_PROGRESS, S.PENDING_REVIEW},
            S.SUSPENDED,
            {R.SUPERVISOR},
            True,
        ),
        # A resumed task is back at work; "not started" is not restored on purpose.
        _transition(Action.RESUME, {S.SUSPENDED}, S.IN_PROGRESS, {R.SUPERVISOR}, False),
        _transition(Action.CANCEL, set(OPEN_STATUSES), S.CANCELLED, {R.SUPERVISOR}, True),
    )
}


# For schema enums and choice fields: the action names in the table's order.
TRANSITION_ACTIONS = list(TRANSITIONS)


class Capability(StrEnum):
    """Everything but transitions that a relation may do to a task."""

    VIEW = "view"
    EDIT_ASSIGNMENT = "edit_assignment"  # PATCH owner, title, co_departments
    EDIT_DUE_DATE = "edit_due_date"  # PATCH due_date
    REASSIGN = "reassign"  # PATCH lead_department (重新交办: 未签收 for the new department)
    REPORT_PROGRESS = "report_progress"  # a report that moves task.progress and actuals
    REPORT_PART = "report_part"  # a co-department report: recorded, moves nothing
    DRAFT_REPORT = "draft_report"  # a draft only the department sees; its lead submits it
    COMMENT = "comment"
    UPLOAD = "upload"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    URGE = "urge"  # 催办 / 督办单
    ADD_MILESTONE = "add_milestone"
    COMPLETE_MILESTONE = "complete_milestone"


C = Capability
CAPABILITIES: dict[Capability, frozenset[Relation]] = {
    C.VIEW: frozenset(Relation),
    C.EDIT_ASSIGNMENT: frozenset({R.SUPERVISOR, R.LEAD_DEPT_LEAD}),
    C.EDIT_DUE_DATE: frozenset({R.SUPERVISOR}),
    C.REASSIGN: frozenset({R.SUPERVISOR}),
    # Staff (联络员) write drafts; a report takes effect when the department's lead files it.
    C.REPORT_PROGRESS: frozenset({R.LEAD_DEPT_LEAD}),
    C.REPORT_PART: frozenset({R.CO_DEPT_LEAD}),
    C.DRAFT_REPORT: ANY_DEPARTMENT,
    C.COMMENT: frozenset({R.SUPERVISOR}) | ANY_DEPARTMENT,
    C.UPLOAD: ANY_DEPARTMENT,
    C.REQUEST_EXTENSION: frozenset({R.LEAD_DEPT_LEAD}),
    C.DECIDE_EXTENSION: frozenset({R.SUPERVISOR}),
    C.URGE: frozenset({R.SUPERVISOR}),
    C.ADD_MILESTONE: frozenset({R.SUPERVISOR, R.LEAD_DEPT_LEAD}),
    C.COMPLETE_MILESTONE: frozenset({R.SUPERVISOR, R.LEAD_DEPT_LEAD}),
}

# PATCH /tasks/{id}/: the fields anyone may write, and the capability each one needs.
PATCH_FIELDS: dict[str, Capability] = {
    "owner": C.EDIT_ASSIGNMENT,
    "title": C.EDIT_ASSIGNMENT,
    "co_departments": C.EDIT_ASSIGNMENT,
    "due_date": C.EDIT_DUE_DATE,
    "lead_department": C.REASSIGN,
}

# Writes refused on a closed (completed / cancelled) task, whoever asks.
CLOSED_TASK_REFUSES = frozenset(
    {
        C.EDIT_ASSIGNMENT,
        C.EDIT_DUE_DATE,
        C.REASSIGN,
        C.REPORT_PROGRESS,
        C.REPORT_PART,
        C.DRAFT_REPORT,
        C.REQUEST_EXTENSION,
        C.URGE,
        C.ADD_MILESTONE,
        C.COMPLETE_MILESTONE,
    }
)

CAPABILITY_DENIED_MESSAGES = {
    C.EDIT_ASSIGNMENT: _("只有牵头部门负责人或督查室可以修改任务。"),
    C.EDIT_DUE_DATE: _("只有督查室可以修改完成时限。"),
    C.REASSIGN: _("只有督查室可以更改牵头部门。"),
    C.REPORT_PROGRESS: _("您无权填报该任务的进展。"),
    C.REPORT_PART: _("您无权填报该任务的进展。"),
    C.DRAFT_REPORT: _("只有牵头或配合部门的人员可以填写报告草稿。"),
    C.COMMENT: _("您无权评论该任务。"),
    C.UPLOAD: _("您无权上传该任务的佐证材料。"),
    C.REQUEST_EXTENSION: _("只有牵头部门负责人可以申请延期。"),
    C.DECIDE_EXTENSION: _("只有督查室可以审批延期申请。"),
    C.URGE: _("只有督查室可以催办或督办。"),
    C.ADD_MILESTONE: _("只有牵头部门负责人或督查室可以增加节点。"),
    C.COMPLETE_MILESTONE: _("只有牵头部门负责人或督查室可以确认节点完成。"),
}


def department_roles(user: User) -> dict[int, str]:
    """{department id: membership role} for the user (one query)."""
    return dict(Membership.objects.filter(user=user).values_list("department_id", "role"))


def _loaded_department_roles(user: User, task: Task) -> dict[int, str] | None:
    """The roles selectors.task_visible_or_404 loaded with the task, if it did for `user`."""
    if getattr(task, "viewer_id", None) != user.pk or not hasattr(task, "viewer_department_roles"):
        return None
    return {int(dep): role for dep, role in (task.viewer_department_roles or {}).items()}


def co_department_ids(task: Task) -> set[int]:
    """The task's co-departments' ids (loaded with the task by a task read, else one query)."""
    return {d["id"] for d in co_departments_of(task)}


def relations(user: User, task: Task) -> frozenset[Relation]:
    """The caller's standing towards one task; empty means it may not see the task."""
    found: set[Relation] = set()
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser or user.district_role == User.DistrictRole.SUPERVISOR:
        found.add(R.SUPERVISOR)
    if user.district_role == User.DistrictRole.LEADER:
        found.add(R.LEADER)
    roles = _loaded_department_roles(user, task)
    if roles is None:
        roles = department_roles(user)
    is_lead = {dep: role == Membership.DeptRole.LEAD for dep, role in roles.items()}
    if task.lead_department_id in is_lead:
        found.add(R.LEAD_DEPT_LEAD if is_lead[task.lead_department_id] else R.LEAD_DEPT_STAFF)
    for dep in co_department_ids(task) & is_lead.keys():
        found.add(R.CO_DEPT_LEAD if is_lead[dep] else R.CO_DEPT_STAFF)
    return frozenset(found)


def has_capability(
    rels: frozenset[Relation], capability: Capability, *, status: str | None = None
) -> bool:
    if status in CLOSED_STATUSES and capability in CLOSED_TASK_REFUSES:
        return False
    return bool(rels & CAPABILITIES[capability])


def may_take(rels: frozenset[Relation], action: str) -> bool:
    """Whether the relations allow the action from *some* status (403 if not)."""
    transition = TRANSITIONS.get(action)
    return transition is not None and bool(rels & transition.actors)


def actions_for(rels: frozenset[Relation], status: str) -> list[str]:
    """Actions these relations may take from this status, in the table's order."""
    return [
        name
        for name, transition in TRANSITIONS.items()
        if status in transition.sources and rels & transition.actors
    ]


def allowed_actions(user: User, task: Task) -> list[str]:
    """The transitions `user` may take on `task` right now."""
    return actions_for(relations(user, task), task.status)


def capabilities_of(rels: frozenset[Relation], status: str) -> list[str]:
    """The non-transition capabilities these relations grant on a task in `status`."""
    return [c.value for c in Capability if has_capability(rels, c, status=status)]


def capabilities_for(user: User, task: Task) -> list[str]:
    """The non-transition capabilities `user` has on `task` right now (for clients)."""
    return capabilities_of(relations(user, task), task.status)
