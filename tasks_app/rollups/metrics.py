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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, Count, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from plantracker import clock
from tasks_app.models import (
    ExtensionRequest,
    Milestone,
    Plan,
    ReminderDispatch,
    RollupTaskState,
    SupervisionNotice,
    TaskStatus,
)
from tasks_app.rollups.as_of import flag_then
from tasks_app.rollups.quarters import Quarter
from tasks_app.rollups.state import deadline_in_force, materialized_state
from tasks_app.workflow.cadence import (
    IN,
    LATE,
    MISSING,
    NOT_REQUIRED,
    NOT_REQUIRED_STATUSES,
    PENDING,
    period_deadline,
    period_due_date,
    period_last_day,
)
from tasks_app.workflow.flags import NOT_CHASED_STATUSES, RED

PLAN_KEY = "plan"
Table = dict[Any, dict[str, Any]]


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


FineKey = tuple[Any, Any, Any]  # (plan id, chapter id, department id); None: not known
FineRows = list[tuple[FineKey, dict[str, Any]]]
# Helper sums from which avg_progress is computed once the rows are added up.
PROGRESS_SUM, PROGRESS_N = "_progress_sum", "_progress_n"
REPORT_NAMES = ("reports_on_time", "reports_late", "reports_missing")


def _fine(queryset: QuerySet, plan: str, chapter: str, department: str, aggregates) -> FineRows:
    """Aggregates grouped by (plan, chapter, department): the finest grain every level
    is a sum of (counts add up; the average is carried as a sum and a count)."""
    rows = (
        queryset.order_by()
        .values(g_plan=F(plan), g_chapter=F(chapter), g_department=F(department))
        .annotate(**aggregates)
    )
    return [
        ((row.pop("g_plan"), row.pop("g_chapter"), row.pop("g_department")), row) for row in rows
    ]


# A task withdrawn from the plan text by a re-import (import_plan) is not the plan's any
# more from then on: left out of a rollup whose quarter ended after its withdrawal.
COUNTED_STATUSES = [s for s in TaskStatus.values if s != TaskStatus.WITHDRAWN]


def _counted(states: QuerySet[RollupTaskState]) -> QuerySet[RollupTaskState]:
    return states.exclude(status_then=TaskStatus.WITHDRAWN)


def task_rows(states: QuerySet[RollupTaskState], scope: Scope) -> FineRows:
    """Counts over each task's state as of the quarter's last day (rollups/as_of.py)."""
    tasks = _counted(states).annotate(**flag_then(scope.as_of))
    not_cancelled = ~Q(status_then=TaskStatus.CANCELLED)
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
        PROGRESS_SUM: Sum("progress_then", filter=not_cancelled),
        PROGRESS_N: Count("progress_then", filter=not_cancelled),
    }
    return _fine(tasks, "plan_id", "chapter_id", "lead_department_id", aggregates)


def milestone_rows(plans: Sequence[Plan], scope: Scope) -> FineRows:
    late = ExtensionRequest.objects.filter(milestone=OuterRef("pk"))
    late_ids = ExtensionRequest.objects.filter(task__plan__in=plans, milestone__isnull=False)
    milestones = (
        Milestone.objects.filter(task__plan__in=plans, task__is_archived=False)
        .exclude(task__status__in=(TaskStatus.CANCELLED, TaskStatus.WITHDRAWN))
        .annotate(deadline_in_force=deadline_in_force(late, late_ids.values("milestone_id")))
        .filter(
            deadline_in_force__gte=scope.quarter.start, deadline_in_force__lte=scope.quarter.end
        )
    )
    aggregates = {
        "milestones_due": Count("id"),
        "milestones_on_time": Count("id", filter=Q(completed_at__date__lte=F("deadline_in_force"))),
    }
    return _fine(
        milestones, "task__plan_id", "task__chapter_id", "task__lead_department_id", aggregates
    )


def report_status(n: int, period: str, *, today: dt.date) -> Case:
    """The lead department's report status for the quarter's n-th period, as of `today`,
    from the state's first-report column: the rule of workflow.cadence.report_status_for
    (whose SQL reads the reports per task) over the materialized column."""
    first_at = f"report_first_at_{n}"
    return Case(
        When(**{f"{first_at}__lt": period_deadline(period)}, then=Value(IN)),
        When(**{f"{first_at}__isnull": False}, then=Value(LATE)),
        When(
            Q(status__in=NOT_REQUIRED_STATUSES) | Q(start_date__gt=period_last_day(period)),
            then=Value(NOT_REQUIRED),
        ),
        default=Value(MISSING if today > period_due_date(period) else PENDING),
        output_field=CharField(),
    )


