"""The scheduled build of every plan of the year (rollup_build_previous_quarter) computes
all plans' metrics in one pass (tasks_app.rollups.metrics.plan_tables): each plan's
rollup equals the one rollup_build makes for that plan alone, and the number of
statements does not grow with the number of tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.models import (
    Chapter,
    Department,
    IssuingBody,
    Measure,
    Plan,
    Rollup,
    RollupRow,
    Task,
)
from tasks_app.rollups.build import rollup_build, rollup_build_previous_quarter
from tasks_app.rollups.columns import METRIC_FIELDS
from tests.rollups.support import D, _report, at

BUILT_ON = dt.date(2025, 10, 1)


def _snapshot(rollup: Rollup) -> dict[tuple[str, str], dict]:
    fields = [*METRIC_FIELDS, "score", "rank", "name", "position", "department_id"]
    return {
        (row.level, row.key): {f: getattr(row, f) for f in fields}
        for row in RollupRow.objects.filter(rollup=rollup)
    }


def _second_plan(clerk) -> tuple[Plan, Measure, Department]:
    body = IssuingBody.objects.create(code="tongzhou", name="通州区")
    plan = Plan.objects.create(year=2025, title="通州计划2025", body=body)
    dept = Department.objects.create(code="tz1", name="通州甲局", body=body)
    chapter = Chapter.objects.create(plan=plan, number=1, title="城市副中心")
    measure = Measure.objects.create(chapter=chapter, number=1, title="举措", text="举措。")
    for n, (status, progress, due) in enumerate(
        [("completed", 100, D(2025, 9, 1)), ("in_progress", 30, D(2025, 9, 20))], start=1
    ):
        task = Task.objects.create(
            plan=plan, chapter=chapter, measure=measure, code=f"Z{n}", sentence_no=n,
            text="z", title=f"通州任务{n}", lead_department=dept, start_date=D(2025, 1, 1),
            due_date=due, original_due_date=due, status=status, progress=progress,
            completed_at=at(D(2025, 8, 30)) if status == "completed" else None,
        )  # fmt: skip
        _report(task, dept, clerk, "2025-07", at(D(2025, 8, 3)))  # on time
    return plan, measure, dept


@pytest.mark.django_db
def test_each_plan_of_the_city_build_equals_its_own_build(mini):
    tongzhou, _measure, _dept = _second_plan(mini.clerk)
    rollup_build_previous_quarter(today=BUILT_ON)
    for plan in (mini.plan, tongzhou):
        together = Rollup.objects.get(plan=plan, year=2025, quarter=3, version=1)
        alone = rollup_build(year=2025, quarter=3, plan=plan, today=BUILT_ON)
        assert alone.version == 2
        assert _snapshot(together) == _snapshot(alone)
    rows = _snapshot(Rollup.objects.get(plan=tongzhou, version=1))
    plan_row = rows[("plan", "plan")]
    assert (plan_row["tasks_total"], plan_row["tasks_completed"], plan_row["overdue"]) == (2, 1, 1)
    # Z1: 07 on time (06, 08: closed, none owed); Z2: 07 on time, 06 and 08 missing.
    assert (plan_row["reports_on_time"], plan_row["reports_missing"]) == (2, 2)
    # The reminder of no task (an indicator's, support._activity) counts in every plan.
    assert plan_row["reminders_sent"] == 1
    mini_row = _snapshot(Rollup.objects.get(plan=mini.plan, version=1))[("plan", "plan")]
    assert (mini_row["tasks_total"], mini_row["reminders_sent"]) == (7, 4)


@pytest.mark.django_db
def test_the_city_build_statements_do_not_grow_with_the_number_of_tasks(mini):
    tongzhou, measure, dept = _second_plan(mini.clerk)
    with CaptureQueriesContext(connection) as small:
        rollup_build_previous_quarter(today=BUILT_ON)
    Rollup.objects.all().delete()
    Task.objects.bulk_create(
        Task(
            plan=tongzhou, chapter=measure.chapter, measure=measure, code=f"X{n}",
            sentence_no=100 + n, text="x", title=f"批量{n}", start_date=D(2025, 1, 1),
            lead_department=dept, due_date=D(2025, 8, 1), original_due_date=D(2025, 8, 1),
            status="in_progress", progress=n % 100,
        )
        for n in range(100)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        rollup_build_previous_quarter(today=BUILT_ON)
    assert len(large.captured_queries) == len(small.captured_queries)
    # One pass for both plans: the tasks' state is materialized once (rollups/state.py).
    creates = [q for q in large.captured_queries if "CREATE TEMPORARY TABLE" in q["sql"]]
    assert len(creates) == 1
    row = RollupRow.objects.get(rollup__plan=tongzhou, level="plan")
    assert (row.tasks_total, row.overdue) == (102, 101)
