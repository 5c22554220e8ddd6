"""Extension requests (延期申请): the lead department asks, a supervisor decides.

The task's (or milestone's) original date stays in `original_due_date` and in history;
rollups count a task against the date that stood when it fell due.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import Conflict, ValidationError
from tasks_app.models import ExtensionRequest, Milestone, Task, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.step_notices import (
    extension_decided_notify,
    extension_requested_notify,
    extension_withdrawn_notify,
)
from tasks_app.workflow.services.task_writes import (
    TaskClosed,
    history_record,
    now,
    require,
    task_bump,
    task_lock,
    today,
)

TEXT_MAX_CHARS = 2000


class ExtensionPending(Conflict):
    default_detail = gettext_lazy("该时限已有待审批的延期申请。")
    default_code = "extension_pending"


class ExtensionDecided(Conflict):
    default_detail = gettext_lazy("该延期申请已审批。")
    default_code = "extension_decided"


def _target_milestone(task: Task, milestone_id: int | None) -> Milestone | None:
    if milestone_id is None:
        return None
    milestone = Milestone.objects.select_for_update().filter(task=task, pk=milestone_id).first()
    if milestone is None:
        raise ValidationError({"milestone": [_("该节点不属于此任务。")]}, code="invalid")
    if milestone.completed_at is not None:
        raise ValidationError({"milestone": [_("该节点已完成，无需延期。")]}, code="completed")
    return milestone


def extension_limit(task: Task) -> dt.date:
    """The latest date an extension may grant: the end of the quarter that lies
    EXTENSION_MAX_QUARTERS_PAST_YEAR quarters after the plan year (default 1: 31 March of
    the next year). A task extended past its year is carried over at the year's rollover."""
    quarters = int(settings.PLANTRACKER.get("EXTENSION_MAX_QUARTERS_PAST_YEAR", 1))
    year, quarter = divmod(4 + max(0, quarters) - 1, 4)  # quarters after Q4 of the plan year
    end_month = 3 * (quarter + 1)
    last_day = 31 if end_month in (3, 12) else 30
    return dt.date(task.plan.year + year, end_month, last_day)


def _later_milestone(task: Task, milestone: Milestone) -> Milestone | None:
    """The next intermediate milestone after this one, which it may not overtake."""
    return (
        Milestone.objects.filter(task=task, is_final=False, due_date__gt=milestone.due_date)
        .exclude(pk=milestone.pk)
        .order_by("due_date", "pk")
        .first()
    )


def _check_new_date(task: Task, milestone: Milestone | None, old: dt.date, new: dt.date) -> None:
    limit = extension_limit(task)
    later = _later_milestone(task, milestone) if milestone and not milestone.is_final else None
    if new <= old:
        message = _("新时限须晚于当前时限（%(old)s）。") % {"old": old.isoformat()}
    elif new > limit:
        message = _("新时限不能晚于%(limit)s。") % {"limit": limit.isoformat()}
    elif milestone is not None and not milestone.is_final and new > task.due_date:
        message = _("节点时限不能晚于任务完成时限，请先申请延长任务时限。")
    elif later is not None and new > later.due_date:
        message = _("节点时限不能晚于下一个节点（%(title)s，%(due)s）。") % {
            "title": later.title,
            "due": later.due_date.isoformat(),
        }
    else:
        return
    raise ValidationError({"new_due_date": [message]}, code="invalid")


def _clean_text(value: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("请填写理由。")]}, code="required")
    if len(value) > TEXT_MAX_CHARS:
        raise ValidationError({field: [_("内容过长。")]}, code="max_length")
    return value


