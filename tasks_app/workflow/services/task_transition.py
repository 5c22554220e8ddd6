"""task_transition: move a task through the workflow of tasks_app.workflow.rules.TRANSITIONS."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.models import HistoryEvent, Milestone, Task, TaskStatus, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.completion_claims import (
    completion_claim_check,
    completion_claim_record,
)
from tasks_app.workflow.services.extensions import extensions_withdraw_pending
from tasks_app.workflow.services.step_notices import transition_notify
from tasks_app.workflow.services.task_writes import history_record, now, task_bump, task_lock

REASON_MAX_CHARS = 2000


class TransitionNotAllowed(Conflict):
    default_code = "transition_not_allowed"


def _check_allowed(actor: User, task: Task, action: str) -> None:
    """403 when the actor may never take the action; 409 when not from this status."""
    rels = workflow.relations(actor, task)
    if not workflow.may_take(rels, action):
        raise PermissionDenied(_("您的角色不能对该任务执行“%(action)s”。") % {"action": action})
    allowed = workflow.actions_for(rels, task.status)
    if action not in allowed:
        raise TransitionNotAllowed(
            _("任务状态为“%(status)s”，不能执行“%(action)s”；当前可执行：%(allowed)s。")
            % {
                "status": TaskStatus(task.status).label,
                "action": action,
                "allowed": ", ".join(allowed) or _("无"),
            }
        )
    if action == workflow.Action.APPROVE and _claimed_by(task) == actor.pk:
        raise PermissionDenied(_("不能审核自己提交的销号申请。"))


def _claimed_by(task: Task) -> int | None:
    """Who made the pending completion claim (four eyes: they may not approve it)."""
    claim = (
        HistoryEvent.objects.filter(task=task, action=workflow.Action.SUBMIT)
        .order_by("-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return claim


def _apply(task: Task, transition: workflow.Transition) -> list[str]:
    task.status = transition.target
    changed = ["status"]
    if transition.action == workflow.Action.APPROVE:
        task.completed_at, task.progress = now(), 100
        changed += ["completed_at", "progress"]
        # The claim verified: the deadline checkpoint is met.
        Milestone.objects.filter(task=task, is_final=True, completed_at__isnull=True).update(
            completed_at=task.completed_at, updated_at=task.completed_at
        )
    return changed


@transaction.atomic
def task_transition(
    *,
    task: Task,
    actor: User,
    action: str,
    reason: str = "",
    if_match: str | None = None,
    no_evidence_reason: str = "",
) -> Task:
    """Take `action` on `task` as `actor`; one history row; the task's version bumps.

    Raises ValidationError (unknown action, missing reason, a completion claim without
    progress 100 or evidence: see completion_claims), PermissionDenied (role),
    TransitionNotAllowed (409, names the allowed actions) or PreconditionFailed (412).
    """
    transition = workflow.TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(
            {"action": [_("未知操作“%(action)s”。") % {"action": action}]}, code="invalid_choice"
        )
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({"comment": [_("说明过长。")]}, code="max_length")
    locked = task_lock(task=task, if_match=if_match)
    _check_allowed(actor, locked, action)
    if transition.needs_reason and not reason:
        raise ValidationError(
            {"comment": [_("“%(action)s”需要填写原因。") % {"action": action}]}, code="required"
        )
    no_evidence_reason = (no_evidence_reason or "").strip()
    if action == workflow.Action.SUBMIT:
        completion_claim_check(task=locked, no_evidence_reason=no_evidence_reason)
    before = locked.status
    task_bump(locked, _apply(locked, transition))
    history_record(
        task=locked,
        actor=actor,
        action=action,
        field="status",
        from_value=before,
        to_value=locked.status,
        reason=reason,
    )
    if action == workflow.Action.SUBMIT:
        completion_claim_record(task=locked, actor=actor, no_evidence_reason=no_evidence_reason)
    if locked.status in workflow.CLOSED_STATUSES:
        extensions_withdraw_pending(task=locked, actor=actor)
    transition_notify(task=locked, actor=actor, action=action, reason=reason)
    return locked
