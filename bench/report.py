"""The benchmark's goals (issue 18), its one table (text and Markdown), the one-line summary.

Goals on the largest scale (100,000 tasks at scale 1), 2 gunicorn workers, one run:
- every read endpoint (GET /me/work/ included): p95 ≤ the floor's p95 + 2 × its own SQL's
  p95 (the hand-written SQL of bench/sql.py returning the same rows, measured in the same
  run); queries per request the same at both scales (and both page sizes);
- floor (GET /me/) ≥ 1,500 req/s, task detail ≥ 1,000 req/s, task list of 50 ≥ 250 req/s;
- a department lead's `updated_since` sync of one day's changes: p95 ≤ 50 ms;
- progress-report POST ≥ 100 req/s, every POST answered 2xx, history and notifications
  written;
- reminder run for the whole city ≤ 15 s, the same statements and INSERT batches at both
  scales, peak RSS ≤ 300 MB;
- city-wide rollup of the 16 districts ≤ 5 s; one district's rollup at most linear, its
  statements independent of size;
- outbox: deliveries/s with 4 worker processes (no figure to meet), each delivered
  exactly once.
"""

from __future__ import annotations

from typing import Any

SQL_FACTOR = 2.0  # p95 ≤ floor p95 + SQL_FACTOR × SQL p95
FLOOR_RPS_MIN = 1500
DETAIL_RPS_MIN = 1000
LIST_RPS_MIN = 250
POST_RPS_MIN = 100
SYNC_P95_MAX_MS = 50.0
REMINDERS_SECONDS_MAX = 15.0
CITY_ROLLUP_SECONDS_MAX = 5.0
JOB_MEMORY_MAX_MB = 300
LINEAR_SLACK = 1.25  # time may grow by (size ratio × this) and still count as linear

ENDPOINT_LABELS = {
    "tasks_mine": "GET /tasks/ (department lead's own)",
    "tasks_by_department": "GET /tasks/?department= (supervisor)",
    "tasks_red": "GET /tasks/?flag=red (supervisor)",
    "supervision_overdue": "GET /supervision/overdue/ (supervisor)",
    "notifications_unread": "GET /notifications/?unread=true",
    "indicators": "GET /indicators/",
    "task_detail": "GET /tasks/{id}/ (supervisor)",
    "tasks_sync": "GET /tasks/?updated_since=1 day (lead's sync)",
}
MY_WORK_LABEL = "GET /me/work/ (department lead)"

Row = dict[str, Any]


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _mark(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "NOT MET")


def _row(what: str, small: str, large: str, goal: str, met: bool | None, note: str = "") -> Row:
    return {"what": what, "small": small, "large": large, "goal": goal, "met": met, "note": note}


# --- the goals, as pure functions (tests/bench/test_report_goals.py) ---------------------------


def sql_budget_ms(floor_p95: float, sql_p95: float) -> float:
    """What an endpoint's p95 may be: the stack's floor plus twice its own SQL."""
    return floor_p95 + SQL_FACTOR * sql_p95


def within_sql_budget(endpoint_p95: float, floor_p95: float, sql_p95: float) -> bool:
    return endpoint_p95 <= sql_budget_ms(floor_p95, sql_p95)


def constant(values: list[Any]) -> bool | None:
    """The same value everywhere it was measured (None: nothing measured)."""
    return len(set(values)) == 1 if values else None


def rps_met(result: dict | None, minimum: float) -> bool:
    """At least `minimum` req/s, and no request failed."""
    return bool(result) and "rps" in result and result["rps"] >= minimum and not result["errors"]


def posts_met(result: dict | None) -> bool:
    """≥ POST_RPS_MIN 2xx POSTs per second, none failed, and every one wrote its history
    and at least one notification was written."""
    if not rps_met(result, POST_RPS_MIN):
        return False
    written, ok = result.get("written", {}), result.get("ok", result["requests"])
    return (
        written.get("reports", 0) >= ok
        and written.get("history", 0) >= ok
        and written.get("notifications", 0) > 0
    )


def reminders_queries_constant(small: dict, large: dict) -> bool:
    """The same statements and the same number of INSERT batches at both scales."""
    keys = ("queries", "inserts")
    if any(k not in job for job in (small, large) for k in keys):
        return False
    return all(small[k] == large[k] for k in keys)


def seconds_met(job: dict, maximum: float) -> bool:
    return "seconds" in job and "error" not in job and job["seconds"] <= maximum


def rss_met(job: dict, maximum: float) -> bool:
    return "peak_rss_mb" in job and "error" not in job and job["peak_rss_mb"] <= maximum


