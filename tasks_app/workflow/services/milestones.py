"""Milestones (节点): a lead or supervisor adds a checkpoint, or confirms one is met."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import Conflict, ValidationError
from tasks_app.models import Milestone, Task, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.task_writes import (
    history_record,
    now,
    require,
    task_bump,
    task_lock,
)

TITLE_MAX_CHARS = 200


class MilestoneNotOpen(Conflict):
    default_detail = gettext_lazy("该节点已完成，或为最终节点（随任务审核销号完成）。")
    default_code = "milestone_not_open"


@transaction.atomic
def milestone_create(*, task: Task, actor: User, title: str, due_date: dt.date) -> Milestone:
    """A checkpoint within the plan year and not after the task's due date."""
    locked = task_lock(task=task)
    require(actor=actor, task=locked, capability=workflow.Capability.ADD_MILESTONE)
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX_CHARS:
        raise ValidationError({"title": [_("请填写节点名称（200字以内）。")]}, code="invalid")
    if due_date.year != locked.plan.year or due_date > locked.due_date:
        raise ValidationError(
            {
                "due_date": [
                    _("节点时限须在%(year)s年内且不晚于任务完成时限（%(due)s）。")
                    % {"year": locked.plan.year, "due": locked.due_date.isoformat()}
                ]
            },
            code="out_of_range",
        )
    last = Milestone.objects.filter(task=locked).aggregate(last=Max("sequence"))["last"] or 0
    milestone = Milestone.objects.create(
        task=locked,
        sequence=last + 1,
        title=title,
        due_date=due_date,
        original_due_date=due_date,
        is_final=False,
    )
    task_bump(locked, [])  # the flag may change: clients must refetch
    history_record(
        task=locked,
        actor=actor,
        action="milestone_add",
        field=f"milestone:{milestone.pk}",
        to_value=due_date,
        reason=title,
    )
    return milestone


@transaction.atomic
def milestone_complete(*, task: Task, actor: User, milestone: Milestone) -> Milestone:
    """Confirm a non-final checkpoint is met (the final one completes with the task)."""
    locked = task_lock(task=task)
    require(actor=actor, task=locked, capability=workflow.Capability.COMPLETE_MILESTONE)
    row = Milestone.objects.select_for_update().get(pk=milestone.pk, task=locked)
    if row.completed_at is not None or row.is_final:
        raise MilestoneNotOpen()
    row.completed_at = now()
    row.save(update_fields=["completed_at", "updated_at"])
    task_bump(locked, [])
    history_record(
        task=locked,
        actor=actor,
        action="milestone_complete",
        field=f"milestone:{row.pk}",
        from_value=None,
        to_value=row.completed_at,
        reason=row.title,
    )
    return row
