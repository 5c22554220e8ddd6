"""Quarterly rollups: build a frozen, versioned snapshot; queue and run build jobs.

rollup_build copies every metric (tasks_app.rollups.metrics, database aggregates) into
RollupRow columns in one transaction. Nothing in a snapshot refers back to live rows, so
later task changes never alter it; building the same quarter again makes version n + 1.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from plantracker import clock
from tasks_app.models import (
    Chapter,
    Department,
    Plan,
    PlanStatus,
    Rollup,
    RollupJob,
    RollupLevel,
    RollupRow,
)
from tasks_app.models.org import DEFAULT_BODY_CODE
from tasks_app.rollups.columns import METRIC_FIELDS
from tasks_app.rollups.metrics import PLAN_KEY, Scope, Table, plan_tables
from tasks_app.rollups.quarters import Quarter
from tasks_app.rollups.scoring import competition_ranks, department_score, score_rules
from tasks_app.rollups.sources import metric_sources

logger = logging.getLogger(__name__)

CN_NUMERALS = "一二三四五六七八九十"


class RollupError(ValueError):
    """A rollup cannot be built (no such plan, no such quarter)."""


def _plan_for(year: int, quarter: int, plan: Plan | None = None) -> Plan:
    """The plan to roll up: `plan` (which must be of `year`), else the default body's
    annual plan of `year`. A closed (结转) plan's rollups are frozen: none is built."""
    if quarter not in (1, 2, 3, 4):
        raise RollupError(_("季度须为1至4。"))
    if plan is None:
        plan = (
            Plan.objects.filter(year=year, body__code=DEFAULT_BODY_CODE)
            .order_by("kind", "pk")
            .first()
        )
    elif plan.year != year:
        plan = None
    if plan is None:
        raise RollupError(_("%(year)s年度没有计划。") % {"year": year})
    if plan.status == PlanStatus.CLOSED:
        raise RollupError(_("该计划已结转关闭，季度汇总已冻结。"))
    return plan


def _level_table(scope: Scope, level: str, tables: dict[str, Table]) -> Table:
    """tasks_app's metrics of the level (plan_tables), plus other apps' sources."""
    table: Table = defaultdict(dict)
    for key, values in tables[level].items():
        table[key].update(values)
    for source in metric_sources():  # other apps: indicators_app's counts
        for key, values in source(scope, level).items():
            if key is not None:
                table[key].update(values)
    return table


def _row(rollup: Rollup, level: str, key: str, name: str, metrics: dict[str, Any]) -> RollupRow:
    values = {field: metrics.get(field) or 0 for field in METRIC_FIELDS}
    values["avg_progress"] = Decimal(str(round(float(values["avg_progress"]), 1)))
    return RollupRow(rollup=rollup, level=level, key=key, name=name, **values)


def _chapter_name(chapter: Chapter) -> str:
    number = chapter.number
    label = CN_NUMERALS[number - 1] if 1 <= number <= len(CN_NUMERALS) else str(number)
    return f"（{label}）{chapter.title}"


def _department_rows(rollup: Rollup, table: Table) -> list[RollupRow]:
    departments = Department.objects.filter(pk__in=list(table)).order_by("code")
    rows = [_row(rollup, RollupLevel.DEPARTMENT, d.code, d.name, table[d.pk]) for d in departments]
    rules = score_rules()
    ranked = {}
    for row, department in zip(rows, departments, strict=True):
        row.department_id = department.pk
        row.score = department_score(table[department.pk], rules)
        if row.tasks_total:
            ranked[row.key] = row.score
    ranks = competition_ranks(ranked)
    for row in rows:
        row.rank = ranks.get(row.key)
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.key))
    for position, row in enumerate(rows, start=1):
        row.position = position
    return rows


@transaction.atomic
def rollup_build(
    *,
    year: int,
    quarter: int,
    plan: Plan | None = None,
    built_by: Any = None,
    today: dt.date | None = None,
) -> Rollup:
    """Build and freeze the next version of the (plan, year, quarter) rollup. ~20 queries.

    Without `plan`: the default body's plan of `year`."""
    plan = _plan_for(year, quarter, plan)
    period = Quarter(year, quarter)
    as_of = min(period.end, today or clock.today())
    return _freeze(plan, period, as_of, built_by=built_by, tables=None)