# --- rows -------------------------------------------------------------------------------------


def _floor_p95(scale: dict) -> float | None:
    return scale["endpoints"].get("floor", {}).get("http", {}).get("p95_ms")


def _latency_cell(ep: dict, sql_key: str = "sql") -> str:
    if "http" not in ep:
        return ep.get("error_text", "failed")
    sql = ep.get(sql_key, {}).get("p95_ms")
    return (
        f"{_ms(ep['http']['median_ms'])} / {_ms(ep['http']['p95_ms'])} "
        f"({'ORM ' if sql_key != 'sql' else ''}SQL {_ms(sql)})"
    )


def _latency_row(label: str, a: dict, b: dict, floor_p95: float | None) -> Row:
    met, note = None, ""
    if "http" in b and "sql" in b and floor_p95 is not None:
        p95, sql_p95 = b["http"]["p95_ms"], b["sql"]["p95_ms"]
        budget = sql_budget_ms(floor_p95, sql_p95)
        note = f"budget {_ms(budget)} ms (floor {_ms(floor_p95)} + 2×{_ms(sql_p95)})"
        if b["http"].get("errors"):
            met, note = False, note + f"; {b['http']['errors']} errors"
        elif not b.get("same_rows", False):
            note = "raw SQL rows differ: not judged; " + note
        else:
            met = within_sql_budget(p95, floor_p95, sql_p95)
    elif "http" not in b:
        met, note = False, str(b.get("error", ""))[:120]
    return _row(
        f"{label}: median / p95 ms",
        _latency_cell(a),
        _latency_cell(b),
        f"p95 ≤ floor p95 + {SQL_FACTOR:g}× SQL p95",
        met,
        note,
    )


def _queries_row(label: str, a: dict, b: dict, *, paged: bool) -> Row:
    keys = ("queries_page_10", "queries") if paged else ("queries",)
    counts = [ep[k] for ep in (a, b) for k in keys if k in ep]

    def fmt(ep: dict) -> str:
        return "/".join(str(ep[k]) for k in keys if k in ep) or "—"

    return _row(
        f"{label}: queries" + (" (page 10/50)" if paged else ""),
        fmt(a),
        fmt(b),
        "constant",
        constant(counts),
    )


def endpoint_rows(small: dict, large: dict) -> list[Row]:
    rows = []
    floor_p95 = _floor_p95(large)
    for name, label in ENDPOINT_LABELS.items():
        a, b = small["endpoints"].get(name, {}), large["endpoints"].get(name, {})
        rows.append(_latency_row(label, a, b, floor_p95))
        rows.append(_queries_row(label, a, b, paged=name != "task_detail"))
        if name == "tasks_sync":
            rows.append(sync_row(a, b))
    return rows + my_work_rows(small, large)


def sync_row(a: dict, b: dict) -> Row:
    """The lead's sync of one day's changes: an absolute goal on top of the SQL one."""
    p95 = b.get("http", {}).get("p95_ms")
    rows_note = "; ".join(f"{ep['rows']} rows" for ep in (a, b) if "rows" in ep)
    return _row(
        "sync of one day's changes (lead): p95 ms",
        _ms(a.get("http", {}).get("p95_ms")),
        _ms(p95),
        f"≤ {SYNC_P95_MAX_MS:g}",
        None if p95 is None else p95 <= SYNC_P95_MAX_MS and not b["http"].get("errors"),
        f"changed tasks returned (small; large): {rows_note}" if rows_note else "",
    )


def my_work_rows(small: dict, large: dict) -> list[Row]:
    """GET /me/work/: judged against its hand-written statement like any endpoint; the note
    adds the endpoint's own statements replayed on a cursor (what the ORM asks for)."""
    a, b = small["endpoints"].get("me_work", {}), large["endpoints"].get("me_work", {})
    row = _latency_row(MY_WORK_LABEL, a, b, _floor_p95(large))
    orm = b.get("orm_sql")
    if orm:
        row["note"] += (
            f"; its own {orm['statements']} statements replayed: p95 {_ms(orm['p95_ms'])} ms"
        )
    return [row, _queries_row(MY_WORK_LABEL, a, b, paged=False)]


def floor_rows(small: dict, large: dict) -> list[Row]:
    """The stack's floor (GET /me/): what any authenticated request costs here."""
    a, b = small["endpoints"].get("floor", {}), large["endpoints"].get("floor", {})

    def cell(ep: dict) -> str:
        http = ep.get("http")
        return f"{_ms(http['median_ms'])} / {_ms(http['p95_ms'])}" if http else "—"

    return [
        _row(
            "floor, GET /me/ (JWT, middleware, DRF): median / p95 ms",
            cell(a),
            cell(b),
            "—",
            None,
            f"{b.get('queries', '?')} queries; no endpoint answers faster",
        )
    ]


