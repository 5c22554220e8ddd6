"""签收 (acknowledgement of receipt) and 退回 (returning a wrongly assigned task).

交办 (assignment) puts a task at 未签收 for its lead department: a published plan draft
(tasks_app/plans/onboarding.py), a carried-over task (tasks_app/rollover/) and a change of
lead department (task_update) all do. The department's lead then either acknowledges it
(签收, optionally naming the owner at once) or returns it with a reason (退回), which tells
the supervision office; the office reassigns it by changing the lead department, which
starts 未签收 again for the new department. Tasks with no state (NULL: a plain import of a
running plan, tasks older than 签收) count as acknowledged. Not acknowledged within
ACKNOWLEDGE_WITHIN_WORKING_DAYS working days is a reminder item
(tasks_app/reminders/acknowledgement_items.py).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.inbox.audience import supervisor_ids, task_department_ids
from tasks_app.inbox.notify import task_notify, task_params
from tasks_app.models import Acknowledgement, HistoryEvent, Membership, Task, User
from tasks_app.models.plan import UNACKNOWLEDGED
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.task_writes import (
    TaskClosed,
    history_record,
    now,
    task_bump,
    task_lock,
)
from tasks_app.workflow.workdays import add_working_days

ASSIGN, ACKNOWLEDGE, RETURN_ASSIGNMENT = "assign", "acknowledge", "return_assignment"
FIELD = "acknowledgement"
ACKNOWLEDGE_FIELDS = ["acknowledgement", "acknowledged_at", "assigned_at"]


class NotAwaitingAcknowledgement(Conflict):
    default_detail = gettext_lazy("该任务不在待签收状态。")
    default_code = "not_pending_acknowledgement"


def acknowledgement_of(task: Task) -> str:
    """The task's state as clients see it: NULL (never under 签收) reads as acknowledged."""
    return task.acknowledgement or Acknowledgement.ACKNOWLEDGED


def tasks_assign(*, tasks: QuerySet[Task], actor: User | None, reason: str = "") -> int:
    """交办 of many tasks at once (a published plan, a rollover): every one at 未签收 from
    now, with one history row each. Set-based: one UPDATE, one read of ids, one INSERT.
    Call inside the caller's transaction."""
    at = now()
    ids = list(tasks.order_by("pk").values_list("pk", flat=True))
    Task.objects.filter(pk__in=ids).update(
        acknowledgement=Acknowledgement.PENDING, assigned_at=at, acknowledged_at=None
    )
    HistoryEvent.objects.bulk_create(
        HistoryEvent(
            task_id=pk,
            actor=actor,
            action=ASSIGN,
            field=FIELD,
            to_value=Acknowledgement.PENDING.value,
            reason=reason,
        )
        for pk in ids
    )
    return len(ids)


def task_reassigned(*, task: Task, actor: User, old_state: str | None) -> None:
    """The lead department of a locked task changed (task_update): 未签收 for the new one,
    recorded. The caller saves the task, then calls task_reassigned_notify."""
    task.acknowledgement = Acknowledgement.PENDING
    task.assigned_at, task.acknowledged_at = now(), None
    history_record(
        task=task,
        actor=actor,
        action=ASSIGN,
        field=FIELD,
        from_value=old_state,
        to_value=Acknowledgement.PENDING.value,
    )


def task_reassigned_notify(*, task: Task, actor: User) -> None:
    """Tell the new lead department's leads (once the task is saved: only people who see
    the task are told)."""
    task_notify(
        task=task,
        kind="task_assigned",
        params=task_params(task, actor, department=task.lead_department.name),
        recipient_ids=task_department_ids(task),
        actor=actor,
    )


def _lead_of_lead_department(actor: User, task: Task, message: str) -> None:
    if workflow.Relation.LEAD_DEPT_LEAD not in workflow.relations(actor, task):
        raise PermissionDenied(message)
    if task.status in workflow.CLOSED_STATUSES:
        raise TaskClosed()
    if task.acknowledgement != Acknowledgement.PENDING:
        raise NotAwaitingAcknowledgement()


def _check_owner(task: Task, owner: User) -> None:
    member = Membership.objects.filter(
        user=owner, department_id=task.lead_department_id, user__is_active=True
    ).exists()
    if not member:
        raise ValidationError({"owner": [_("责任人必须是牵头部门的成员。")]}, code="invalid")


@transaction.atomic
def task_acknowledge(
    *, task: Task, actor: User, owner: User | None = None, if_match: str | None = None
) -> Task:
    """签收 by the lead department's lead; `owner` (a member of the lead department) is
    named at once, recorded as an owner change would be."""
    locked = task_lock(task=task, if_match=if_match)
    _lead_of_lead_department(actor, locked, _("只有牵头部门负责人可以签收任务。"))
    fields = ["acknowledgement", "acknowledged_at"]
    if owner is not None and owner.pk != locked.owner_id:
        _check_owner(locked, owner)
        history_record(
            task=locked,
            actor=actor,
            action="update",
            field="owner",
            from_value=locked.owner_id,
            to_value=owner.pk,
        )
        locked.owner = owner
        fields.append("owner")
    locked.acknowledgement, locked.acknowledged_at = Acknowledgement.ACKNOWLEDGED, now()
    history_record(
        task=locked,
        actor=actor,
        action=ACKNOWLEDGE,
        field=FIELD,
        from_value=Acknowledgement.PENDING.value,
        to_value=Acknowledgement.ACKNOWLEDGED.value,
    )
    task_bump(locked, fields)
    return locked


@transaction.atomic
def task_return_assignment(
    *, task: Task, actor: User, reason: str, if_match: str | None = None
) -> Task:
    """退回: the lead department's lead returns a task assigned to it by mistake, with a
    reason; the supervision office is told and reassigns it (a lead department change)."""
    locked = task_lock(task=task, if_match=if_match)
    _lead_of_lead_department(actor, locked, _("只有牵头部门负责人可以退回任务。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写退回理由。")]}, code="required")
    if len(reason) > 2000:
        raise ValidationError({"reason": [_("内容过长。")]}, code="max_length")
    locked.acknowledgement = Acknowledgement.RETURNED
    history_record(
        task=locked,
        actor=actor,
        action=RETURN_ASSIGNMENT,
        field=FIELD,
        from_value=Acknowledgement.PENDING.value,
        to_value=Acknowledgement.RETURNED.value,
        reason=reason,
    )
    task_bump(locked, ["acknowledgement"])
    task_notify(
        task=locked,
        kind="assignment_returned",
        params=task_params(locked, actor, department=locked.lead_department.name, reason=reason),
        recipient_ids=supervisor_ids(),
        actor=actor,
    )
    return locked


def acknowledgement_counts(tasks: QuerySet[Task]) -> dict[str, int]:
    """{"pending": 未签收, "returned": 退回待重新交办} among `tasks` (one aggregate query)."""
    waiting = tasks.filter(acknowledgement__in=UNACKNOWLEDGED)
    return waiting.aggregate(
        pending=Count("pk", filter=Q(acknowledgement=Acknowledgement.PENDING)),
        returned=Count("pk", filter=Q(acknowledgement=Acknowledgement.RETURNED)),
    )


def acknowledge_due_date(assigned_at: dt.datetime, working_days: int) -> dt.date:
    """The last day to acknowledge a task assigned at `assigned_at` (district time)."""
    return add_working_days(timezone.localtime(assigned_at).date(), working_days)
