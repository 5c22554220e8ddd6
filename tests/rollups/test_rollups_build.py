"""2025 Q3 rollup of the small plan in tests.rollups.support, against numbers counted by
hand; frozen against later changes; a rebuild is version 2."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks_app.models import Rollup, RollupRow, Task
from tasks_app.rollups.build import RollupError, rollup_build, rollup_build_previous_quarter
from tasks_app.rollups.columns import METRIC_FIELDS
from tasks_app.rollups.quarters import Quarter
from tasks_app.rollups.scoring import competition_ranks

BUILT_ON = dt.date(2025, 10, 1)  # the scheduled build, the morning after the quarter

# Counted by hand from the table in tests/rollups/support.py.
EXPECTED = {
    ("plan", "plan"): {
        "tasks_total": 7, "tasks_completed": 3, "tasks_in_progress": 2, "tasks_not_started": 1,
        "tasks_cancelled": 1, "tasks_pending_review": 0, "tasks_suspended": 0,
        "completed_on_time": 2,  # T1, T2 (extended in time); not T3 (extended late)
        "overdue": 1,  # T4
        "red_items": 2,  # T4 (past due), T5 (64 points behind)
        "avg_progress": Decimal("58.3"),  # (100+100+100+40+10+0)/6, T6 cancelled
        "milestones_due": 5,  # T1#1, T2#1, T4#1, T5#1, T5#2 (in force 08-15)
        "milestones_on_time": 1,  # T1#1
        "reports_expected": 6, "reports_on_time": 2, "reports_late": 1, "reports_missing": 3,
        "reminders_sent": 4, "urges_issued": 1, "notices_issued": 1, "extensions_granted": 3,
        "indicators_total": 2, "indicators_expected": 1, "indicators_binding": 1,
        "indicators_on_track": 1, "indicators_not_assessed": 1,
        "indicators_at_risk": 0, "indicators_off_track": 0,
    },
    ("chapter", "1"): {
        "tasks_total": 4, "tasks_completed": 3, "tasks_not_started": 1, "completed_on_time": 2,
        "overdue": 0, "red_items": 0, "avg_progress": Decimal("75.0"),
        "milestones_due": 2, "milestones_on_time": 1, "reports_expected": 0,
        "reminders_sent": 0, "extensions_granted": 2, "indicators_total": 0,
    },
    ("chapter", "2"): {
        "tasks_total": 3, "tasks_in_progress": 2, "tasks_cancelled": 1, "completed_on_time": 0,
        "overdue": 1, "red_items": 2, "avg_progress": Decimal("25.0"),
        "milestones_due": 3, "milestones_on_time": 0,
        "reports_expected": 6, "reports_on_time": 2, "reports_late": 1, "reports_missing": 3,
        "reminders_sent": 3, "urges_issued": 1, "notices_issued": 1, "extensions_granted": 1,
    },
    ("department", "da"): {
        "tasks_total": 4, "tasks_completed": 2, "tasks_in_progress": 1, "tasks_not_started": 1,
        "completed_on_time": 2, "overdue": 0, "red_items": 1, "avg_progress": Decimal("52.5"),
        "milestones_due": 4, "milestones_on_time": 1,
        "reports_expected": 3, "reports_on_time": 1, "reports_late": 0, "reports_missing": 2,
        "reminders_sent": 2, "urges_issued": 1, "notices_issued": 0, "extensions_granted": 2,
        "indicators_total": 1, "indicators_expected": 1, "indicators_not_assessed": 1,
        "score": Decimal("99.0"), "rank": 1,  # 100 - (2×1 red + 1×2 missing) / 4 tasks
    },
    ("department", "db"): {
        "tasks_total": 3, "tasks_completed": 1, "tasks_in_progress": 1, "tasks_cancelled": 1,
        "completed_on_time": 0, "overdue": 1, "red_items": 1, "avg_progress": Decimal("70.0"),
        "milestones_due": 1, "milestones_on_time": 0,
        "reports_expected": 3, "reports_on_time": 1, "reports_late": 1, "reports_missing": 1,
        "reminders_sent": 1, "urges_issued": 0, "notices_issued": 1, "extensions_granted": 1,
        "indicators_total": 0,
        # 100 - (2×1 red + 3×1 notice + 1×1 missing) / 2 tasks (the cancelled one not led)
        "score": Decimal("97.0"), "rank": 2,
    },
    ("department", "dc"): {
        "tasks_total": 0, "reminders_sent": 1, "indicators_total": 1, "indicators_binding": 1,
        "indicators_on_track": 1, "score": Decimal("100.0"), "rank": None,  # leads no task
    },
}  # fmt: skip


def _snapshot(rollup: Rollup) -> dict[tuple[str, str], dict]:
    fields = [*METRIC_FIELDS, "score", "rank", "name", "position"]
    return {
        (row.level, row.key): {f: getattr(row, f) for f in fields}
        for row in RollupRow.objects.filter(rollup=rollup)
    }


@pytest.mark.django_db
def test_q3_matches_the_numbers_counted_by_hand(mini):
    rollup = rollup_build(year=2025, quarter=3, today=BUILT_ON)
    assert (rollup.version, rollup.as_of) == (1, dt.date(2025, 9, 30))
    rows = _snapshot(rollup)
    assert set(rows) == set(EXPECTED)
    for key, expected in EXPECTED.items():
        actual = {name: rows[key][name] for name in expected}
        assert actual == expected, key
    assert rows[("chapter", "1")]["name"] == "（一）经济发展"
    assert rows[("department", "da")]["name"] == "甲局"
    assert [rows[("department", k)]["position"] for k in ("da", "db", "dc")] == [1, 2, 3]
    assert rollup.settings_used["ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE"] == 3.0


@pytest.mark.django_db
def test_a_frozen_rollup_ignores_later_changes_and_a_rebuild_is_version_2(mini):
    first = rollup_build(year=2025, quarter=3, today=BUILT_ON)
    frozen = _snapshot(first)
    Task.objects.filter(code="T4").update(
        status="completed", progress=100, completed_at=timezone.now()
    )
    Task.objects.filter(code="T7").delete()
    assert _snapshot(first) == frozen
    second = rollup_build(year=2025, quarter=3, today=BUILT_ON)
    assert second.version == 2 and second.pk != first.pk
    rebuilt = _snapshot(second)
    assert rebuilt[("plan", "plan")]["tasks_completed"] == 4
    assert rebuilt[("plan", "plan")]["tasks_total"] == 6
    assert _snapshot(first) == frozen  # version 1 is still what was published


@pytest.mark.django_db
def test_the_scheduled_build_covers_the_quarter_just_closed_once(mini):
    rollup_id = rollup_build_previous_quarter(today=BUILT_ON)
    rollup = Rollup.objects.get(pk=rollup_id)
    assert (rollup.year, rollup.quarter, rollup.version) == (2025, 3, 1)
    assert rollup_build_previous_quarter(today=BUILT_ON) == rollup_id  # redelivered: no v2
    q4 = Rollup.objects.get(pk=rollup_build_previous_quarter(today=dt.date(2026, 1, 1)))
    assert (q4.year, q4.quarter, q4.as_of) == (2025, 4, dt.date(2025, 12, 31))
    assert rollup_build_previous_quarter(today=dt.date(2026, 4, 1)) is None  # no 2026 plan


def test_quarters():
    assert Quarter(2025, 3).report_periods() == ["2025-06", "2025-07", "2025-08"]
    assert Quarter(2025, 1).report_periods() == ["2024-12", "2025-01", "2025-02"]
    assert (Quarter(2025, 4).start, Quarter(2025, 4).end) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert Quarter.of(dt.date(2026, 1, 1)).previous() == Quarter(2025, 4)


def test_ties_share_a_rank():
    scores = {"a": Decimal(90), "b": Decimal(95), "c": Decimal(90), "d": Decimal(80)}
    assert competition_ranks(scores) == {"b": 1, "a": 2, "c": 2, "d": 4}


@pytest.mark.django_db
def test_unknown_plan_or_quarter_is_refused(mini):
    with pytest.raises(RollupError):
        rollup_build(year=2031, quarter=1)
    with pytest.raises(RollupError):
        rollup_build(year=2025, quarter=5)


@pytest.mark.django_db
def test_build_rollup_command(mini):
    out = StringIO()
    call_command("build_rollup", "--year", "2025", "--quarter", "3", stdout=out)
    assert "2025Q3 v1" in out.getvalue() and "6 rows" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("build_rollup", "--year", "2031", "--quarter", "3")


@pytest.mark.django_db
def test_build_queries_do_not_grow_with_the_number_of_tasks(mini):
    with CaptureQueriesContext(connection) as small:
        rollup_build(year=2025, quarter=3, today=BUILT_ON)
    template = mini.tasks["T5"]
    Task.objects.bulk_create(
        Task(
            plan=mini.plan, chapter=template.chapter, measure=template.measure, code=f"X{n}",
            sentence_no=100 + n, text="x", title=f"批量{n}", start_date=dt.date(2025, 1, 1),
            lead_department=mini.a if n % 2 else mini.b, due_date=dt.date(2025, 8, 1),
            original_due_date=dt.date(2025, 8, 1), status="in_progress", progress=n % 100,
        )
        for n in range(200)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        second = rollup_build(year=2025, quarter=3, today=BUILT_ON)
    assert len(large.captured_queries) == len(small.captured_queries) <= 45
    plan_row = RollupRow.objects.get(rollup=second, level="plan")
    assert (plan_row.tasks_total, plan_row.overdue) == (207, 201)


@pytest.mark.django_db
def test_the_real_2025_plan_adds_up(plan):
    rollup = rollup_build(year=2025, quarter=3, today=BUILT_ON)
    rows = RollupRow.objects.filter(rollup=rollup)
    plan_row = rows.get(level="plan")
    chapters = rows.filter(level="chapter")
    departments = rows.filter(level="department")
    assert plan_row.tasks_total == 81 == plan_row.tasks_not_started
    assert sum(r.tasks_total for r in chapters) == 81 == sum(r.tasks_total for r in departments)
    assert chapters.count() == 6
    assert (plan_row.indicators_total, plan_row.indicators_expected) == (21, 12)
    assert plan_row.indicators_binding == 9
    assert sum(r.indicators_total for r in departments) == 21
    ranked = sorted(r.rank for r in departments if r.tasks_total)
    assert ranked[0] == 1 and all(r.rank is None for r in departments if not r.tasks_total)
    # Nothing was reported in the imported plan: every expected report is missing.
    assert plan_row.reports_missing == plan_row.reports_expected > 0