def _throughput_note(result: dict) -> str:
    note = f"{result['tool']}, {result['connections']} connections, p95 {result['p95_ms']} ms"
    if result.get("errors"):
        note += f", {result['errors']} errors"
    return note


def throughput_rows(large: dict) -> list[Row]:
    rows = []
    for key, label, goal in (
        ("floor", "floor, GET /me/", FLOOR_RPS_MIN),
        ("task_detail", "task detail", DETAIL_RPS_MIN),
        ("tasks_mine", "task list, 50 per page", LIST_RPS_MIN),
    ):
        result = large.get("throughput", {}).get(key)
        if not result or "rps" not in result:
            rows.append(_row(f"{label}: req/s, 2 workers", "", "failed", f"≥ {goal:,}", False))
            continue
        rows.append(
            _row(
                f"{label}: req/s, 2 workers",
                "",
                f"{result['rps']:.0f}",
                f"≥ {goal:,}",
                rps_met(result, goal),
                _throughput_note(result),
            )
        )
    rows.append(post_row(large.get("throughput", {}).get("report_post")))
    return rows


def post_row(result: dict | None) -> Row:
    what = "progress-report POST: req/s, 2 workers"
    goal = f"≥ {POST_RPS_MIN} with history and notifications"
    if not result or "rps" not in result:
        note = (result or {}).get("error", "not measured")
        return _row(what, "", "failed", goal, False, note)
    written = result.get("written", {})
    note = (
        f"{_throughput_note(result)}; {result.get('ok', result['requests']):,} 2xx POSTs "
        f"over {result['targets']} tasks wrote {written.get('reports', 0):,} reports, "
        f"{written.get('history', 0):,} history rows, "
        f"{written.get('notifications', 0):,} notifications"
    )
    return _row(what, "", f"{result['rps']:.0f}", goal, posts_met(result), note)


def _queries(job: dict) -> str:
    return f"{job['queries']} (+{job.get('inserts', 0)})" if "queries" in job else "—"


def _seconds(job: dict) -> str:
    return f"{job['seconds']:.2f}" if "seconds" in job else "aborted"


def _rss(job: dict) -> str:
    return f"{job['peak_rss_mb']:.0f}" if "peak_rss_mb" in job else "—"


def _errors(*jobs: dict) -> str:
    return "; ".join(str(j["error"]) for j in jobs if "error" in j)


def _growth_note(a: dict, b: dict, size_ratio: float) -> str:
    if "seconds" not in a or "seconds" not in b or not a["seconds"]:
        return _errors(a, b)
    return f"×{b['seconds'] / a['seconds']:.1f} for ×{size_ratio:.0f} data"


def reminder_rows(small: dict, large: dict) -> list[Row]:
    a, b = small.get("reminders") or {}, large.get("reminders") or {}
    ratio = large["tasks"] / max(small["tasks"], 1)
    return [
        _row(
            "reminder run, whole city: time s",
            _seconds(a),
            _seconds(b),
            f"≤ {REMINDERS_SECONDS_MAX:g}",
            seconds_met(b, REMINDERS_SECONDS_MAX),
            _growth_note(a, b, ratio),
        ),
        _row(
            "reminder run: queries (+INSERT batches)",
            _queries(a),
            _queries(b),
            "constant, INSERT batches too",
            reminders_queries_constant(a, b),
        ),
        _row(
            "reminder run: peak memory MB (process RSS)",
            _rss(a),
            _rss(b),
            f"≤ {JOB_MEMORY_MAX_MB}",
            rss_met(b, JOB_MEMORY_MAX_MB),
            f"baseline {b.get('baseline_rss_mb', a.get('baseline_rss_mb', 0)):.0f} MB",
        ),
    ]


