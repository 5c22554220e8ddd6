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
import functools
import re
from collections.abc import Mapping
from types import MappingProxyType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, DateTimeField, QuerySet

from tasks_app.models import ProgressReport, Task
from tasks_app.models.plan import NOT_CHASED_STATUSES
from tasks_app.workflow.sql import (
    Dialect,
    Fragment,
    TaskSQL,
    attach,
    output_field,
    text,
    text_list,
    vendor_of,
)

IN, LATE, MISSING, PENDING, NOT_REQUIRED = "in", "late", "missing", "pending", "not_required"
REPORT_STATUSES = (IN, LATE, MISSING, PENDING, NOT_REQUIRED)
PERIOD_RE = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")
# No report is owed by a task that is not chased (closed, or suspended on purpose).
NOT_REQUIRED_STATUSES = NOT_CHASED_STATUSES


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
    """Annotate `report_period` and `report_status` for one period; `report_first_at` (when
    the lead department's first report for it came) is there to filter on (QuerySet.alias).

    One correlated subquery per row (index report_task_period), no Python loop; usable by
    the API (for last_closed_period(today)) and by reminders and rollups (any period).
    """
    fragments = report_fragments_for(period, today=today, vendor=vendor_of(tasks))
    first_at = fragments["report_first_at"]
    tasks = attach(tasks, {k: fragments[k] for k in ("report_period", "report_status")})
    return tasks.alias(
        report_first_at=TaskSQL(first_at.sql, output_field=output_field(first_at.field))
    )


def report_fragments_for(period: str, *, today: dt.date, vendor: str) -> Mapping[str, Fragment]:
    """report_period, report_status and report_first_at as SQL text, as of `today`."""
    return report_fragments(
        period,
        overdue=today > period_due_date(period),
        deadline=period_deadline(period),
        vendor=vendor,
    )


@functools.lru_cache(maxsize=64)
def report_fragments(
    period: str, *, overdue: bool, deadline: dt.datetime, vendor: str
) -> Mapping[str, Fragment]:
    """The same, keyed by exactly what the text depends on (the cache's key)."""
    d = Dialect(vendor)
    reports = (
        f"FROM {ProgressReport._meta.db_table} r WHERE r.task_id = {{t}}.id"
        f" AND r.period = {text(period)} AND r.department_id = {{t}}.lead_department_id"
    )
    # One subquery answers "in" / "late" / nothing yet; the rest is the task's own row.
    arrived = (
        f"SELECT CASE WHEN MIN(r.created_at) < {d.timestamp(deadline)} THEN '{IN}'"
        f" WHEN MIN(r.created_at) IS NOT NULL THEN '{LATE}' END {reports}"
    )
    not_required = (
        f"{{t}}.status IN {text_list(NOT_REQUIRED_STATUSES)}"
        f" OR {{t}}.start_date > {d.date(period_last_day(period))}"
    )
    status = (
        f"COALESCE(({arrived}), CASE WHEN {not_required} THEN '{NOT_REQUIRED}'"
        f" ELSE '{MISSING if overdue else PENDING}' END)"
    )
    return MappingProxyType(
        {
            "report_period": Fragment(text(period), CharField),
            "report_status": Fragment(status, CharField),
            "report_first_at": Fragment(f"SELECT MIN(r.created_at) {reports}", DateTimeField),
        }
    )
