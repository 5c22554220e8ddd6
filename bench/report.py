"""The benchmark's goals, its one table (text and Markdown), and the one-line summary."""

from __future__ import annotations

from typing import Any

P95_RATIO_MAX = 3.0
DETAIL_RPS_MIN = 500
LIST_RPS_MIN = 150
JOB_MEMORY_MAX_MB = 500
LINEAR_SLACK = 1.25  # time may grow by (size ratio × this) and still count as linear

ENDPOINT_LABELS = {
    "tasks_mine": "GET /tasks/ (department lead's own)",
    "tasks_by_department": "GET /tasks/?department= (supervisor)",
    "tasks_red": "GET /tasks/?flag=red (supervisor)",
    "supervision_overdue": "GET /supervision/overdue/ (supervisor)",
    "notifications_unread": "GET /notifications/?unread=true",
    "indicators": "GET /indicators/",
    "task_detail": "GET /tasks/{id}/ (supervisor)",
}

Row = dict[str, Any]


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _mark(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "NOT MET")


def _row(what: str, small: str, large: str, goal: str, met: bool | None, note: str = "") -> Row:
    return {"what": what, "small": small, "large": large, "goal": goal, "met": met, "note": note}


def endpoint_rows(small: dict, large: dict) -> list[Row]:
    rows = []
    for name, label in ENDPOINT_LABELS.items():
        a, b = small["endpoints"].get(name, {}), large["endpoints"].get(name, {})

        def cell(ep: dict) -> str:
            if "http" not in ep:
                return ep.get("error_text", "failed")
            return (
                f"{_ms(ep['http']['median_ms'])} / {_ms(ep['http']['p95_ms'])} "
                f"(SQL {_ms(ep['sql']['p95_ms'])})"
            )

        ratio = None
        if "http" in b and b["sql"]["p95_ms"]:
            ratio = b["http"]["p95_ms"] / b["sql"]["p95_ms"]
        note = "" if b.get("same_rows", False) else "raw SQL rows differ"
        floor_p95 = large["endpoints"].get("floor", {}).get("http", {}).get("p95_ms")
        if not note and ratio and ratio > P95_RATIO_MAX and floor_p95:
            budget = P95_RATIO_MAX * b["sql"]["p95_ms"]
            if budget < floor_p95:
                note = f"{ratio:.1f}× SQL; {budget:.1f} ms is below the floor ({floor_p95:.1f})"
        rows.append(
            _row(
                f"{label}: median / p95 ms",
                cell(a),
                cell(b),
                f"p95 ≤ {P95_RATIO_MAX:g}× raw SQL",
                None if ratio is None else ratio <= P95_RATIO_MAX,
                note or (f"{ratio:.1f}× SQL" if ratio else ""),
            )
        )
        counts = [ep.get(k) for ep in (a, b) for k in ("queries_page_10", "queries") if k in ep]
        fmt = lambda ep: "/".join(  # noqa: E731
            str(ep[k]) for k in ("queries_page_10", "queries") if k in ep
        )
        rows.append(
            _row(
                f"{label}: queries (page 10/50)" if name != "task_detail" else f"{label}: queries",
                fmt(a),
                fmt(b),
                "constant",
                len(set(counts)) == 1 if counts else None,
            )
        )
    return rows


def floor_rows(small: dict, large: dict) -> list[Row]:
    """The stack's floor (GET /me/): what any authenticated request costs here."""
    a, b = small["endpoints"].get("floor", {}), large["endpoints"].get("floor", {})

    def cell(ep: dict) -> str:
        http = ep.get("http")
        return f"{_ms(http['median_ms'])} / {_ms(http['p95_ms'])}" if http else "—"

    rows = [
        _row(
            "floor, GET /me/ (JWT, middleware, DRF): median / p95 ms",
            cell(a),
            cell(b),
            "—",
            None,
            f"{b.get('queries', '?')} queries; no endpoint answers faster",
        )
    ]
    result = large.get("throughput", {}).get("floor")
    if result:
        rows.append(
            _row(
                "floor, GET /me/: req/s, 2 workers",
                "",
                f"{result['rps']:.0f}",
                "—",
                None,
                f"{result['tool']}, {result['connections']} connections: any endpoint's ceiling",
            )
        )
    return rows


