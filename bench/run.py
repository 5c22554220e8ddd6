"""make bench: the city-scale benchmark. Prints one table; writes bench/results/latest.{json,md}.

Run inside .ci/services.py (which starts a throw-away PostgreSQL and Redis and sets
DATABASE_URL and friends):  .venv/bin/python .ci/services.py -- .venv/bin/python bench/run.py

For each scale (0.1 = 10,000 tasks, 1.0 = 100,000 tasks) in its own database: migrate,
generate (manage.py generate_city), VACUUM ANALYZE, then
  1. per endpoint: queries per request and the hand-written SQL's timings (bench/probe.py),
     latency through gunicorn (2 sync workers) one request at a time (bench/load.py);
  2. at the largest scale: throughput of the floor, task detail and the task list (wrk),
     of progress-report POSTs (wrk, rows written counted before and after), and of the
     delivery outbox (4 Celery worker processes, a loopback webhook receiver);
  3. a reminder run, 4. the city-wide and one district's rollup build, each in a fresh
     process (time, queries, RSS);
and 5. the seed plan's import into an empty database. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from bench import load, outbox, report  # noqa: E402

RESULTS = REPO / "bench" / "results"
BENCH_ENV = {
    # The production settings, as a deployment runs them, minus HTTPS (plain loopback).
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdef0123456789",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DATABASE_CONN_MAX_AGE": "60",
    "JWT_ACCESS_MINUTES": "240",
    "DJANGO_LOG_LEVEL": "WARNING",
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def admin_sql(base: str, *statements: str) -> None:
    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def drop_database(base: str, name: str) -> None:
    """Drop a bench database even while something is still connected to it (a profiling
    step, a probe killed by its timeout, a gunicorn worker slow to exit): WITH (FORCE)
    terminates those sessions first (PostgreSQL 13+; older servers: pg_terminate_backend)."""
    try:
        admin_sql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except psycopg.errors.SyntaxError:  # PostgreSQL < 13
        admin_sql(
            base,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
            f"DROP DATABASE IF EXISTS {name}",
        )


def fresh_database(base: str, name: str, env: dict[str, str]) -> dict[str, str]:
    drop_database(base, name)
    admin_sql(base, f"CREATE DATABASE {name}")
    db_env = {**env, "DATABASE_URL": database_url(base, name)}
    manage(db_env, "migrate", "--noinput", quiet=True)
    return db_env


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.monotonic() - started


def probe(env: dict[str, str], *args: str, timeout_s: float | None = None) -> dict[str, Any]:
    out = RESULTS / f"probe-{os.getpid()}-{time.monotonic_ns()}.tmp"
    try:
        subprocess.run(
            [sys.executable, "-m", "bench.probe", *args, str(out)],
            cwd=REPO,
            env=env,
            check=True,
            timeout=timeout_s,
        )
        return json.loads(out.read_text())
    except subprocess.TimeoutExpired:
        return {"error": f"aborted: still running after {timeout_s:.0f} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": f"bench.probe {' '.join(args)} failed with {exc.returncode}"}
    finally:
        out.unlink(missing_ok=True)


def vacuum(env: dict[str, str]) -> None:
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def measure_http(
    env: dict[str, str], endpoints: dict, args: argparse.Namespace, *, throughput: bool
) -> dict:
    out: dict[str, Any] = {}
    with load.gunicorn(env, workers=2) as port:
        for name, ep in endpoints.items():
            if ep.get("status") != 200:
                continue
            log(f"  latency {name}")
            ep["http"] = load.latency(
                port, ep["path"], ep["token"], requests=args.requests, budget_s=args.budget
            )
        if throughput:
            for name in ("task_detail", "tasks_mine", "floor"):
                ep = endpoints.get(name, {})
                if ep.get("status") != 200:
                    continue
                log(f"  throughput {name} ({args.throughput_seconds} s)")
                out[name] = load.throughput(
                    port, ep["path"], ep["token"], seconds=args.throughput_seconds, connections=4
                )
            log(f"  throughput progress-report POST ({args.throughput_seconds} s)")
            out["report_post"] = measure_posts(env, port, args)
    return out


def measure_posts(env: dict[str, str], port: int, args: argparse.Namespace) -> dict:
    """wrk POSTs progress reports as department leads on their own open tasks; the rows
    written (history, reports, notifications) are counted before and after."""
    setup = probe(env, "posts")
    if "error" in setup or not setup.get("targets"):
        return {"error": setup.get("error", "no department lead with an open task")}
    result = load.post_throughput(
        port, setup["targets"], seconds=args.throughput_seconds, connections=4
    )
    after = probe(env, "counts")
    before = setup["before"]
    if "rps" in result:  # successes only: wrk counts a 4xx/5xx answer as a request
        ok = result["requests"] - result["errors"]
        result["rps_all"] = result["rps"]
        result["rps"] = round(result["rps"] * ok / max(result["requests"], 1), 1)
        result["ok"] = ok
    result["targets"] = len(setup["targets"])
    result["written"] = {k: after.get(k, 0) - v for k, v in before.items()}
    return result


def run_scale(
    base: str, env: dict[str, str], scale: float, args: argparse.Namespace, *, largest: bool
) -> dict:
    name = f"bench_{str(scale).replace('.', '_')}"
    succeeded = False
    try:
        result = _run_scale(base, env, name, scale, args, largest=largest)
        succeeded = True
        return result
    finally:
        # Any failure, or a run without --keep: the database goes, connections or not.
        if not (succeeded and args.keep):
            drop_database(base, name)


def _run_scale(
    base: str,
    env: dict[str, str],
    name: str,
    scale: float,
    args: argparse.Namespace,
    *,
    largest: bool,
) -> dict:
    log(f"scale {scale:g}: database {name}, migrate")
    db_env = fresh_database(base, name, env)
    log(f"scale {scale:g}: generate_city")
    generate_s = manage(db_env, "generate_city", "--scale", str(scale))
    vacuum(db_env)
    log(f"scale {scale:g}: queries per request and raw SQL")
    measured = probe(db_env, "endpoints")
    result: dict[str, Any] = {
        "scale": scale,
        "generate_s": round(generate_s, 1),
        "tasks": measured.get("tasks", 0),
        "subjects": measured.get("subjects", {}),
        "endpoints": measured.get("endpoints", {}),
    }
    log(f"scale {scale:g}: HTTP latency" + (" and throughput" if largest else ""))
    result["throughput"] = measure_http(db_env, result["endpoints"], args, throughput=largest)
    if largest and args.deliveries:
        # Before the reminder run, whose own deliveries would join the workers' queue.
        log(f"scale {scale:g}: outbox, {args.deliveries:,} deliveries, 4 worker processes")
        try:
            result["outbox"] = outbox.measure(
                db_env, args.deliveries, probe, timeout_s=args.job_timeout
            )
        except RuntimeError as exc:
            result["outbox"] = {"error": str(exc)[-300:]}
    # The city first: it reuses a rollup already built after the quarter's close.
    for job in ("reminders", "rollup_city", "rollup"):
        log(f"scale {scale:g}: {job}")
        result[job] = probe(db_env, "job", job, timeout_s=args.job_timeout)
    if largest and args.profile:
        worst = max(
            result["endpoints"].items(), key=lambda item: item[1].get("http", {}).get("p95_ms", 0)
        )[0]
        log(f"scale {scale:g}: profiling {worst}")
        target = RESULTS / "profile.txt"
        subprocess.run(
            [sys.executable, "-m", "bench.probe", "profile", worst, str(target), "10"],
            cwd=REPO,
            env=db_env,
            check=False,
            timeout=args.job_timeout,
        )
        result["profiled"] = worst
    for ep in result["endpoints"].values():
        ep.pop("token", None)
    return result


def machine_info(base: str) -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    with psycopg.connect(database_url(base, "postgres")) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgres": f"PostgreSQL {version}",
        "load_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def write_results(results: dict, rows: list, summary: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    results["rows"], results["summary"] = rows, summary
    (RESULTS / "latest.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False, default=str)
    )
    md = [
        "# plantracker benchmark (make bench)",
        "",
        f"Machine: {report.machine_line(results['machine'])}.",
        "",
        f"Run {results['machine']['date']}; settings as in bench/run.py BENCH_ENV "
        "(production settings, gunicorn 2 sync workers, persistent connections).",
        "",
        report.markdown_table(results, rows),
        "",
        summary,
        "",
    ]
    (RESULTS / "latest.md").write_text("\n".join(md))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.1,1.0", help="two scales, small first")
    parser.add_argument("--requests", type=int, default=300, help="latency requests/endpoint")
    parser.add_argument("--budget", type=float, default=30.0, help="latency seconds/endpoint")
    parser.add_argument("--throughput-seconds", type=int, default=15)
    parser.add_argument("--job-timeout", type=float, default=300, help="seconds per job")
    parser.add_argument(
        "--deliveries", type=int, default=10_000, help="outbox rows to deliver (0: skip)"
    )
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print(
            "bench/run.py needs DATABASE_URL of a PostgreSQL server: run it through "
            ".ci/services.py (make bench)",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **BENCH_ENV}
    scales = [float(s) for s in args.scales.split(",")]
    results: dict[str, Any] = {"machine": machine_info(base), "scales": {}}
    small, large = scales[0], scales[-1]
    results["scales"]["small"] = run_scale(base, env, small, args, largest=False)
    results["scales"]["large"] = run_scale(base, env, large, args, largest=True)
    log("import of the seed plan")
    try:
        results["import"] = probe(fresh_database(base, "bench_import", env), "job", "import")
    finally:
        drop_database(base, "bench_import")
    rows = report.build_rows(results)
    summary = report.summary_line(rows, time.monotonic() - started)
    write_results(results, rows, summary)
    print()
    print(f"Machine: {report.machine_line(results['machine'])}")
    print(report.text_table(results, rows))
    print(f"(also in {RESULTS.relative_to(REPO)}/latest.md and latest.json)")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
