"""The per-task state a rollup counts, materialized once per build.

Every task metric of a rollup (rollups/metrics.py) reads the same few values per task:
the status, progress and deadline that stood at the cutoff (from its history,
rollups/as_of.py), the earliest milestone still open then, the deadline in force, and
the lead department's first report of each report period of the quarter. Written as
annotations, each reference to one of them repeats its correlated subqueries
(PostgreSQL evaluates a subquery once per reference and row, not once per row), and a
rollup refers to them ~60 times per task. So a build computes them once per task into a
temporary table (RollupTaskState) with one CREATE TEMPORARY TABLE … AS SELECT (the
milestone and report values as grouped subqueries joined to the tasks: set-based),
aggregates over its plain columns, and drops it, all inside its transaction. A constant
number of statements whatever the number of tasks or plans (docs/performance-rollups.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import Case, DateField, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from tasks_app.models import (
    ExtensionRequest,
    Milestone,
    Plan,
    ProgressReport,
    RollupTaskState,
    Task,
)
from tasks_app.rollups.as_of import raw_state_then
from tasks_app.rollups.quarters import Quarter

MAX_REPORT_PERIODS = 3
# Columns of RollupTaskState that come from grouped subqueries joined to the tasks.
JOINED = ("milestone_then", "report_first_at_1", "report_first_at_2", "report_first_at_3")
TABLE = RollupTaskState._meta.db_table


def deadline_in_force(late_extensions: QuerySet, late_ids: QuerySet | None = None) -> Any:
    """The deadline in force (rollups/metrics.py's rule): the replaced date of the first
    extension approved after that date, else the current due date.

    `late_extensions` is correlated to the row (OuterRef); with `late_ids` (the same
    extensions' row ids, uncorrelated: a hashed subplan, read once) the correlated
    subquery runs only for the rows that have such an extension (a handful)."""
    approved_late = Q(
        status=ExtensionRequest.Status.APPROVED, decided_at__date__gt=F("old_due_date")
    )
    first_late = (
        late_extensions.filter(approved_late)
        .order_by()
        .values("status")
        .annotate(first=Min("old_due_date"))
        .values("first")
    )
    value = Coalesce(Subquery(first_late), F("due_date"))
    if late_ids is None:
        return value
    return Case(
        When(pk__in=late_ids.filter(approved_late), then=value),
        default=F("due_date"),
        output_field=DateField(),
    )


def state_queryset(plans: Sequence[Plan], *, cutoff: dt.datetime) -> QuerySet[Task]:
    """One row per task of `plans` (archived ones left out): RollupTaskState's columns
    but the joined ones (JOINED)."""
    task_extensions = ExtensionRequest.objects.filter(milestone__isnull=True)
    late = task_extensions.filter(task=OuterRef("pk"))
    ids = [p.pk for p in plans]
    tasks = Task.objects.filter(plan__in=ids, is_archived=False)
    then = raw_state_then(cutoff, Task.objects.filter(plan__in=ids).values("pk"))
    del then["milestone_then"]  # joined: milestone_query
    tasks = tasks.annotate(
        **then,
        completed_then=Case(When(completed_at__lt=cutoff, then="completed_at"), default=None),
        deadline_in_force=deadline_in_force(
            late, task_extensions.filter(task__plan__in=ids).values("task_id")
        ),
    )
    columns = [f.column for f in RollupTaskState._meta.concrete_fields]
    return tasks.order_by().values(*(c for c in columns if c not in JOINED))


def milestone_query(plans: Sequence[Plan], *, cutoff: dt.datetime) -> QuerySet[Milestone]:
    """(task_id, first): each task's earliest milestone still open at `cutoff`."""
    open_then = Q(completed_at__isnull=True) | Q(completed_at__gte=cutoff)
    return (
        Milestone.objects.filter(open_then, task__plan__in=[p.pk for p in plans])
        .order_by()
        .values("task_id")
        .annotate(first=Min("due_date"))
    )


def report_query(plans: Sequence[Plan], *, period: str) -> QuerySet[ProgressReport]:
    """(task_id, department_id, first): when each department's first report of the
    period came (cadence.report_status_for's report_first_at, for all tasks at once)."""
    return (
        ProgressReport.objects.filter(period=period, task__plan__in=[p.pk for p in plans])
        .order_by()
        .values("task_id", "department_id")
        .annotate(first=Min("created_at"))
    )


@contextlib.contextmanager
def materialized_state(
    plans: Sequence[Plan], *, quarter: Quarter, cutoff: dt.datetime
) -> Iterator[QuerySet[RollupTaskState]]:
    """RollupTaskState rows for `plans`, in a temporary table for the block's duration:
    one CREATE TABLE … AS SELECT of the tasks LEFT JOINed to their earliest open
    milestone and to each report period's first report (grouped subqueries, each read
    once: set-based, no per-task subquery).

    Must run inside a transaction (the build's): the table is dropped at the end of the
    block, or with the transaction when the block fails."""
    periods = quarter.report_periods()
    if len(periods) > MAX_REPORT_PERIODS:
        raise ValueError(f"more than {MAX_REPORT_PERIODS} report periods in {quarter}")
    sql, params = state_queryset(plans, cutoff=cutoff).query.sql_with_params()
    params = list(params)
    joins = []
    milestones, m_params = milestone_query(plans, cutoff=cutoff).query.sql_with_params()
    joins.append(f"LEFT JOIN ({milestones}) m ON m.task_id = s.id")
    params += m_params
    selected = ["m.first AS milestone_then"]
    for n in range(1, MAX_REPORT_PERIODS + 1):
        if n > len(periods):
            selected.append(f"NULL AS report_first_at_{n}")
            continue
        reports, r_params = report_query(plans, period=periods[n - 1]).query.sql_with_params()
        joins.append(
            f"LEFT JOIN ({reports}) r{n}"
            f" ON r{n}.task_id = s.id AND r{n}.department_id = s.lead_department_id"
        )
        params += r_params
        selected.append(f"r{n}.first AS report_first_at_{n}")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TABLE} AS SELECT s.*, {', '.join(selected)}"
            f" FROM ({sql}) s {' '.join(joins)}",
            params,
        )
    yield RollupTaskState.objects.all()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")
