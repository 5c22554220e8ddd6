"""Built-in reminder providers: task deadlines, milestones and monthly progress reports.

Each is one set-based query (reports: one per chased period, at most
REPORT_CHASE_MAX_PERIODS) whatever the number of tasks. Suspended, completed, cancelled
and archived tasks are never chased (flags.NOT_CHASED_STATUSES), nor any task of a
closed (结转) plan.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tasks_app.models import Milestone, PlanStatus, Task
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.registry import register_provider
from tasks_app.workflow.cadence import (
    MISSING,
    PENDING,
    period_due_date,
    period_of,
    previous_period,
    report_status_for,
)
from tasks_app.workflow.flags import NOT_CHASED_STATUSES

TASK_DEADLINE, MILESTONE, PROGRESS_REPORT = "task_deadline", "milestone", "progress_report"


def _chased_tasks() -> QuerySet[Task]:
    return Task.objects.filter(is_archived=False, plan__status=PlanStatus.OPEN).exclude(
        status__in=NOT_CHASED_STATUSES
    )


@register_provider
def task_deadlines(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    """Open tasks whose deadline is within the warning window or already passed."""
    rows = (
        _chased_tasks()
        .filter(due_date__lte=warn_until)
        .order_by()
        .values_list("id", "code", "title", "due_date", "lead_department_id", "owner_id")
    )
    return [
        ReminderItem(
            kind=TASK_DEADLINE,
            object_id=task_id,
            period="",
            title=f"{code} {title}",
            due_date=due,
            department_id=department_id,
            owner_id=owner_id,
            task_id=task_id,
        )
        for task_id, code, title, due, department_id, owner_id in rows
    ]


@register_provider
def milestones(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    """Open intermediate milestones (the final one is the task's deadline, chased above)."""
    rows = (
        Milestone.objects.filter(
            is_final=False,
            completed_at__isnull=True,
            due_date__lte=warn_until,
            task__in=_chased_tasks(),
        )
        .order_by()
        .values_list(
            "id",
            "title",
            "due_date",
            "task_id",
            "task__code",
            "task__title",
            "task__lead_department_id",
            "task__owner_id",
        )
    )
    return [
        ReminderItem(
            kind=MILESTONE,
            object_id=milestone_id,
            period="",
            title=f"{code} {task_title}：{title}",
            due_date=due,
            department_id=department_id,
            owner_id=owner_id,
            task_id=task_id,
        )
        for milestone_id, title, due, task_id, code, task_title, department_id, owner_id in rows
    ]


def chased_periods(*, warn_until: dt.date) -> list[str]:
    """The latest REPORT_CHASE_MAX_PERIODS periods whose report is due by `warn_until`.

    Older missing reports still count in rollups; they are no longer chased daily.
    """
    count = settings.PLANTRACKER["REPORT_CHASE_MAX_PERIODS"]
    period = period_of(warn_until)
    while period_due_date(period) > warn_until:
        period = previous_period(period)
    periods = []
    for _index in range(count):
        periods.append(period)
        period = previous_period(period)
    return periods


@register_provider
def progress_reports(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    """Monthly reports of the lead department that are due soon (pending) or missing."""
    items = []
    for period in chased_periods(warn_until=warn_until):
        rows = (
            report_status_for(_chased_tasks(), period=period, today=today)
            .filter(report_status__in=(MISSING, PENDING))
            .order_by()
            .values_list("id", "code", "title", "lead_department_id", "owner_id")
        )
        due = period_due_date(period)
        items.extend(
            ReminderItem(
                kind=PROGRESS_REPORT,
                object_id=task_id,
                period=period,
                title=_("%(code)s %(title)s：%(period)s 月度进展报告")
                % {"code": code, "title": title, "period": period},
                due_date=due,
                department_id=department_id,
                owner_id=owner_id,
                task_id=task_id,
            )
            for task_id, code, title, department_id, owner_id in rows
        )
    return items
