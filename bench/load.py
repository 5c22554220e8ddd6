"""HTTP side of the benchmark: gunicorn on a free loopback port, latency and throughput.

Latency: one request at a time (a new connection each, so the figure includes the TCP
handshake), N requests or until a time budget, after a warm-up. Throughput: wrk (Debian
package) with a Lua script that adds the Authorization header and prints a JSON summary;
without wrk, a thread pool of Python clients (which then shares the two cores with the
server: the figure is a lower bound, and the result says which tool measured it).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.probe import timing_summary

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WRK_LUA = Path(__file__).with_name("wrk_auth.lua")
WRK_POST_LUA = Path(__file__).with_name("wrk_post.lua")
WARMUP_REQUESTS = 2  # per gunicorn worker and endpoint: connections, plan caches
MIN_LATENCY_REQUESTS = 15  # even past the time budget (slow endpoints)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2) -> Iterator[int]:
    """A gunicorn serving plantracker on a free port; stopped (its process only) on exit.
    BENCH_WORKER_CLASS=gthread (and BENCH_THREADS) try threads with keep-alive."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    # Sync workers: each request is a new connection, accepted by whichever worker is
    # free. gthread with keep-alive pins wrk's 4 connections to the workers as they were
    # accepted: when all land on one worker the other core idles (the floor measured
    # 691–1,619 req/s in one server's life, bimodal); BENCH_WORKER_CLASS=gthread tries it.
    worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
    threads = os.environ.get("BENCH_THREADS", "4") if worker_class == "gthread" else "1"
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "plantracker.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        threads,
        "--keep-alive",
        "5",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
        "--timeout",
        "120",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    try:
        _wait_healthy(port, proc, log)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.unlink(missing_ok=True)


def _wait_healthy(port: int, proc: subprocess.Popen, log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            status, _body = get(port, "/healthz", "")
            if status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn not healthy after {timeout_s}s: {log.read_text()[-2000:]}")


def get(port: int, path: str, token: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def latency(port: int, path: str, token: str, *, requests: int, budget_s: float) -> dict:
    """Sequential requests: median and p95 in ms; stops early when the budget is spent."""
    for _warm in range(WARMUP_REQUESTS):
        get(port, path, token)
    samples, errors = [], 0
    deadline = time.monotonic() + budget_s
    for index in range(requests):
        started = time.perf_counter()
        status, _body = get(port, path, token)
        samples.append((time.perf_counter() - started) * 1000)
        errors += status != 200
        if index + 1 >= MIN_LATENCY_REQUESTS and time.monotonic() > deadline:
            break
    return {**timing_summary(samples), "errors": errors}


def throughput(port: int, path: str, token: str, *, seconds: int, connections: int) -> dict:
    """Requests per second with `connections` clients in flight."""
    if shutil.which("wrk"):
        return _wrk(port, path, token, seconds=seconds, connections=connections)
    return _threads(port, path, token, seconds=seconds, connections=connections)


def _wrk(port: int, path: str, token: str, *, seconds: int, connections: int) -> dict:
    return _run_wrk(
        port, path, WRK_LUA, {"BENCH_TOKEN": token}, seconds=seconds, connections=connections
    )


def post_throughput(port: int, targets: list[dict], *, seconds: int, connections: int) -> dict:
    """POSTs per second (wrk, round-robin over `targets`: token, path, JSON body); without
    wrk, nothing is measured (a Python client would share the cores with the server)."""
    if not shutil.which("wrk"):
        return {"error": "wrk not installed"}
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8", delete=False) as f:
        for t in targets:
            f.write(f"{t['token']}\t{t['path']}\t{t['body']}\n")
    try:
        return _run_wrk(
            port,
            targets[0]["path"],
            WRK_POST_LUA,
            {"BENCH_POSTS": f.name},
            seconds=seconds,
            connections=connections,
        )
    finally:
        Path(f.name).unlink(missing_ok=True)


def _run_wrk(
    port: int, path: str, script: Path, extra_env: dict, *, seconds: int, connections: int
) -> dict:
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        f"http://{HOST}:{port}{path}",
    ]
    env = {**os.environ, **extra_env}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return {
        "tool": "wrk",
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
        "requests": data["requests"],
        "errors": data["errors"],
        "median_ms": round(data["p50_us"] / 1000, 2),
        "p95_ms": round(data["p95_us"] / 1000, 2),
        "connections": connections,
        **({"status_errors": data["status_errors"]} if "status_errors" in data else {}),
    }


def _threads(port: int, path: str, token: str, *, seconds: int, connections: int) -> dict:
    stop_at = time.monotonic() + seconds
    counts, errors, samples = [0] * connections, [0] * connections, []
    lock = threading.Lock()

    def client(slot: int) -> None:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            status, _body = get(port, path, token)
            elapsed = (time.perf_counter() - started) * 1000
            counts[slot] += 1
            errors[slot] += status != 200
            with lock:
                samples.append(elapsed)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    summary = timing_summary(samples)
    return {
        "tool": "python-threads",
        "rps": round(sum(counts) / elapsed, 1),
        "requests": sum(counts),
        "errors": sum(errors),
        "median_ms": summary["median_ms"],
        "p95_ms": summary["p95_ms"],
        "connections": connections,
    }
