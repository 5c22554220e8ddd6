"""Reminder items for 签收: a task still 未签收 ACKNOWLEDGE_WITHIN_WORKING_DAYS working days
after it was assigned (交办) climbs the ladder like an overdue item — the department's
leads, then the supervision office, then district leaders; never a 督办单."""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.utils import timezone

from tasks_app.models import Acknowledgement, Task
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.registry import register_provider
from tasks_app.workflow.flags import NOT_CHASED_STATUSES
from tasks_app.workflow.workdays import add_working_days

ACKNOWLEDGEMENT = "acknowledgement"


def acknowledge_within_working_days() -> int:
    return int(settings.PLANTRACKER.get("ACKNOWLEDGE_WITHIN_WORKING_DAYS", 3))


@functools.lru_cache(maxsize=1024)
def _deadline(assigned_on: dt.date, working_days: int) -> dt.date:
    return add_working_days(assigned_on, working_days)


@register_provider
def acknowledgements_due(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    """Tasks awaiting 签收 past their deadline. One query over the tasks awaiting 签收
    (a partial index keeps that set small); the deadline is computed per distinct day of
    assignment. The period is that day, so a reassignment is a new item."""
    days = acknowledge_within_working_days()
    rows = (
        Task.objects.filter(
            acknowledgement=Acknowledgement.PENDING,
            assigned_at__isnull=False,
            is_archived=False,
        )
        .exclude(status__in=NOT_CHASED_STATUSES)
        .order_by()
        .values_list("id", "code", "title", "assigned_at", "lead_department_id", "owner_id")
    )
    items = []
    for task_id, code, title, assigned_at, department_id, owner_id in rows:
        assigned_on = timezone.localtime(assigned_at).date()
        due = _deadline(assigned_on, days)
        if due >= today:
            continue
        items.append(
            ReminderItem(
                kind=ACKNOWLEDGEMENT,
                object_id=task_id,
                period=assigned_on.isoformat(),
                title=f"{code} {title}",
                due_date=due,
                department_id=department_id,
                owner_id=owner_id,
                task_id=task_id,
            )
        )
    return items
