"""The per-task state a rollup counts, materialized once per build.

Every task metric of a rollup (rollups/metrics.py) reads the same few values per task:
the status, progress, deadline and open milestone that stood at the cutoff (from its
history, rollups/as_of.py), the deadline in force, and the lead department's report
status for each report period of the quarter. Written as annotations, each reference
to one of them repeats its correlated subqueries (PostgreSQL evaluates a subquery once
per reference and row, not once per row); a rollup refers to them ~60 times per task.
So a build computes them once per task into a temporary table (RollupTaskState) in one
INSERT … SELECT, aggregates over plain columns, and drops the table, all inside its
transaction. One statement per step whatever the number of tasks or plans.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence

from django.db import connection
from django.db.models import Case, F, Min, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from tasks_app.models import ExtensionRequest, Plan, RollupTaskState, Task
from tasks_app.rollups.as_of import raw_state_then
from tasks_app.rollups.quarters import Quarter
from tasks_app.workflow.cadence import report_fragments_for
from tasks_app.workflow.sql import Fragment, attach, vendor_of

MAX_REPORT_PERIODS = 3
TABLE = RollupTaskState._meta.db_table


def deadline_in_force(late_extensions: QuerySet) -> Coalesce:
    """The deadline in force (rollups/metrics.py's rule): the replaced date of the first
    extension approved after that date, else the current due date."""
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


def state_queryset(
    plans: Sequence[Plan], *, quarter: Quarter, as_of: dt.date, cutoff: dt.datetime
) -> QuerySet[Task]:
    """One row per task of `plans` (archived ones left out): RollupTaskState's columns."""
    late = ExtensionRequest.objects.filter(task=OuterRef("pk"), milestone__isnull=True)
    tasks = Task.objects.filter(plan__in=[p.pk for p in plans], is_archived=False)
    tasks = tasks.annotate(
        **raw_state_then(cutoff),
        completed_then=Case(When(completed_at__lt=cutoff, then="completed_at"), default=None),
        deadline_in_force=deadline_in_force(late),
    )
    periods = quarter.report_periods()
    if len(periods) > MAX_REPORT_PERIODS:
        raise ValueError(f"more than {MAX_REPORT_PERIODS} report periods in {quarter}")
    fragments: dict[str, Fragment] = {}
    vendor = vendor_of(tasks)
    for n in range(1, MAX_REPORT_PERIODS + 1):
        if n <= len(periods):
            f = report_fragments_for(periods[n - 1], today=as_of, vendor=vendor)
            fragments[f"report_status_{n}"] = f["report_status"]
            fragments[f"report_first_at_{n}"] = f["report_first_at"]
    tasks = attach(tasks, fragments)
    columns = [f.column for f in RollupTaskState._meta.concrete_fields]
    present = [c for c in columns if not c.startswith("report_") or c in fragments]
    return tasks.order_by().values(*present)


@contextlib.contextmanager
def materialized_state(
    plans: Sequence[Plan], *, quarter: Quarter, as_of: dt.date, cutoff: dt.datetime
) -> Iterator[QuerySet[RollupTaskState]]:
    """RollupTaskState rows for `plans`, in a temporary table for the block's duration.

    Must run inside a transaction (the build's): the table is dropped at the end of the
    block, or with the transaction when the block fails."""
    queryset = state_queryset(plans, quarter=quarter, as_of=as_of, cutoff=cutoff)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {TABLE} AS SELECT * FROM ({sql}) s", params)
    yield RollupTaskState.objects.all()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")