def _freeze(
    plan: Plan,
    period: Quarter,
    as_of: dt.date,
    *,
    built_by: Any,
    tables: dict[str, Table] | None,
) -> Rollup:
    """Lock the plan, then write the next version with `tables` (plan_tables' entry for
    the plan, computed now when None). Inside the caller's transaction."""
    locked = Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one builder per plan
    if locked is None or locked.status == PlanStatus.CLOSED:  # closed while we waited
        raise RollupError(_("该计划已结转关闭，季度汇总已冻结。"))
    if tables is None:
        tables = plan_tables([plan], quarter=period, as_of=as_of)[plan.pk]
    year, quarter = period.year, period.quarter
    scope = Scope(plan=plan, quarter=period, as_of=as_of)
    latest = Rollup.objects.filter(plan=plan, year=year, quarter=quarter).aggregate(
        v=Max("version")
    )["v"]
    rollup = Rollup.objects.create(
        plan=plan,
        year=year,
        quarter=quarter,
        version=(latest or 0) + 1,
        as_of=as_of,
        built_by=built_by,
        settings_used=score_rules(),
    )
    chapters = Chapter.objects.filter(plan=plan).order_by("number")
    chapter_table = _level_table(scope, "chapter", tables)
    plan_row = _level_table(scope, "plan", tables)[PLAN_KEY]
    rows = [_row(rollup, RollupLevel.PLAN, PLAN_KEY, plan.title, plan_row)]
    for position, chapter in enumerate(chapters, start=1):
        row = _row(
            rollup,
            RollupLevel.CHAPTER,
            str(chapter.number),
            _chapter_name(chapter),
            chapter_table.get(chapter.pk, {}),
        )
        row.position = position
        rows.append(row)
    rows += _department_rows(rollup, _level_table(scope, "department", tables))
    RollupRow.objects.bulk_create(rows)
    return rollup


@transaction.atomic
def rollup_job_create(
    *, year: int, quarter: int, requested_by: Any, plan: Plan | None = None
) -> RollupJob:
    """Queue a build; the worker picks it up once this transaction commits."""
    plan = _plan_for(year, quarter, plan)
    job = RollupJob.objects.create(plan=plan, year=year, quarter=quarter, requested_by=requested_by)

    def enqueue() -> None:
        from tasks_app.tasks import rollup_build_job

        rollup_build_job.delay(job.pk)

    # robust: a broker outage must not turn the accepted request into a 500; the job
    # then stays "queued" and can be run with rollup_job_run / build_rollup.
    transaction.on_commit(enqueue, robust=True)
    return job


def rollup_job_run(*, job_id: int) -> int | None:
    """Run a queued job once: the build and the job's 'done' commit together, so a
    redelivered message finds the job done and builds nothing."""
    RollupJob.objects.filter(pk=job_id, status=RollupJob.Status.QUEUED).update(
        status=RollupJob.Status.RUNNING, started_at=timezone.now()
    )
    try:
        with transaction.atomic():
            job = RollupJob.objects.select_for_update().get(pk=job_id)
            if job.status == RollupJob.Status.DONE:
                return job.rollup_id
            rollup = rollup_build(
                year=job.year, quarter=job.quarter, plan=job.plan, built_by=job.requested_by
            )
            job.status, job.rollup, job.error = RollupJob.Status.DONE, rollup, ""
            job.finished_at = timezone.now()
            job.save()
            return rollup.pk
    except Exception as exc:
        logger.exception("rollup job %s failed", job_id)
        RollupJob.objects.filter(pk=job_id).update(
            status=RollupJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        if not isinstance(exc, RollupError):
            raise
        return None


def rollup_build_previous_quarter(*, today: dt.date) -> int | None:
    """The scheduled build for the quarter just closed, for every open plan of its year;
    once per quarter and plan (a redelivered message finds the rollup built after the
    close and reuses it). Returns the first plan's rollup id (by body code), or None."""
    period = Quarter.of(today).previous()
    plans = list(
        Plan.objects.filter(year=period.year, status=PlanStatus.OPEN).order_by(
            "body__code", "kind", "pk"
        )
    )
    if not plans:
        logger.info("no open plan for %s; nothing to roll up", period.year)
        return None
    built: dict[int, int] = {
        r.plan_id: r.pk
        for r in Rollup.objects.filter(
            plan__in=plans, year=period.year, quarter=period.quarter, as_of=period.end
        ).order_by("version")
    }
    to_build = [plan for plan in plans if plan.pk not in built]
    as_of = min(period.end, today)
    with transaction.atomic():  # the temporary table of the tasks' state lives in it
        # All plans' metrics in one pass (a constant number of statements), then each
        # plan's rollup frozen as its own version in its own transaction, as rollup_build.
        tables = plan_tables(to_build, quarter=period, as_of=as_of)
    for plan in to_build:
        with transaction.atomic():
            rollup = _freeze(plan, period, as_of, built_by=None, tables=tables[plan.pk])
        built[plan.pk] = rollup.pk
    return built[plans[0].pk]
