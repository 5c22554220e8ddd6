"""Who hears about each step of the 督查督办 loop (docs/supervision-loop.md):

  claim submitted (申请销号)          → the supervision office;
  claim returned (退回) / approved     → the lead department's leads and staff, the owner;
  extension requested                 → the supervision office;
  extension decided                   → the requester and the lead department's leads;
  督办单 issued / sent back            → the lead department's leads and the owner;
  督办单 answered (反馈)               → the supervision office;
  leader instruction (领导批示)        → the lead department's leads and the supervision office.

Always only people who can still see the task, never the person who took the step.
"""

from __future__ import annotations

from tasks_app.inbox.audience import supervisor_ids, task_department_ids
from tasks_app.inbox.notify import task_notify, task_params
from tasks_app.models import ExtensionRequest, Task, User
from tasks_app.workflow import rules as workflow


def leads_and_owner(task: Task) -> list[int]:
    return [*task_department_ids(task), task.owner_id]


def department_and_owner(task: Task) -> list[int]:
    return [*task_department_ids(task, staff=True), task.owner_id]


def transition_notify(*, task: Task, actor: User, action: str, reason: str) -> None:
    """Claims submitted, returned and approved; other transitions tell no one."""
    params = task_params(task, actor, reason=reason)
    if action == workflow.Action.SUBMIT:
        kind, recipients = "claim_submitted", supervisor_ids()
    elif action == workflow.Action.RETURN:
        kind, recipients = "claim_returned", department_and_owner(task)
    elif action == workflow.Action.APPROVE:
        kind, recipients = "claim_approved", department_and_owner(task)
    else:
        return
    task_notify(
        task=task,
        kind=kind,
        params=params,
        recipient_ids=recipients,
        actor=actor,
        payload={"action": action},
    )


def _extension_params(task: Task, actor: User | None, request: ExtensionRequest) -> dict:
    return task_params(
        task,
        actor,
        old=request.old_due_date,
        new=request.new_due_date,
        reason=request.reason,
        comment=request.decision_comment,
    )


def extension_requested_notify(*, task: Task, actor: User, request: ExtensionRequest) -> None:
    task_notify(
        task=task,
        kind="extension_requested",
        params=_extension_params(task, actor, request),
        recipient_ids=supervisor_ids(),
        actor=actor,
        payload={"extension_request": request.pk, "status": request.status},
    )


def extension_decided_notify(*, task: Task, actor: User, request: ExtensionRequest) -> None:
    approved = request.status == ExtensionRequest.Status.APPROVED
    # The kind API clients already know; the template says which way it went.
    params = _extension_params(task, actor, request)
    params["template"] = "extension_approved" if approved else "extension_rejected"
    task_notify(
        task=task,
        kind="extension_decision",
        params=params,
        recipient_ids=[request.requested_by_id, *task_department_ids(task)],
        actor=actor,
        payload={"extension_request": request.pk, "status": request.status},
    )


def extension_withdrawn_notify(*, task: Task, request: ExtensionRequest) -> None:
    task_notify(
        task=task,
        kind="extension_withdrawn",
        params=_extension_params(task, None, request),
        recipient_ids=[request.requested_by_id, *supervisor_ids()],
        payload={"extension_request": request.pk, "status": request.status},
    )
