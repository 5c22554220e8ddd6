"""Django-side measurements of the benchmark, run by bench/run.py in a fresh process each:

  python -m bench.probe endpoints OUT.json   who to ask as, what to request, queries per
                                             request (10 and 50 per page), the endpoint's ids
                                             against the hand-written SQL's, SQL timings
  python -m bench.probe job NAME OUT.json    reminders | rollup_city | rollup | import:
                                             time, queries, peak memory of this process
  python -m bench.probe posts OUT.json       the progress-report POSTs wrk sends (leads,
                                             their open tasks) and the rows counted before
  python -m bench.probe counts OUT.json      history, reports, notifications: rows now
  python -m bench.probe outbox N URL OUT.json   N pending webhook deliveries to URL,
                                             enqueued for the Celery workers
  python -m bench.probe outbox-status OUT.json  deliveries by status
  python -m bench.probe profile NAME OUT.txt pyinstrument over in-process requests

DATABASE_URL, DJANGO_SETTINGS_MODULE and the secret key come from bench/run.py, the same as
gunicorn's, so the tokens minted here are valid there.
"""

from __future__ import annotations

import datetime as dt
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
from urllib.parse import quote

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

    from tasks_app.models import Department, Membership, Notification, Task, User

    busiest = (
        Task.objects.filter(is_archived=False)
        .values("lead_department_id")
        .annotate(n=Count("id"))
        .order_by("-n", "lead_department_id")
        .first()
    )
    department = busiest["lead_department_id"]
    # The busiest department's district supervisor: district roles read their own body only.
    body = Department.objects.values_list("body_id", flat=True).get(pk=department)
    supervisor = (
        User.objects.filter(district_role="supervisor", body_id=body).order_by("id").first()
    )
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
    from django.utils import timezone

    from bench.city.rows import anchor_instant

    return {
        # The lead's last sync a day before the generator's anchor instant (it stamps
        # CHANGED_LAST_DAY of the tasks within that day).
        "since": anchor_instant(timezone.localdate()) - SYNC_WINDOW,
        "supervisor": supervisor,
        "lead": lead,
        "reader": User.objects.get(pk=inbox["recipient_id"]),
        "department": department,
        "task": task.pk,
        "unread": inbox["n"],
    }


FLOOR = "floor"
MY_WORK = "me_work"
SYNC_WINDOW = dt.timedelta(days=1)  # "one day's changes"


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
        # The lead's home screen: six groups of their plan (tasks_app/workflow/my_work.py).
        MY_WORK: (s["lead"], "/api/v1/me/work/", False),
        # The lead's offline sync of one day's changes (docs/mobile.md, "Sync").
        "tasks_sync": (
            s["lead"],
            f"/api/v1/tasks/?updated_since={quote(s['since'].isoformat())}",
            True,
        ),
        # The stack's floor: JWT authentication, middleware, DRF and a tiny body (the
        # caller and their memberships). No endpoint can answer faster than this.
        FLOOR: (s["supervisor"], "/api/v1/me/", False),
    }


def sql_params(s: dict[str, Any], user: Any, limit: int) -> dict[str, Any]:
    from django.conf import settings
    from django.utils import timezone

    from tasks_app.org.plan_scope import default_plan_id
    from tasks_app.workflow.cadence import (
        last_closed_period,
        period_deadline,
        period_due_date,
        period_last_day,
    )
    from tasks_app.workflow.my_work import week_end
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
        "week_end": week_end(today),
        "department": s["department"],
        "user": user.pk,
        "plan": default_plan_id(user, today=today),
        "body": user.body_id,
        "task": s["task"],
        "limit": limit,
        # GET …?updated_since=S filters updated_at >= S − the sync overlap (plantracker/api/sync.py)
        "since": s["since"] - dt.timedelta(seconds=conf["SYNC_OVERLAP_SECONDS"]),
    }


def _token(user: Any) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


