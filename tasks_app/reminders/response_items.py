"""Reminder items for answers the department owes: an open 督办单 or an unanswered
领导批示 past its response deadline climbs the ladder like any overdue item (owner and
leads, then the supervision office, then district leaders) — never another 督办单."""

from __future__ import annotations

import datetime as dt

from tasks_app.models import LeaderInstruction, SupervisionNotice
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.registry import register_provider
from tasks_app.workflow.flags import NOT_CHASED_STATUSES

NOTICE_RESPONSE = "supervision_notice"
INSTRUCTION_RESPONSE = "leader_instruction"


@register_provider
def notice_responses(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    """Open notices whose response deadline has passed. One query. (Not "due soon": the
    notice itself told them the deadline, and a notice issued by today's run must not
    change what a repeated run of the same day finds.)"""
    rows = (
        SupervisionNotice.objects.filter(
            kind="notice",
            status=SupervisionNotice.Status.OPEN,
            respond_by__lt=today,
            task__is_archived=False,
        )
        .exclude(task__status__in=NOT_CHASED_STATUSES)
        .order_by()
        .values_list(
            "id", "task_id", "task__code", "task__title", "respond_by", "department_id",
            "task__owner_id",
        )
    )  # fmt: skip
    return [
        ReminderItem(
            kind=NOTICE_RESPONSE,
            object_id=notice_id,
            period="",
            title=f"{code} {title}",
            due_date=respond_by,
            department_id=department_id,
            owner_id=owner_id,
            task_id=task_id,
        )
        for notice_id, task_id, code, title, respond_by, department_id, owner_id in rows
    ]


@register_provider
def instruction_responses(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    """Leader instructions not answered by their deadline. One query."""
    rows = (
        LeaderInstruction.objects.filter(
            responded_at__isnull=True, respond_by__lt=today, task__is_archived=False
        )
        .exclude(task__status__in=NOT_CHASED_STATUSES)
        .order_by()
        .values_list(
            "id", "task_id", "task__code", "task__title", "respond_by",
            "task__lead_department_id", "task__owner_id",
        )
    )  # fmt: skip
    return [
        ReminderItem(
            kind=INSTRUCTION_RESPONSE,
            object_id=instruction_id,
            period="",
            title=f"{code} {title}",
            due_date=respond_by,
            department_id=department_id,
            owner_id=owner_id,
            task_id=task_id,
        )
        for instruction_id, task_id, code, title, respond_by, department_id, owner_id in rows
    ]
