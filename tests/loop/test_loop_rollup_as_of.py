"""A quarter's rollup shows the state as of the quarter's last day: a Q3 rollup built
after later events (completion, progress, an extension) equals the one built on 30 Sept."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tasks_app.models import Rollup, TaskStatus
from tasks_app.rollups.build import rollup_build
from tasks_app.rollups.columns import METRIC_FIELDS
from tasks_app.workflow.services.extensions import (
    extension_request_create,
    extension_request_decide,
)
from tasks_app.workflow.services.progress_reports import progress_report_create
from tasks_app.workflow.services.task_transition import task_transition
from tests.api.tasks_support import World
from tests.claims import claim_ready

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(clock, day: dt.date) -> None:
    clock.move_to(dt.datetime.combine(day, dt.time(10), SHANGHAI))


def snapshot(rollup: Rollup) -> dict:
    return {
        (row.level, row.key): [getattr(row, f) for f in (*METRIC_FIELDS, "score", "rank")]
        for row in rollup.rows.all()
    }


def test_a_late_build_equals_the_one_on_the_last_day(world: World, clock) -> None:
    lead, supervisor = world.lead_lead, world.supervisor
    at(clock, dt.date(2025, 8, 15))
    task_transition(task=world.task, actor=lead, action="start")
    progress_report_create(
        task=world.task, actor=lead, percent=40, narrative="完成初步设计", red_reason="征地滞后"
    )
    at(clock, dt.date(2025, 9, 30))
    on_time = rollup_build(year=2025, quarter=3)
    plan_row = on_time.rows.get(level="plan")
    assert plan_row.tasks_in_progress >= 1
    # Later: more progress, an extension past the year, completion.
    at(clock, dt.date(2025, 12, 10))
    request = extension_request_create(
        task=world.task, actor=lead, new_due_date=dt.date(2026, 3, 31), reason="冬季停工"
    )
    extension_request_decide(extension_request=request, actor=supervisor, approve=True)
    progress_report_create(
        task=world.task, actor=lead, percent=100, narrative="已完工", red_reason="节点待确认"
    )
    claim_ready(world.task, lead)
    task_transition(task=world.task, actor=lead, action="submit")
    task_transition(task=world.task, actor=supervisor, action="approve")
    world.task.refresh_from_db()
    assert world.task.status == TaskStatus.COMPLETED
    late = rollup_build(year=2025, quarter=3)
    assert late.version == on_time.version + 1 and late.as_of == dt.date(2025, 9, 30)
    before, after = snapshot(on_time), snapshot(late)
    fields = (*METRIC_FIELDS, "score", "rank")
    diff = {
        (key, fields[i]): (a, b)
        for key in before
        for i, (a, b) in enumerate(zip(before[key], after[key], strict=True))
        if a != b
    }
    assert diff == {}
    # While the current quarter counts the completion.
    q4 = rollup_build(year=2025, quarter=4).rows.get(level="plan")
    assert q4.tasks_completed == plan_row.tasks_completed + 1