def _api_get(path: str, token: str) -> tuple[int, Any, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    # Steady state: the first request fills the caller's principal cache (org/principal_cache);
    # the counted one is what every later request of that caller costs.
    client.get(path)
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
    from tasks_app.workflow.my_work import ITEMS_PER_GROUP_DEFAULT

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
        if name == MY_WORK:
            row.update(measure_my_work(user, body))
            params = {**sql_params(s, user, ITEMS_PER_GROUP_DEFAULT)}
            row["sql"], sql_ids = _time_sql(ENDPOINT_SQL[name](), params)
            api_ids = row.pop("api_ids")
            row["same_rows"] = sql_ids == api_ids
            if not row["same_rows"]:
                row["ids_api"], row["ids_sql"] = api_ids[:20], sql_ids[:20]
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


def measure_my_work(user: Any, body: dict[str, Any]) -> dict[str, Any]:
    """GET /me/work/'s own statements (one: counts and items by window functions,
    tasks_app/workflow/my_work.py), captured and replayed on a plain cursor and timed as
    one unit: the note next to the hand-written statement of bench/sql.py."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tasks_app.org.plan_scope import default_plan_id
    from tasks_app.workflow.my_work import ITEMS_PER_GROUP_DEFAULT, my_work

    today = timezone.localdate()
    plan = default_plan_id(user, today=today)
    with CaptureQueriesContext(connection) as ctx:
        groups = my_work(user=user, plan=plan, today=today, limit=ITEMS_PER_GROUP_DEFAULT)
    statements = [q["sql"] for q in ctx.captured_queries]
    orm_ids = [t.pk for g in groups for t in g.items]
    api_ids = [item["id"] for name in (g.name for g in groups) for item in body[name]["items"]]
    samples: list[float] = []
    deadline = time.monotonic() + SQL_BUDGET_S
    with connection.connection.cursor() as cursor:
        for index in range(SQL_RUNS + 3):
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            if index >= 3:
                samples.append((time.perf_counter() - started) * 1000)
            if index >= 3 + 20 and time.monotonic() > deadline:
                break
    return {
        "rows": len(api_ids),
        "api_ids": api_ids,
        "counts": {g.name: g.count for g in groups},
        "orm_sql": {**timing_summary(samples), "statements": len(statements)},
        "orm_same_rows": orm_ids == api_ids,
    }


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
    """One district: rollup_build of the quarter just closed for 大兴区's plan."""
    from django.utils import timezone

    from tasks_app.models import Plan, Task
    from tasks_app.models.org import DEFAULT_BODY_CODE
    from tasks_app.rollups.build import rollup_build
    from tasks_app.rollups.quarters import Quarter

    today = timezone.localdate()
    quarter = Quarter.of(today).previous()
    plan = Plan.objects.filter(year=quarter.year, body__code=DEFAULT_BODY_CODE).first()
    tasks = Task.objects.filter(plan=plan).count()
    info = {"year": quarter.year, "quarter": quarter.quarter, "plan_tasks": tasks}

    def run() -> Any:
        rollup = rollup_build(year=quarter.year, quarter=quarter.quarter, plan=plan, today=today)
        return {"rollup": rollup.pk, "rows": rollup.rows.count()}

    return info, run


def _job_rollup_city() -> tuple[dict[str, Any], Callable[[], Any]]:
    """The city: the scheduled build of the quarter just closed for every open plan of its
    year (rollup_build_previous_quarter), i.e. the 16 districts' plans."""
    from django.utils import timezone

    from tasks_app.models import Plan, PlanStatus, Rollup, Task
    from tasks_app.rollups.build import rollup_build_previous_quarter
    from tasks_app.rollups.quarters import Quarter

    today = timezone.localdate()
    quarter = Quarter.of(today).previous()
    plans = Plan.objects.filter(year=quarter.year, status=PlanStatus.OPEN)
    info = {
        "year": quarter.year,
        "quarter": quarter.quarter,
        "plans": plans.count(),
        "plan_tasks": Task.objects.filter(plan__in=plans).count(),
    }

    def run() -> Any:
        first = rollup_build_previous_quarter(today=today)
        built = Rollup.objects.filter(year=quarter.year, quarter=quarter.quarter)
        return {"first_rollup": first, "rollups": built.count()}

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


JOBS = {
    "reminders": _job_reminders,
    "rollup_city": _job_rollup_city,
    "rollup": _job_rollup,
    "import": _job_import,
}


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


# --- writes: progress-report POSTs, the delivery outbox --------------------------------------

POST_LEADS, POST_TASKS_PER_LEAD = 8, 8


def counts() -> dict[str, int]:
    """Rows that a progress report (history) and its notifications add, and the outbox."""
    from tasks_app.models import Delivery, HistoryEvent, Notification, ProgressReport

    return {
        "history": HistoryEvent.objects.count(),
        "reports": ProgressReport.objects.count(),
        "notifications": Notification.objects.count(),
        "deliveries": Delivery.objects.count(),
    }


def post_targets() -> dict[str, Any]:
    """What wrk POSTs: department leads of the busiest departments, each on open tasks of
    their own department (a lead-department report moves the task: history). The percent is
    the task's own progress and a red reason is always given, so every POST is valid
    however often it is repeated (no one-per-period rule; red tasks need a reason)."""
    from django.db.models import Count

    from tasks_app.models import Membership, Task
    from tasks_app.workflow.rules import CLOSED_STATUSES

    open_tasks = Task.objects.filter(is_archived=False).exclude(status__in=CLOSED_STATUSES)
    departments = [
        row["lead_department_id"]
        for row in open_tasks.values("lead_department_id")
        .annotate(n=Count("id"))
        .order_by("-n", "lead_department_id")[:POST_LEADS]
    ]
    targets = []
    for department in departments:
        lead = (
            Membership.objects.filter(department_id=department, role="dept_lead")
            .order_by("id")
            .first()
        )
        if lead is None:
            continue
        token = _token(lead.user)
        tasks = open_tasks.filter(lead_department_id=department).order_by("id")
        for task_id, progress in tasks.values_list("id", "progress")[:POST_TASKS_PER_LEAD]:
            targets.append(
                {
                    "token": token,
                    "path": f"/api/v1/tasks/{task_id}/progress-reports/",
                    "body": json.dumps(
                        {
                            "percent": progress,
                            "narrative": "基准测试：本月工作按计划推进。",
                            "red_reason": "基准测试：审批流程影响进度。",
                        },
                        ensure_ascii=False,
                    ),
                }
            )
    return {"targets": targets, "before": counts()}


def outbox_create(n: int, url: str) -> dict[str, Any]:
    """N pending webhook deliveries to `url` (one per existing notification, in one
    INSERT … SELECT), then handed to the workers as the app does (deliveries_enqueue)."""
    from django.db import connection, transaction

    from tasks_app.reminders.deliveries import deliveries_enqueue

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tasks_app_delivery (notification_id, recipient_id, channel, target,
                payload, status, attempts, next_attempt_at, lease_until, last_error, sent_at,
                created_at, updated_at)
            SELECT n.id, n.recipient_id, 'webhook', %(url)s,
                   jsonb_build_object('msgtype', 'markdown', 'markdown',
                                      jsonb_build_object('content', n.title || E'\n' || n.body)),
                   'pending', 0, now(), NULL, '', NULL, now(), now()
              FROM tasks_app_notification n
             WHERE NOT EXISTS (SELECT 1 FROM tasks_app_delivery d
                                WHERE d.notification_id = n.id AND d.channel = 'webhook')
             ORDER BY n.id
             LIMIT %(n)s
            RETURNING id
            """,
            {"url": url, "n": n},
        )
        ids = [row[0] for row in cursor.fetchall()]
    started = time.time()
    deliveries_enqueue(ids)
    return {
        "created": len(ids),
        "first_id": min(ids, default=0),
        "last_id": max(ids, default=0),
        "enqueue_started": started,
        "enqueue_s": round(time.time() - started, 2),
    }


def outbox_status(url: str) -> dict[str, Any]:
    from django.db.models import Count

    from tasks_app.models import Delivery

    rows = Delivery.objects.filter(target=url).values("status").annotate(n=Count("id"))
    return {
        "by_status": {row["status"]: row["n"] for row in rows},
        "attempts_over_1": Delivery.objects.filter(target=url, attempts__gt=1).count(),
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
    elif command == "posts":
        Path(name_or_out).write_text(json.dumps(post_targets(), default=str, ensure_ascii=False))
    elif command == "counts":
        Path(name_or_out).write_text(json.dumps(counts()))
    elif command == "outbox":
        result = outbox_create(int(name_or_out), rest[0])
        Path(rest[1]).write_text(json.dumps(result))
    elif command == "outbox-status":
        Path(rest[0]).write_text(json.dumps(outbox_status(name_or_out)))
    elif command == "profile":
        requests = int(rest[1]) if len(rest) > 1 else 20
        Path(rest[0]).write_text(profile_endpoint(name_or_out, requests))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