def throughput_rows(large: dict) -> list[Row]:
    rows = []
    for key, label, goal in (
        ("task_detail", "task detail", DETAIL_RPS_MIN),
        ("tasks_mine", "task list, 50 per page", LIST_RPS_MIN),
    ):
        result = large.get("throughput", {}).get(key)
        if not result:
            rows.append(_row(f"{label}: req/s, 2 workers", "", "failed", f"≥ {goal}", False))
            continue
        note = f"{result['tool']}, {result['connections']} connections, p95 {result['p95_ms']} ms"
        if result["errors"]:
            note += f", {result['errors']} errors"
        rows.append(
            _row(
                f"{label}: req/s, 2 workers",
                "",
                f"{result['rps']:.0f}",
                f"≥ {goal}",
                result["rps"] >= goal and not result["errors"],
                note,
            )
        )
    return rows


def _queries(job: dict) -> str:
    return f"{job['queries']} (+{job.get('inserts', 0)})"


def _growth(small: dict, large: dict, key: str, size_ratio: float) -> list[Row]:
    a, b = small.get(key) or {}, large.get(key) or {}
    if "seconds" not in a or "seconds" not in b:
        cell = lambda r: f"{r['seconds']:.2f}" if "seconds" in r else "aborted"  # noqa: E731
        count = lambda r: _queries(r) if "queries" in r else "—"  # noqa: E731
        note = "; ".join(r["error"] for r in (a, b) if "error" in r)
        return [
            _row(f"{key}: time s", cell(a), cell(b), "≤ linear", False, note),
            _row(f"{key}: queries (+INSERT batches)", count(a), count(b), "independent", False),
        ]
    grow = b["seconds"] / a["seconds"] if a["seconds"] else float("inf")
    return [
        _row(
            f"{key}: time s",
            f"{a['seconds']:.2f}",
            f"{b['seconds']:.2f}",
            "≤ linear",
            grow <= size_ratio * LINEAR_SLACK,
            f"×{grow:.1f} for ×{size_ratio:.0f} data",
        ),
        _row(
            f"{key}: queries (+INSERT batches)",
            _queries(a),
            _queries(b),
            "independent of size",
            a["queries"] == b["queries"],
        ),
    ]


def job_rows(small: dict, large: dict) -> list[Row]:
    ratio = large["tasks"] / small["tasks"]
    rows = _growth(small, large, "reminders", ratio)
    a, b = small.get("reminders") or {}, large.get("reminders") or {}
    rss = lambda r: f"{r['peak_rss_mb']:.0f}" if "peak_rss_mb" in r else "—"  # noqa: E731
    rows.append(
        _row(
            "reminders: peak memory MB (process RSS)",
            rss(a),
            rss(b),
            f"< {JOB_MEMORY_MAX_MB}",
            "peak_rss_mb" in b and "error" not in b and b["peak_rss_mb"] < JOB_MEMORY_MAX_MB,
            f"baseline {b.get('baseline_rss_mb', a.get('baseline_rss_mb', 0)):.0f} MB",
        )
    )
    rollup_small, rollup_large = small.get("rollup") or {}, large.get("rollup") or {}
    plan_ratio = (rollup_large.get("plan_tasks") or 1) / (rollup_small.get("plan_tasks") or 1)
    more = _growth(small, large, "rollup", plan_ratio)
    if "plan_tasks" in rollup_large:
        more[0]["note"] += f"; one plan: {rollup_large['plan_tasks']:,} tasks"
    return rows + more


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
        *job_rows(small, large),
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
