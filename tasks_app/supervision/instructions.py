"""领导批示 (leader instructions): a district leader writes an instruction on a task; the
lead department answers it within INSTRUCTION_RESPONSE_WORKING_DAYS working days (an
unanswered one is a reminder item, tasks_app/reminders/response_items.py). Both are
history events, so they stand out in the task's timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.inbox.audience import supervisor_ids, task_department_ids
from tasks_app.inbox.notify import task_notify, task_params
from tasks_app.models import LeaderInstruction, Task, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.task_writes import history_record, now, task_lock, today
from tasks_app.workflow.workdays import add_working_days


class InstructionAnswered(Conflict):
    default_detail = gettext_lazy("该批示已回复。")
    default_code = "instruction_answered"


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [_("请填写内容。")]}, code="required")
    if len(value) > limit:
        raise ValidationError({field: [_("内容过长。")]}, code="max_length")
    return value


@transaction.atomic
def instruction_create(*, task: Task, actor: User, text: str) -> LeaderInstruction:
    """A district leader's instruction; the department's leads and the office are told."""
    locked = task_lock(task=task)
    if workflow.Relation.LEADER not in workflow.relations(actor, locked):
        raise PermissionDenied(_("只有区领导可以作出批示。"))
    days = int(settings.PLANTRACKER.get("INSTRUCTION_RESPONSE_WORKING_DAYS", 5))
    instruction = LeaderInstruction.objects.create(
        task=locked,
        author=actor,
        text=_text(text, "text", 2000),
        respond_by=add_working_days(today(), days),
    )
    history_record(
        task=locked,
        actor=actor,
        action="leader_instruction",
        field="instruction",
        to_value={"instruction_id": instruction.pk, "respond_by": str(instruction.respond_by)},
        reason=instruction.text,
    )
    task_notify(
        task=locked,
        kind="leader_instruction",
        params=task_params(locked, actor, text=instruction.text, respond_by=instruction.respond_by),
        recipient_ids=[*task_department_ids(locked), *supervisor_ids()],
        actor=actor,
        payload={"instruction": instruction.pk},
    )
    return instruction


@transaction.atomic
def instruction_respond(
    *, instruction: LeaderInstruction, actor: User, text: str
) -> LeaderInstruction:
    """The lead department's answer; the leader and the office are told. Once only."""
    task = task_lock(task=instruction.task_id)
    if not workflow.relations(actor, task) & workflow.LEAD_DEPARTMENT:
        raise PermissionDenied(_("只有牵头部门可以回复批示。"))
    locked = LeaderInstruction.objects.select_for_update().get(pk=instruction.pk)
    if locked.responded_at is not None:
        raise InstructionAnswered()
    locked.response = _text(text, "text", 5000)
    locked.responded_by, locked.responded_at = actor, now()
    locked.save()
    history_record(
        task=task,
        actor=actor,
        action="instruction_response",
        field="instruction",
        to_value={"instruction_id": locked.pk},
        reason=locked.response,
    )
    task_notify(
        task=task,
        kind="instruction_answered",
        params=task_params(task, actor, text=locked.response),
        recipient_ids=[locked.author_id, *supervisor_ids()],
        actor=actor,
        payload={"instruction": locked.pk},
    )
    return locked