@transaction.atomic
def extension_request_create(
    *,
    task: Task,
    actor: User,
    new_due_date: dt.date,
    reason: str,
    milestone_id: int | None = None,
) -> ExtensionRequest:
    """Ask to move the task's due date (or one open milestone's) to `new_due_date`.

    Only the lead department's lead; the new date must be later than the current one, no
    later than extension_limit(), and a milestone's may overtake neither a later milestone
    nor the task's deadline. A request made after the current date has passed is `is_late`.
    """
    locked = task_lock(task=task)
    require(actor=actor, task=locked, capability=workflow.Capability.REQUEST_EXTENSION)
    reason = _clean_text(reason, "reason", required=True)
    milestone = _target_milestone(locked, milestone_id)
    old = milestone.due_date if milestone else locked.due_date
    _check_new_date(locked, milestone, old, new_due_date)
    if ExtensionRequest.objects.filter(
        task=locked, milestone=milestone, status=ExtensionRequest.Status.PENDING
    ).exists():
        raise ExtensionPending()
    request = ExtensionRequest.objects.create(
        task=locked,
        milestone=milestone,
        requested_by=actor,
        old_due_date=old,
        new_due_date=new_due_date,
        reason=reason,
        is_late=today() > old,
    )
    history_record(
        task=locked,
        actor=actor,
        action="extension_request",
        field=f"milestone:{milestone.pk}" if milestone else "due_date",
        from_value=old,
        to_value=new_due_date,
        reason=reason,
    )
    extension_requested_notify(task=locked, actor=actor, request=request)
    return request


def _move_date(task: Task, request: ExtensionRequest) -> tuple[str, dt.date]:
    """Apply an approved request; returns (history field, date before)."""
    milestone = request.milestone
    if milestone is not None and not milestone.is_final:
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        before = milestone.due_date
        milestone.due_date = request.new_due_date
        milestone.save(update_fields=["due_date", "updated_at"])
        return f"milestone:{milestone.pk}", before
    before = task.due_date
    task.due_date = request.new_due_date
    # The final milestone carries the deadline.
    Milestone.objects.filter(task=task, is_final=True).update(
        due_date=request.new_due_date, updated_at=now()
    )
    return "due_date", before


@transaction.atomic
def extension_request_decide(
    *, extension_request: ExtensionRequest, actor: User, approve: bool, comment: str = ""
) -> ExtensionRequest:
    """Approve (the date moves; the original stays in history) or reject (with a comment)."""
    task = task_lock(task=extension_request.task_id)
    require(actor=actor, task=task, capability=workflow.Capability.DECIDE_EXTENSION)
    request = ExtensionRequest.objects.select_for_update().get(pk=extension_request.pk)
    if request.status != ExtensionRequest.Status.PENDING:
        raise ExtensionDecided()
    comment = _clean_text(comment, "comment", required=not approve)
    if approve:
        if task.status in workflow.CLOSED_STATUSES:
            raise TaskClosed()
        field, before = _move_date(task, request)
        task_bump(task, ["due_date"])
        history_record(
            task=task,
            actor=actor,
            action="extension_approve",
            field=field,
            from_value=before,
            to_value=request.new_due_date,
            reason=comment,
        )
    else:
        history_record(
            task=task, actor=actor, action="extension_reject", to_value=request.pk, reason=comment
        )
    request.status = request.Status.APPROVED if approve else request.Status.REJECTED
    request.decided_by, request.decided_at, request.decision_comment = actor, now(), comment
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    extension_decided_notify(task=task, actor=actor, request=request)
    return request


def extensions_withdraw_pending(*, task: Task, actor: User) -> int:
    """Withdraw the task's pending requests because it closed (approved or cancelled):
    each keeps its record, gets a history row and its requester and the supervision office
    are told. Called inside the closing transition's transaction; returns how many."""
    pending = list(
        ExtensionRequest.objects.select_for_update()
        .filter(task=task, status=ExtensionRequest.Status.PENDING)
        .order_by("pk")
    )
    note = _("任务已办结，待审批的延期申请自动撤回。")
    at = now()
    for request in pending:
        request.status, request.decision_comment = ExtensionRequest.Status.WITHDRAWN, note
        request.decided_at = request.updated_at = at  # updated_at: clients sync the change
        history_record(
            task=task,
            actor=actor,
            action="extension_withdraw",
            field="extension_request",
            from_value=ExtensionRequest.Status.PENDING,
            to_value={"extension_request": request.pk, "status": request.status},
            reason=note,
        )
        extension_withdrawn_notify(task=task, request=request)
    ExtensionRequest.objects.bulk_update(
        pending, ["status", "decided_at", "decision_comment", "updated_at"]
    )
    return len(pending)
