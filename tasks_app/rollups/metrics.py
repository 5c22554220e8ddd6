"""Rollup metrics as database aggregates, grouped by plan, chapter or lead department.

Definitions (all for one plan and one quarter; `as_of` = the quarter's last day, or today
while the quarter is still running):
- tasks by status, average progress (cancelled excluded), red items: each task's state
  as of `as_of`, reconstructed from history (rollups/as_of.py): nothing later counts;
- completed on time: completed no later than the deadline that stood when the task fell
  due. An extension approved on or before the date it replaced moves the deadline; one
  approved after that date (the task was already late) does not: the deadline in force
  is then the replaced date of the first such late extension. Same rule for milestones;
- overdue: not completed/cancelled/suspended and the deadline in force before `as_of`;
- milestones due / on time: intermediate and final milestones whose deadline in force
  falls within the quarter, and of those, completed no later than it;
- progress reports on time / late / missing: the lead department's monthly reports for
  the periods due within the quarter (Quarter.report_periods), judged at `as_of`;
- reminders sent (ledger rows), urges and notices issued, extensions granted: events
  dated within the quarter.
Every function runs a constant number of queries, whatever the number of tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from plantracker import clock
from tasks_app.models import (
    ExtensionRequest,
    Milestone,
    Plan,
    ReminderDispatch,
    SupervisionNotice,
    Task,
    TaskStatus,
)
from tasks_app.rollups.as_of import status_then, tasks_as_of
from tasks_app.rollups.quarters import Quarter
from tasks_app.workflow.cadence import (
    IN,
    LATE,
    MISSING,
    NOT_REQUIRED,
    NOT_REQUIRED_STATUSES,
    period_last_day,
    report_status_for,
)
from tasks_app.workflow.flags import NOT_CHASED_STATUSES, RED

PLAN_KEY = "plan"
Table = dict[Any, dict[str, Any]]

TASK_GROUP = {"plan": None, "chapter": "chapter_id", "department": "lead_department_id"}
MILESTONE_GROUP = {
    "plan": None,
    "chapter": "task__chapter_id",
    "department": "task__lead_department_id",
}
EVENT_GROUP = {"plan": None, "chapter": "task__chapter_id", "department": "department_id"}
EXTENSION_GROUP = {
    "plan": None,
    "chapter": "task__chapter_id",
    "department": "task__lead_department_id",
}


@dataclass(frozen=True)
class Scope:
    plan: Plan
    quarter: Quarter
    as_of: dt.date

    @property
    def as_of_end(self) -> dt.datetime:
        """The first instant after `as_of` in the district's time zone."""
        after = self.as_of + dt.timedelta(days=1)
        end = dt.datetime.combine(after, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
        if self.as_of >= clock.today():
            # The running quarter: nothing after now has happened yet, so `now` changes
            # nothing in production; under the demo clock (PLANTRACKER_TODAY) the real
            # timestamps of the demo's activity lie after the demo date, and they count.
            return max(end, timezone.now())
        return end


def grouped(queryset: QuerySet, field: str | None, aggregates: dict[str, Any]) -> Table:
    """{group key: {name: value}}; the whole queryset under PLAN_KEY when field is None."""
    if field is None:
        return {PLAN_KEY: queryset.aggregate(**aggregates)}
    rows = queryset.order_by().values(field).annotate(**aggregates)
    return {row.pop(field): row for row in rows}


def _deadline_in_force(late_extensions: QuerySet) -> Coalesce:
    first_late = (
        late_extensions.filter(
            status=ExtensionRequest.Status.APPROVED, decided_at__date__gt=F("old_due_date")
        )
        .order_by()
        .values("status")
        .annotate(first=Min("old_due_date"))
        .values("first")
    )
    return Coalesce(Subquery(first_late), F("due_date"))


# A task withdrawn from the plan text by a re-import (import_plan) is not the plan's any
# more from then on: left out of a rollup whose quarter ended after its withdrawal.
COUNTED_STATUSES = [s for s in TaskStatus.values if s != TaskStatus.WITHDRAWN]


def _counted_tasks(scope: Scope) -> QuerySet[Task]:
    """The plan's tasks with their status as of the quarter's end (`status_then`)."""
    return (
        Task.objects.filter(plan=scope.plan, is_archived=False)
        .annotate(status_then=status_then(scope.as_of_end))
        .exclude(status_then=TaskStatus.WITHDRAWN)
    )


def task_metrics(scope: Scope, level: str) -> Table:
    """Counts over each task's state as of the quarter's last day (rollups/as_of.py)."""
    late = ExtensionRequest.objects.filter(task=OuterRef("pk"), milestone__isnull=True)
    tasks = (
        tasks_as_of(
            Task.objects.filter(plan=scope.plan, is_archived=False),
            as_of=scope.as_of,
            cutoff=scope.as_of_end,
        )
        .exclude(status_then=TaskStatus.WITHDRAWN)
        .annotate(deadline_in_force=_deadline_in_force(late))
    )
    aggregates: dict[str, Any] = {
        "tasks_total": Count("id"),
        **{f"tasks_{s}": Count("id", filter=Q(status_then=s)) for s in COUNTED_STATUSES},
        "completed_on_time": Count(
            "id",
            filter=Q(
                status_then=TaskStatus.COMPLETED,
                completed_then__date__lte=F("deadline_in_force"),
            ),
        ),
        "overdue": Count(
            "id",
            filter=Q(deadline_in_force__lt=scope.as_of) & ~Q(status_then__in=NOT_CHASED_STATUSES),
        ),
        "red_items": Count("id", filter=Q(flag_then=RED)),
        "avg_progress": Avg("progress_then", filter=~Q(status_then=TaskStatus.CANCELLED)),
    }
    return grouped(tasks, TASK_GROUP[level], aggregates)


def milestone_metrics(scope: Scope, level: str) -> Table:
    late = ExtensionRequest.objects.filter(milestone=OuterRef("pk"))
    milestones = (
        Milestone.objects.filter(task__plan=scope.plan, task__is_archived=False)
        .exclude(task__status__in=(TaskStatus.CANCELLED, TaskStatus.WITHDRAWN))
        .annotate(deadline_in_force=_deadline_in_force(late))
        .filter(
            deadline_in_force__gte=scope.quarter.start, deadline_in_force__lte=scope.quarter.end
        )
    )
    aggregates = {
        "milestones_due": Count("id"),
        "milestones_on_time": Count("id", filter=Q(completed_at__date__lte=F("deadline_in_force"))),
    }
    return grouped(milestones, MILESTONE_GROUP[level], aggregates)


def report_metrics(scope: Scope, level: str) -> Table:
    """One query per report period of the quarter (three)."""
    cutoff = scope.as_of_end
    # A report is owed by the status the task had then (a task closed later still owed it).
    tasks = _counted_tasks(scope)
    table: Table = defaultdict(lambda: defaultdict(int))
    for period in scope.quarter.report_periods():
        annotated = report_status_for(tasks, period=period, today=scope.as_of)
        arrived_late = Q(report_status=LATE, report_first_at__lt=cutoff)
        arrived_after = Q(report_status=LATE, report_first_at__gte=cutoff)
        closed_later = Q(report_status=NOT_REQUIRED, start_date__lte=period_last_day(period)) & ~Q(
            status_then__in=NOT_REQUIRED_STATUSES
        )
        aggregates = {
            "reports_on_time": Count("id", filter=Q(report_status=IN)),
            "reports_late": Count("id", filter=arrived_late),
            "reports_missing": Count(
                "id", filter=Q(report_status=MISSING) | arrived_after | closed_later
            ),
        }
        for key, values in grouped(annotated, TASK_GROUP[level], aggregates).items():
            for name, value in values.items():
                table[key][name] += value
    for values in table.values():
        values["reports_expected"] = sum(
            values[n] for n in ("reports_on_time", "reports_late", "reports_missing")
        )
    return table


def activity_metrics(scope: Scope, level: str) -> Table:
    """Reminders (ledger rows), urges and notices, approved extensions in the quarter."""
    start, end = scope.quarter.start, scope.quarter.end
    table: Table = defaultdict(lambda: defaultdict(int))
    sources = [
        (
            ReminderDispatch.objects.filter(run_date__range=(start, end)).filter(
                Q(task__plan=scope.plan) | Q(task__isnull=True)
            ),
            EVENT_GROUP,
            {"reminders_sent": Count("id")},
        ),
        (
            SupervisionNotice.objects.filter(
                task__plan=scope.plan, created_at__date__range=(start, end)
            ),
            EVENT_GROUP,
            {
                "urges_issued": Count("id", filter=Q(kind="urge")),
                "notices_issued": Count("id", filter=Q(kind="notice")),
            },
        ),
        (
            ExtensionRequest.objects.filter(
                task__plan=scope.plan,
                status=ExtensionRequest.Status.APPROVED,
                decided_at__date__range=(start, end),
            ),
            EXTENSION_GROUP,
            {"extensions_granted": Count("id")},
        ),
    ]
    for queryset, groups, aggregates in sources:
        for key, values in grouped(queryset, groups[level], aggregates).items():
            table[key].update(values)
    return table
