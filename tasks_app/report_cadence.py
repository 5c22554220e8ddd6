"""Progress-report cadence: monthly periods ("YYYY-MM"), each due on a day of the next month.

For one task and one period the lead department's report is
  in           — a report for the period was created on or before the due day;
  late         — reports came in, but only after the due day;
  missing      — none yet and the due day has passed;
  pending      — none yet, the due day has not passed;
  not_required — none, and none is needed: the task starts after the period, or it is
                 completed, cancelled or suspended.
Only reports of the task's lead department count; co-departments' reports are their part.
The due day is settings.PLANTRACKER["REPORT_DUE_DAY"] (capped at the month's last day);
"on or before" is judged in the district's time zone (settings.TIME_ZONE).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from tasks_app.models import ProgressReport, Task, TaskStatus

IN, LATE, MISSING, PENDING, NOT_REQUIRED = "in", "late", "missing", "pending", "not_required"
REPORT_STATUSES = (IN, LATE, MISSING, PENDING, NOT_REQUIRED)
PERIOD_RE = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")
NOT_REQUIRED_STATUSES = (
    TaskStatus.COMPLETED,
    TaskStatus.CANCELLED,
    TaskStatus.SUSPENDED,
    TaskStatus.CARRIED_OVER,
)


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(period: str) -> tuple[int, int]:
    """(year, month) of "YYYY-MM"; ValueError otherwise."""
    match = PERIOD_RE.match(period or "")
    if not match:
        raise ValueError(f"not a YYYY-MM period: {period!r}")
    return int(match["year"]), int(match["month"])


def period_first_day(period: str) -> dt.date:
    year, month = parse_period(period)
    return dt.date(year, month, 1)


def period_last_day(period: str) -> dt.date:
    year, month = parse_period(period)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def previous_period(period: str) -> str:
    return period_of(period_first_day(period) - dt.timedelta(days=1))


def next_period(period: str) -> str:
    return period_of(period_last_day(period) + dt.timedelta(days=1))


def period_due_date(period: str) -> dt.date:
    """REPORT_DUE_DAY of the month after the period (the month's last day if shorter)."""
    following = period_first_day(next_period(period))
    last = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(settings.PLANTRACKER["REPORT_DUE_DAY"], last))


def period_deadline(period: str) -> dt.datetime:
    """The first instant after the due day, in the district's time zone."""
    after = period_due_date(period) + dt.timedelta(days=1)
    return dt.datetime.combine(after, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def last_closed_period(today: dt.date) -> str:
    """The latest period whose due day has passed: what the API reports on."""
    period = previous_period(period_of(today))
    while period_due_date(period) >= today:
        period = previous_period(period)
    return period


def default_report_period(today: dt.date, *, previous_reported: bool) -> str:
    """The period a new report is for when the client names none.

    The current month, except within last month's grace window (up to its due day)
    while the department has not reported for last month yet: then last month.
    """
    current = period_of(today)
    previous = previous_period(current)
    if today <= period_due_date(previous) and not previous_reported:
        return previous
    return current


def report_status_for(tasks: QuerySet[Task], *, period: str, today: dt.date) -> QuerySet[Task]:
    """Annotate `report_period`, `report_first_at` and `report_status` for one period.

    One correlated subquery per row (index report_task_period), no Python loop; usable by
    the API (for last_closed_period(today)) and by reminders (any period).
    """
    first_report = (
        ProgressReport.objects.filter(
            task=OuterRef("pk"), period=period, department=OuterRef("lead_department")
        )
        .order_by()
        .values("task")
        .annotate(first_at=Min("created_at"))
        .values("first_at")
    )
    deadline = period_deadline(period)
    return tasks.annotate(
        report_period=Value(period, output_field=CharField(max_length=7)),
        report_first_at=Subquery(first_report, output_field=DateTimeField()),
    ).annotate(
        report_status=Case(
            When(report_first_at__lt=deadline, then=Value(IN)),
            When(report_first_at__isnull=False, then=Value(LATE)),
            When(_not_required(period), then=Value(NOT_REQUIRED)),
            default=Value(MISSING if today > period_due_date(period) else PENDING),
            output_field=CharField(max_length=12),
        )
    )


def _not_required(period: str) -> Q:
    return Q(status__in=NOT_REQUIRED_STATUSES) | Q(start_date__gt=period_last_day(period))
