"""task_urge: a supervisor's manual reminder (催办) or formal supervision notice (督办单)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from plantracker.errors import ValidationError
from tasks_app.inbox.notifications import notification_create
from tasks_app.models import Membership, SupervisionNotice, Task, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.task_writes import history_record, require

COMMENT_MAX_CHARS = 2000


def urge_recipients(task: Task) -> list[User]:
    """The task's owner and the lead department's leads, each once."""
    leads = Q(memberships__department=task.lead_department_id) & Q(
        memberships__role=Membership.DeptRole.LEAD
    )
    owner = Q(pk=task.owner_id) if task.owner_id else Q(pk__in=[])
    return list(User.objects.filter(leads | owner, is_active=True).distinct().order_by("pk"))


@transaction.atomic
def task_urge(*, task: Task, actor: User, comment: str, notice: bool = False) -> SupervisionNotice:
    """Record the notice against the lead department, notify owner and leads, log history."""
    require(actor=actor, task=task, capability=workflow.Capability.URGE)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("请填写催办事由。")]}, code="required")
    if len(comment) > COMMENT_MAX_CHARS:
        raise ValidationError({"comment": [_("内容过长。")]}, code="max_length")
    kind = "notice" if notice else "urge"
    record = SupervisionNotice.objects.create(
        task=task,
        department_id=task.lead_department_id,
        issued_by=actor,
        kind=kind,
        reason=comment,
    )
    title = _("督办单") if notice else _("催办")
    for recipient in urge_recipients(task):
        notification_create(
            recipient=recipient,
            kind="supervision_notice" if notice else "urge",
            title=f"{title}：{task.code} {task.title}"[:200],
            body=comment,
            task=task,
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
