"""Django-side measurements of the benchmark, run by bench/run.py in a fresh process each:

  python -m bench.probe endpoints OUT.json   who to ask as, what to request, queries per
                                             request (10 and 50 per page), the endpoint's ids
                                             against the hand-written SQL's, SQL timings
  python -m bench.probe job NAME OUT.json    reminders | rollup | import: time, queries,
                                             peak memory of this process
  python -m bench.probe profile NAME OUT.txt pyinstrument over in-process requests

DATABASE_URL, DJANGO_SETTINGS_MODULE and the secret key come from bench/run.py, the same as
gunicorn's, so the tokens minted here are valid there.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django

REPO = Path(__file__).resolve().parent.parent
SQL_RUNS = int(os.environ.get("BENCH_SQL_RUNS", "300"))
SQL_BUDGET_S = float(os.environ.get("BENCH_SQL_BUDGET_S", "30"))
# A job past this much address space fails with MemoryError instead of swamping the machine.
JOB_MEMORY_LIMIT_MB = int(os.environ.get("BENCH_JOB_MEMORY_LIMIT_MB", "4096"))


def setup() -> None:
    sys.path.insert(0, str(REPO))
    django.setup()


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Counts statements executed on the default connection (nothing kept per statement)."""
    from django.db import connection

    counter = [0, 0]  # statements; of which INSERTs (batched bulk writes grow with size)

    def wrapper(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        counter[0] += 1
        counter[1] += sql.lstrip().upper().startswith("INSERT")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def timing_summary(samples_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(samples_ms),
        "median_ms": round(statistics.median(samples_ms), 3),
        "p95_ms": round(percentile(samples_ms, 95), 3),
    }


# --- endpoints ------------------------------------------------------------------------------


def subjects() -> dict[str, Any]:
    """Who asks and about what: the busiest department, its lead, the fullest inbox."""
    from django.db.models import Count

    from tasks_app.models import Membership, Notification, Task, User

    supervisor = User.objects.filter(district_role="supervisor").order_by("-id").first()
    busiest = (
        Task.objects.filter(is_archived=False)
        .values("lead_department_id")
        .annotate(n=Count("id"))
        .order_by("-n", "lead_department_id")
        .first()
    )
    department = busiest["lead_department_id"]
    lead = (
        Membership.objects.filter(department_id=department, role="dept_lead")
        .order_by("id")
        .first()
        .user
    )
    inbox = (
        Notification.objects.filter(read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .order_by("-n", "recipient_id")
        .first()
    )
    task = (
        Task.objects.filter(is_archived=False, lead_department_id=department)
        .annotate(
            co=Count("co_departments", distinct=True), krs=Count("key_results", distinct=True)
        )
        .filter(co__gt=0)
        .order_by("-krs", "id")
        .first()
    )
    return {
        "supervisor": supervisor,
        "lead": lead,
        "reader": User.objects.get(pk=inbox["recipient_id"]),
        "department": department,
        "task": task.pk,
        "unread": inbox["n"],
    }


FLOOR = "floor"


def endpoint_specs(s: dict[str, Any]) -> dict[str, tuple[Any, str, bool]]:
    """name → (user, path, is_list)."""
    return {
        "tasks_mine": (s["lead"], "/api/v1/tasks/", True),
        "tasks_by_department": (
            s["supervisor"],
            f"/api/v1/tasks/?department={s['department']}",
            True,
        ),
        "tasks_red": (s["supervisor"], "/api/v1/tasks/?flag=red", True),
        "supervision_overdue": (s["supervisor"], "/api/v1/supervision/overdue/", True),
        "notifications_unread": (s["reader"], "/api/v1/notifications/?unread=true", True),
        "indicators": (s["supervisor"], "/api/v1/indicators/", True),
        "task_detail": (s["supervisor"], f"/api/v1/tasks/{s['task']}/", False),
        # The stack's floor: JWT authentication, middleware, DRF and a tiny body (the
        # caller and their memberships). No endpoint can answer faster than this.
        FLOOR: (s["supervisor"], "/api/v1/me/", False),
    }


def sql_params(s: dict[str, Any], user: Any, limit: int) -> dict[str, Any]:
    from django.conf import settings
    from django.utils import timezone

    from tasks_app.workflow.cadence import (
        last_closed_period,
        period_deadline,
        period_due_date,
        period_last_day,
    )
    from tasks_app.workflow.workdays import add_working_days

    conf, today = settings.PLANTRACKER, timezone.localdate()
    period = last_closed_period(today)
    return {
        "today": today,
        "warn_until": add_working_days(today, conf["WARNING_WINDOW_WORKING_DAYS"]),
        "red_points": conf["FLAG_RED_BEHIND_POINTS"],
        "yellow_points": conf["FLAG_YELLOW_BEHIND_POINTS"],
        "period": period,
        "period_deadline": period_deadline(period),
        "period_last_day": period_last_day(period),
        "report_default": "missing" if today > period_due_date(period) else "pending",
        "department": s["department"],
        "user": user.pk,
        "task": s["task"],
        "limit": limit,
    }


def _token(user: Any) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


def _api_get(path: str, token: str) -> tuple[int, Any, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    body = response.json() if response.status_code == 200 else response.content[:500].decode()
    return response.status_code, body, len(ctx.captured_queries)


def _ids(body: Any, is_list: bool) -> list[int]:
    if not is_list:
        return [body["id"]]
    return [row["id"] for row in body["results"] if not row.get("deleted")]


def _with_page_size(path: str, size: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}page_size={size}"


def _time_sql(sql: str, params: dict[str, Any]) -> tuple[dict[str, float], list[int]]:
    """Run the statement SQL_RUNS times (or for SQL_BUDGET_S) on a plain psycopg cursor."""
    from django.db import connection

    connection.ensure_connection()
    samples, ids = [], []
    deadline = time.monotonic() + SQL_BUDGET_S
    with connection.connection.cursor() as cursor:
        for index in range(SQL_RUNS + 3):
            started = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            if index >= 3:  # the first runs warm the plan and the caches
                samples.append(elapsed)
            ids = [row[0] for row in rows]
            if index >= 3 + 20 and time.monotonic() > deadline:
                break
    return timing_summary(samples), ids


def measure_endpoints() -> dict[str, Any]:
    from bench.sql import ENDPOINT_SQL
    from tasks_app.models import Task

    s = subjects()
    out: dict[str, Any] = {
        "subjects": {
            "supervisor": s["supervisor"].username,
            "lead": s["lead"].username,
            "reader": s["reader"].username,
            "department": s["department"],
            "task": s["task"],
            "unread": s["unread"],
        },
        "tasks": Task.objects.count(),
        "endpoints": {},
    }
    for name, (user, path, is_list) in endpoint_specs(s).items():
        token = _token(user)
        status, body, queries = _api_get(path, token)
        row: dict[str, Any] = {
            "path": path,
            "user": user.username,
            "token": token,
            "status": status,
            "queries": queries,
        }
        if status != 200:
            row["error"] = body
            out["endpoints"][name] = row
            continue
        if name == FLOOR:
            out["endpoints"][name] = row
            continue
        api_ids = _ids(body, is_list)
        if is_list:
            row["queries_page_10"] = _api_get(_with_page_size(path, 10), token)[2]
        row["rows"] = len(api_ids)
        timing, sql_ids = _time_sql(ENDPOINT_SQL[name](), sql_params(s, user, len(api_ids) or 1))
        row["sql"] = timing
        row["same_rows"] = sql_ids == api_ids
        if not row["same_rows"]:
            row["ids_api"], row["ids_sql"] = api_ids[:10], sql_ids[:10]
        out["endpoints"][name] = row
    return out


# --- jobs -------------------------------------------------------------------------------------


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _job_reminders() -> tuple[dict[str, Any], Callable[[], Any]]:
    import datetime as dt

    from django.utils import timezone

    from tasks_app.reminders.run import reminders_run
    from tasks_app.workflow.workdays import is_working_day

    day = timezone.localdate()
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return {"today": day.isoformat()}, lambda: reminders_run(today=day).as_dict()


def _job_rollup() -> tuple[dict[str, Any], Callable[[], Any]]:
    from django.utils import timezone

    from tasks_app.models import Task
    from tasks_app.rollups.build import rollup_build
    from tasks_app.rollups.quarters import Quarter

    today = timezone.localdate()
    quarter = Quarter.of(today).previous()
    tasks = Task.objects.filter(plan__year=quarter.year).count()
    info = {"year": quarter.year, "quarter": quarter.quarter, "plan_tasks": tasks}

    def run() -> Any:
        rollup = rollup_build(year=quarter.year, quarter=quarter.quarter, today=today)
        return {"rollup": rollup.pk, "rows": rollup.rows.count()}

    return info, run


def _job_import() -> tuple[dict[str, Any], Callable[[], Any]]:
    from tasks_app.plans.enrichment import load_enrichment
    from tasks_app.plans.importer import plan_import

    seed = REPO / "seeds" / "daxing-2025"

    def run() -> Any:
        text = (seed / "plan.txt").read_text(encoding="utf-8")
        result = plan_import(text=text, enrichment=load_enrichment(seed / "enrichment.yaml"))
        return {"created": result.created, "updated": result.updated}

    return {"plan": "seeds/daxing-2025/plan.txt"}, run


JOBS = {"reminders": _job_reminders, "rollup": _job_rollup, "import": _job_import}


def run_job(name: str) -> dict[str, Any]:
    info, run = JOBS[name]()
    baseline = _maxrss_mb()
    limit = JOB_MEMORY_LIMIT_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    with counting_queries() as queries:
        started = time.perf_counter()
        try:
            result = run()
        except MemoryError:
            seconds = time.perf_counter() - started
            return {
                **info,
                "error": f"aborted: over {JOB_MEMORY_LIMIT_MB} MB after "
                f"{seconds:.0f} s and {queries[0]} queries",
                "peak_rss_mb": round(_maxrss_mb(), 1),
            }
        seconds = time.perf_counter() - started
    return {
        **info,
        "seconds": round(seconds, 3),
        "queries": queries[0] - queries[1],
        "inserts": queries[1],
        "peak_rss_mb": round(_maxrss_mb(), 1),
        "baseline_rss_mb": round(baseline, 1),
        "result": result,
    }


# --- profile ----------------------------------------------------------------------------------


def profile_endpoint(name: str, requests: int) -> str:
    from django.test import Client
    from pyinstrument import Profiler

    user, path, _is_list = endpoint_specs(subjects())[name]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {_token(user)}")
    client.get(path)  # warm
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _index in range(requests):
            client.get(path)
    return profiler.output_text(unicode=True, color=False, show_all=False)


def main(argv: list[str]) -> int:
    setup()
    command, name_or_out, *rest = argv
    if command == "endpoints":
        Path(name_or_out).write_text(json.dumps(measure_endpoints(), default=str, indent=1))
    elif command == "job":
        Path(rest[0]).write_text(json.dumps(run_job(name_or_out), default=str, indent=1))
    elif command == "profile":
        requests = int(rest[1]) if len(rest) > 1 else 20
        Path(rest[0]).write_text(profile_endpoint(name_or_out, requests))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
