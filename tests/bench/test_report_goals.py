"""bench/report.py judges issue 18's goals: each comparison on a fake results dict, so a
wrong sign, a wrong factor or a wrong key would turn a row's verdict."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bench import report


def _ep(p95: float, sql: float | None = None, *, queries: int = 5, page10: int | None = 5) -> dict:
    ep: dict[str, Any] = {
        "http": {"median_ms": p95 / 2, "p95_ms": p95, "errors": 0},
        "queries": queries,
        "same_rows": True,
        "rows": 3,
    }
    if sql is not None:
        ep["sql"] = {"median_ms": sql / 2, "p95_ms": sql}
    if page10 is not None:
        ep["queries_page_10"] = page10
    return ep


def _scale(tasks: int, *, reminders_s: float, city_s: float, inserts: int = 4) -> dict:
    endpoints = {name: _ep(7.0, 2.0) for name in report.ENDPOINT_LABELS}
    endpoints["floor"] = _ep(4.0, page10=None)
    endpoints["me_work"] = {
        **_ep(9.0, 2.5, page10=None, queries=9),
        "orm_sql": {"median_ms": 1, "p95_ms": 3.0, "statements": 7},
    }
    return {
        "tasks": tasks,
        "endpoints": endpoints,
        "throughput": {
            "floor": {"rps": 1600, "errors": 0, "tool": "wrk", "connections": 4, "p95_ms": 3},
            "task_detail": {"rps": 1100, "errors": 0, "tool": "wrk", "connections": 4, "p95_ms": 4},
            "tasks_mine": {"rps": 300, "errors": 0, "tool": "wrk", "connections": 4, "p95_ms": 20},
            "report_post": {
                "rps": 120,
                "requests": 1800,
                "ok": 1800,
                "errors": 0,
                "tool": "wrk",
                "connections": 4,
                "p95_ms": 40,
                "targets": 64,
                "written": {"reports": 1800, "history": 1800, "notifications": 900},
            },
        },
        "reminders": {
            "seconds": reminders_s,
            "queries": 21,
            "inserts": inserts,
            "peak_rss_mb": 250,
        },
        "rollup_city": {"seconds": city_s, "queries": 480, "plans": 16, "plan_tasks": tasks},
        "rollup": {"seconds": city_s / 16, "queries": 30, "plan_tasks": tasks // 16},
        "outbox": {
            "deliveries": 100,
            "received": 100,
            "distinct": 100,
            "duplicates": 0,
            "sent_rows": 100,
            "by_status": {"sent": 100},
            "seconds": 1.0,
            "enqueue_s": 0.1,
            "per_s": 100.0,
            "workers": 4,
            "exactly_once": True,
        },
    }


@pytest.fixture
def results() -> dict:
    return {
        "scales": {
            "small": _scale(10_000, reminders_s=1.2, city_s=0.5),
            "large": _scale(100_000, reminders_s=12.0, city_s=4.0),
        },
        "import": {"seconds": 3.0, "queries": 500},
    }


def _verdict(results: dict, prefix: str) -> bool | None:
    rows = [r for r in report.build_rows(results) if r["what"].startswith(prefix)]
    assert len(rows) == 1, [r["what"] for r in rows]
    return rows[0]["met"]


def test_the_sql_budget_is_the_floor_plus_twice_the_sql() -> None:
    assert report.sql_budget_ms(4.0, 2.0) == 8.0
    assert report.within_sql_budget(8.0, 4.0, 2.0)
    assert not report.within_sql_budget(8.01, 4.0, 2.0)
    # not "3× SQL" any more: 3 × 2 = 6 < 7 ≤ 4 + 2 × 2
    assert report.within_sql_budget(7.0, 4.0, 2.0)


def test_all_goals_met_on_a_good_run(results: dict) -> None:
    rows = report.build_rows(results)
    missed = [r["what"] for r in rows if r["met"] is False]
    assert missed == []
    summary = report.summary_line(rows, 600)
    assert summary.startswith("bench: ") and "not met" not in summary


@pytest.mark.parametrize(
    ("change", "prefix"),
    [
        # endpoint p95 just over floor (4) + 2 × SQL (2) = 8 at the large scale
        (
            lambda r: r["large"]["endpoints"]["tasks_mine"]["http"].update(p95_ms=8.5),
            "GET /tasks/ (department lead's own): median",
        ),
        # the floor is the large scale's: a slower small floor changes nothing, a faster
        # large one does
        (
            lambda r: r["large"]["endpoints"]["floor"]["http"].update(p95_ms=1.0),
            "GET /tasks/{id}/ (supervisor): median",
        ),
        (
            lambda r: r["large"]["endpoints"]["tasks_sync"].update(queries=6),
            "GET /tasks/?updated_since=1 day (lead's sync): queries",
        ),
        (
            lambda r: r["large"]["endpoints"]["tasks_sync"]["http"].update(p95_ms=51.0),
            "sync of one day's changes",
        ),
        (
            lambda r: r["large"]["endpoints"]["me_work"].update(queries=10),
            "GET /me/work/ (department lead): queries",
        ),
        (lambda r: r["large"]["throughput"]["floor"].update(rps=1499), "floor, GET /me/: req/s"),
        (lambda r: r["large"]["throughput"]["task_detail"].update(rps=999), "task detail: req/s"),
        (
            lambda r: r["large"]["throughput"]["tasks_mine"].update(errors=1),
            "task list, 50 per page: req/s",
        ),
        (
            lambda r: r["large"]["throughput"]["report_post"].update(rps=99.9),
            "progress-report POST",
        ),
        (
            lambda r: r["large"]["throughput"]["report_post"]["written"].update(notifications=0),
            "progress-report POST",
        ),
        (
            lambda r: r["large"]["throughput"]["report_post"]["written"].update(history=1799),
            "progress-report POST",
        ),
        (lambda r: r["large"]["reminders"].update(seconds=15.1), "reminder run, whole city: time"),
        # the same statements but more INSERT batches at the larger scale: not constant
        (lambda r: r["large"]["reminders"].update(inserts=40), "reminder run: queries"),
        (lambda r: r["large"]["reminders"].update(peak_rss_mb=301), "reminder run: peak memory"),
        (lambda r: r["large"]["rollup_city"].update(seconds=5.01), "rollup, city (16"),
        (lambda r: r["large"]["rollup_city"].update(queries=481), "rollup, city: queries"),
        (lambda r: r["large"]["rollup"].update(seconds=4.0), "rollup, one district: time"),
        (lambda r: r["large"]["outbox"].update(duplicates=1, exactly_once=False), "outbox: each"),
    ],
)
def test_each_goal_turns_when_missed(results: dict, change: Any, prefix: str) -> None:
    assert _verdict(results, prefix) is True
    changed = copy.deepcopy(results)
    change(changed["scales"])
    assert _verdict(changed, prefix) is False
    assert prefix.split(":")[0] in report.summary_line(report.build_rows(changed), 60)


def test_goals_met_exactly_at_the_limit(results: dict) -> None:
    large = results["scales"]["large"]
    large["endpoints"]["tasks_red"]["http"]["p95_ms"] = 8.0  # = 4 + 2 × 2
    large["throughput"]["tasks_mine"]["rps"] = report.LIST_RPS_MIN
    large["reminders"]["seconds"] = report.REMINDERS_SECONDS_MAX
    large["rollup_city"]["seconds"] = report.CITY_ROLLUP_SECONDS_MAX
    assert _verdict(results, "GET /tasks/?flag=red (supervisor): median") is True
    assert _verdict(results, "task list, 50 per page: req/s") is True
    assert _verdict(results, "reminder run, whole city: time") is True
    assert _verdict(results, "rollup, city (16") is True


def test_rows_whose_sql_differs_are_not_judged(results: dict) -> None:
    large = results["scales"]["large"]
    large["endpoints"]["indicators"]["same_rows"] = False
    large["endpoints"]["indicators"]["http"]["p95_ms"] = 100.0
    assert _verdict(results, "GET /indicators/: median") is None


def test_me_work_is_judged_on_its_hand_written_sql(results: dict) -> None:
    large = results["scales"]["large"]
    assert _verdict(results, "GET /me/work/ (department lead): median") is True  # 9 ≤ 4 + 5
    row = next(r for r in report.build_rows(results) if r["what"].startswith("GET /me/work/"))
    assert "its own 7 statements replayed: p95 3.0 ms" in row["note"]
    large["endpoints"]["me_work"]["http"]["p95_ms"] = 9.5
    assert _verdict(results, "GET /me/work/ (department lead): median") is False


def test_a_failed_post_run_or_outbox_is_not_met(results: dict) -> None:
    large = results["scales"]["large"]
    large["throughput"]["report_post"] = {"error": "wrk not installed"}
    large["outbox"] = {"error": "celery worker did not start"}
    assert _verdict(results, "progress-report POST") is False
    assert _verdict(results, "outbox: each") is False
    assert _verdict(results, "outbox: deliveries/s") is None