def report_rows(states: QuerySet[RollupTaskState], scope: Scope) -> FineRows:
    """The lead departments' monthly reports for the quarter's periods, one statement
    over the tasks' state (each period's first report is a column: rollups/state.py)."""
    cutoff = scope.as_of_end
    aggregates: dict[str, Any] = {}
    statuses: dict[str, Case] = {}
    # A report is owed by the status the task had then (a task closed later still owed it).
    for n, period in enumerate(scope.quarter.report_periods(), start=1):
        status, first_at = f"report_status_{n}", f"report_first_at_{n}"
        statuses[status] = report_status(n, period, today=scope.as_of)
        arrived_late = Q(**{status: LATE, f"{first_at}__lt": cutoff})
        arrived_after = Q(**{status: LATE, f"{first_at}__gte": cutoff})
        closed_later = Q(**{status: NOT_REQUIRED, "start_date__lte": period_last_day(period)}) & ~Q(
            status_then__in=NOT_REQUIRED_STATUSES
        )
        aggregates |= {
            f"reports_on_time__{n}": Count("id", filter=Q(**{status: IN})),
            f"reports_late__{n}": Count("id", filter=arrived_late),
            f"reports_missing__{n}": Count(
                "id", filter=Q(**{status: MISSING}) | arrived_after | closed_later
            ),
        }
    if not aggregates:
        return []
    counted = _counted(states).annotate(**statuses)
    rows = _fine(counted, "plan_id", "chapter_id", "lead_department_id", aggregates)
    summed: FineRows = []
    for key, values in rows:
        totals = dict.fromkeys(REPORT_NAMES, 0)
        for name, value in values.items():
            totals[name.split("__")[0]] += value
        summed.append((key, totals))
    return summed


def activity_rows(plans: Sequence[Plan], scope: Scope) -> FineRows:
    """Reminders (ledger rows), urges and notices, approved extensions in the quarter.
    A reminder of no task (plan None) counts in every plan's rollup."""
    start, end = scope.quarter.start, scope.quarter.end
    rows: FineRows = []
    rows += _fine(
        ReminderDispatch.objects.filter(run_date__range=(start, end)).filter(
            Q(task__plan__in=plans) | Q(task__isnull=True)
        ),
        "task__plan_id",
        "task__chapter_id",
        "department_id",
        {"reminders_sent": Count("id")},
    )
    rows += _fine(
        SupervisionNotice.objects.filter(
            task__plan__in=plans, created_at__date__range=(start, end)
        ),
        "task__plan_id",
        "task__chapter_id",
        "department_id",
        {
            "urges_issued": Count("id", filter=Q(kind="urge")),
            "notices_issued": Count("id", filter=Q(kind="notice")),
        },
    )
    rows += _fine(
        ExtensionRequest.objects.filter(
            task__plan__in=plans,
            status=ExtensionRequest.Status.APPROVED,
            decided_at__date__range=(start, end),
        ),
        "task__plan_id",
        "task__chapter_id",
        "task__lead_department_id",
        {"extensions_granted": Count("id")},
    )
    return rows


def _add(target: dict[str, Any], values: dict[str, Any]) -> None:
    for name, value in values.items():
        target[name] = target.get(name, 0) + (value or 0)


def roll_up(rows: FineRows, plan_ids: Sequence[int]) -> dict[int, dict[str, Table]]:
    """{plan id: {level: Table}} from fine rows: each level's key is a sum of them."""
    tables: dict[int, dict[str, Table]] = {
        pk: {"plan": {PLAN_KEY: {}}, "chapter": defaultdict(dict), "department": defaultdict(dict)}
        for pk in plan_ids
    }
    for (plan, chapter, department), values in rows:
        for pk in plan_ids if plan is None else (plan,):
            levels = tables[pk]
            _add(levels["plan"][PLAN_KEY], values)
            if chapter is not None:
                _add(levels["chapter"][chapter], values)
            if department is not None:
                _add(levels["department"][department], values)
    for levels in tables.values():
        for table in levels.values():
            for values in table.values():
                total, count = values.pop(PROGRESS_SUM, 0), values.pop(PROGRESS_N, 0)
                values["avg_progress"] = Decimal(total) / Decimal(count) if count else None
                if any(name in values for name in REPORT_NAMES):
                    values["reports_expected"] = sum(values.get(n, 0) for n in REPORT_NAMES)
    return tables


def plan_tables(
    plans: Sequence[Plan], *, quarter: Quarter, as_of: dt.date
) -> dict[int, dict[str, Table]]:
    """Every metric of tasks_app for `plans` (one quarter, one as_of), {plan id: {level:
    Table}}, in a constant number of statements whatever the number of tasks or plans."""
    if not plans:
        return {}
    scope = Scope(plan=plans[0], quarter=quarter, as_of=as_of)
    cutoff = scope.as_of_end
    rows: FineRows = []
    with materialized_state(plans, quarter=quarter, cutoff=cutoff) as states:
        rows += task_rows(states, scope)
        rows += report_rows(states, scope)
    rows += milestone_rows(plans, scope)
    rows += activity_rows(plans, scope)
    return roll_up(rows, [p.pk for p in plans])
