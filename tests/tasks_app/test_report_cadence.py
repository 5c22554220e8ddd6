"""Monthly progress-report cadence: periods, due days, and in / late / missing in SQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tasks_app.models import ProgressReport, Task, TaskStatus
from tasks_app.workflow import cadence as rc
from tests.api.tasks_support import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_periods_and_due_days(settings) -> None:
    assert rc.period_of(dt.date(2025, 7, 3)) == "2025-07"
    assert rc.previous_period("2025-01") == "2024-12"
    assert rc.next_period("2025-12") == "2026-01"
    assert rc.period_due_date("2025-06") == dt.date(2025, 7, 5)
    assert rc.period_due_date("2025-12") == dt.date(2026, 1, 5)
    settings.PLANTRACKER = {**settings.PLANTRACKER, "REPORT_DUE_DAY": 31}
    assert rc.period_due_date("2025-01") == dt.date(2025, 2, 28)  # capped at month end
    with pytest.raises(ValueError):
        rc.parse_period("2025-13")


def test_the_period_the_api_reports_on() -> None:
    assert rc.last_closed_period(dt.date(2025, 7, 5)) == "2025-05"  # June due today: open
    assert rc.last_closed_period(dt.date(2025, 7, 6)) == "2025-06"
    assert rc.last_closed_period(dt.date(2025, 7, 31)) == "2025-06"


def test_default_period_of_a_new_report() -> None:
    # Within last month's grace window and nothing filed for it yet: last month.
    assert rc.default_report_period(dt.date(2025, 7, 3), previous_reported=False) == "2025-06"
    assert rc.default_report_period(dt.date(2025, 7, 3), previous_reported=True) == "2025-07"
    assert rc.default_report_period(dt.date(2025, 7, 6), previous_reported=False) == "2025-07"


def _report(task: Task, author, period: str, at: dt.datetime, department=None) -> None:
    report = ProgressReport.objects.create(
        task=task,
        author=author,
        department=department or task.lead_department,
        period=period,
        percent=10,
        narrative="进展",
    )
    ProgressReport.objects.filter(pk=report.pk).update(created_at=at)


def _status(task: Task, period: str, today: dt.date) -> str:
    rows = rc.report_status_for(Task.objects.filter(pk=task.pk), period=period, today=today)
    return rows.values_list("report_status", flat=True).get()


def test_in_late_missing_pending(world: World) -> None:
    task, author = world.task, world.lead_lead
    assert _status(task, "2025-06", dt.date(2025, 7, 5)) == rc.PENDING
    assert _status(task, "2025-06", dt.date(2025, 7, 6)) == rc.MISSING
    # 23:59 on the due day in Beijing is in time; the UTC date is irrelevant.
    _report(task, author, "2025-06", dt.datetime(2025, 7, 5, 23, 59, tzinfo=SHANGHAI))
    assert _status(task, "2025-06", dt.date(2025, 7, 20)) == rc.IN
    _report(task, author, "2025-05", dt.datetime(2025, 6, 6, 0, 1, tzinfo=SHANGHAI))
    assert _status(task, "2025-05", dt.date(2025, 7, 20)) == rc.LATE


def test_only_the_lead_departments_report_counts(world: World) -> None:
    at = dt.datetime(2025, 7, 1, 9, tzinfo=SHANGHAI)
    _report(world.task, world.co_lead, "2025-06", at, department=world.co_dept)
    assert _status(world.task, "2025-06", dt.date(2025, 7, 10)) == rc.MISSING


def test_not_required_for_closed_or_not_yet_started_tasks(world: World) -> None:
    Task.objects.filter(pk=world.task.pk).update(status=TaskStatus.COMPLETED)
    assert _status(world.task, "2025-06", dt.date(2025, 7, 10)) == rc.NOT_REQUIRED
    Task.objects.filter(pk=world.task.pk).update(
        status=TaskStatus.IN_PROGRESS, start_date=dt.date(2025, 8, 1)
    )
    assert _status(world.task, "2025-06", dt.date(2025, 7, 10)) == rc.NOT_REQUIRED
    assert _status(world.task, "2025-08", dt.date(2025, 9, 10)) == rc.MISSING


def test_one_query_for_the_whole_plan(world: World, django_assert_num_queries) -> None:
    tasks = rc.report_status_for(Task.objects.all(), period="2025-06", today=dt.date(2025, 7, 10))
    with django_assert_num_queries(1):
        statuses = set(tasks.values_list("report_status", flat=True))
    assert statuses == {rc.MISSING}
