"""task_urge: a supervisor's manual reminder (催办) or formal supervision notice (督办单)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from plantracker.errors import ValidationError
from tasks_app.inbox.audience import task_department_ids, who_sees
from tasks_app.inbox.notify import task_notify, task_params
from tasks_app.models import SupervisionNotice, Task, User
from tasks_app.supervision.notices import notice_issued_notify, notice_open_create
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.task_writes import history_record, require, task_lock

COMMENT_MAX_CHARS = 2000


def urge_recipients(task: Task) -> list[User]:
    """The task's owner and the lead department's leads, each once, while they can still
    see the task (an owner moved to another department no longer hears of it)."""
    ids = who_sees(task, [task.owner_id, *task_department_ids(task)])
    return sorted(User.objects.filter(pk__in=ids), key=lambda user: user.pk)


@transaction.atomic
def task_urge(*, task: Task, actor: User, comment: str, notice: bool = False) -> SupervisionNotice:
    """Record the urge or notice against the lead department, notify the owner and leads
    (a notice: with its response deadline; 409 notice_open while one is open), log history."""
    task = task_lock(task=task)  # one open 督办单 per task: decided under the lock
    require(actor=actor, task=task, capability=workflow.Capability.URGE)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("请填写催办事由。")]}, code="required")
    if len(comment) > COMMENT_MAX_CHARS:
        raise ValidationError({"comment": [_("内容过长。")]}, code="max_length")
    kind = "notice" if notice else "urge"
    if notice:
        record = notice_open_create(task=task, actor=actor, reason=comment)
        notice_issued_notify(task=task, notice=record, actor=actor)
    else:
        record = SupervisionNotice.objects.create(
            task=task,
            department_id=task.lead_department_id,
            issued_by=actor,
            kind=kind,
            reason=comment,
            status=SupervisionNotice.Status.CLOSED,  # an urge has nothing to answer
        )
        task_notify(
            task=task,
            kind="urge",
            params=task_params(task, actor, reason=comment),
            recipient_ids=[user.pk for user in urge_recipients(task)],
            payload={"supervision_notice": record.pk, "kind": kind},
        )
    history_record(
        task=task,
        actor=actor,
        action=kind,
        field="supervision_notice",
        to_value=record.pk,
        reason=comment,
    )
    return record