def rollup_rows(small: dict, large: dict) -> list[Row]:
    c_a, c_b = small.get("rollup_city") or {}, large.get("rollup_city") or {}
    d_a, d_b = small.get("rollup") or {}, large.get("rollup") or {}
    city_note = _errors(c_a, c_b) or (
        f"{c_b.get('plans', '?')} plans, {c_b.get('plan_tasks', 0):,} tasks; "
        f"peak RSS {_rss(c_b)} MB"
    )
    plan_ratio = (d_b.get("plan_tasks") or 1) / (d_a.get("plan_tasks") or 1)
    district_note = _growth_note(d_a, d_b, plan_ratio)
    if "plan_tasks" in d_b:
        district_note += f"; one plan: {d_b['plan_tasks']:,} tasks; peak RSS {_rss(d_b)} MB"
    return [
        _row(
            "rollup, city (16 districts' plans): time s",
            _seconds(c_a),
            _seconds(c_b),
            f"≤ {CITY_ROLLUP_SECONDS_MAX:g}",
            seconds_met(c_b, CITY_ROLLUP_SECONDS_MAX),
            city_note,
        ),
        _row(
            "rollup, city: queries (+INSERT batches)",
            _queries(c_a),
            _queries(c_b),
            "independent of size",
            "queries" in c_a and "queries" in c_b and c_a["queries"] == c_b["queries"],
        ),
        _row(
            "rollup, one district: time s",
            _seconds(d_a),
            _seconds(d_b),
            "≤ linear",
            "seconds" in d_a
            and "seconds" in d_b
            and d_b["seconds"] <= max(d_a["seconds"], 1e-9) * plan_ratio * LINEAR_SLACK,
            district_note,
        ),
        _row(
            "rollup, one district: queries (+INSERT batches)",
            _queries(d_a),
            _queries(d_b),
            "independent of size",
            "queries" in d_a and "queries" in d_b and d_a["queries"] == d_b["queries"],
        ),
    ]


def outbox_rows(large: dict) -> list[Row]:
    result = large.get("outbox")
    if result is None:
        return []
    if "error" in result:
        return [
            _row(
                "outbox: deliveries/s, 4 worker processes",
                "",
                "failed",
                "—",
                None,
                str(result["error"])[:200],
            ),
            _row("outbox: each delivery exactly once", "", "—", "exactly once", False),
        ]
    return [
        _row(
            "outbox: deliveries/s, 4 worker processes",
            "",
            f"{result['per_s']:.0f}",
            "—",
            None,
            f"{result['distinct']:,} webhook deliveries in {result['seconds']:.1f} s "
            f"(enqueue {result['enqueue_s']:.1f} s), Celery prefork ×{result['workers']}",
        ),
        _row(
            "outbox: each delivery exactly once",
            "",
            f"{result['distinct']:,}/{result['deliveries']:,}",
            "exactly once",
            bool(result["exactly_once"]),
            f"received {result['received']:,}, {result['duplicates']} duplicates; "
            f"rows {result['by_status']}",
        ),
    ]


def import_rows(imported: dict) -> list[Row]:
    if "seconds" not in imported:
        return [
            _row(
                "import of the seed plan",
                "",
                "failed",
                "—",
                False,
                imported.get("error", "")[-200:],
            )
        ]
    return [
        _row(
            "import of the seed plan: time s (queries)",
            "",
            f"{imported['seconds']:.2f} ({imported['queries']})",
            "—",
            None,
            "empty database",
        )
    ]


def build_rows(results: dict) -> list[Row]:
    small, large = results["scales"]["small"], results["scales"]["large"]
    return [
        *endpoint_rows(small, large),
        *floor_rows(small, large),
        *throughput_rows(large),
        *reminder_rows(small, large),
        *rollup_rows(small, large),
        *outbox_rows(large),
        *import_rows(results.get("import", {})),
    ]


def summary_line(rows: list[Row], seconds: float) -> str:
    judged = [r for r in rows if r["met"] is not None]
    missed = [r["what"] for r in judged if not r["met"]]
    text = f"bench: {len(judged) - len(missed)}/{len(judged)} goals met in {seconds / 60:.1f} min"
    if missed:
        text += "; not met: " + "; ".join(missed)
    return text


def _headers(results: dict) -> list[str]:
    small, large = results["scales"]["small"], results["scales"]["large"]
    return [
        "what",
        f"{small['tasks']:,} tasks",
        f"{large['tasks']:,} tasks",
        "goal",
        "result",
        "note",
    ]


def _cells(row: Row) -> list[str]:
    return [row["what"], row["small"], row["large"], row["goal"], _mark(row["met"]), row["note"]]


def text_table(results: dict, rows: list[Row]) -> str:
    table = [_headers(results), *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(results: dict, rows: list[Row]) -> str:
    lines = ["| " + " | ".join(_headers(results)) + " |", "|" + " --- |" * len(_headers(results))]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def machine_line(machine: dict) -> str:
    return (
        f"{machine['cpu']} ({machine['cores']} cores), {machine['memory_gb']} GB RAM, "
        f"{machine['os']}, Python {machine['python']}, {machine['postgres']}; "
        f"load average at start {machine['load_at_start']}"
    )
