"""Outbox delivery throughput: N webhook deliveries, 4 Celery worker processes, exactly once.

The bench starts, on loopback, a webhook receiver (a threaded HTTP server in this process
that answers like a WeCom robot, {"errcode": 0}, and counts each X-Plantracker-Delivery
id it receives) and one real Celery worker (`celery -A plantracker worker`, prefork pool of
4 processes, the Redis broker of .ci/services.py, the bench's settings and database).
Then `bench.probe outbox N URL` writes N pending deliveries in one INSERT … SELECT and
enqueues them the way the app does (deliveries_enqueue: one delivery_send message each).
Measured: deliveries/s from the first enqueue to the last delivery received; exactly once
means the receiver saw N distinct ids, no id twice, and the database holds N rows 'sent'.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.load import HOST, free_port

REPO = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
WORKER_PROCESSES = 4
DELIVERY_HEADER = "X-Plantracker-Delivery"  # tasks_app.reminders.channels.DELIVERY_HEADER
STALL_S = 60  # no delivery for this long: give up waiting


class Receiver:
    """Counts deliveries by id; remembers when the last one arrived."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.last_at = 0.0
        self.lock = threading.Lock()

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with receiver.lock:
                    receiver.seen[self.headers.get(DELIVERY_HEADER, "")] += 1
                    receiver.last_at = time.time()
                body = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    @property
    def distinct(self) -> int:
        return len(self.seen)

    @property
    def total(self) -> int:
        return sum(self.seen.values())


@contextlib.contextmanager
def receiver() -> Iterator[tuple[Receiver, str]]:
    rec = Receiver()
    port = free_port()
    server = http.server.ThreadingHTTPServer((HOST, port), rec.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec, f"http://{HOST}:{port}/robot/send"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def celery_worker(env: dict[str, str], *, processes: int = WORKER_PROCESSES) -> Iterator[None]:
    """One worker node with `processes` pool processes; stopped (its process group only)."""
    log = Path(tempfile.mkstemp(prefix="bench-celery-", suffix=".log")[1])
    cmd = [
        str(CELERY),
        "-A",
        "plantracker",
        "worker",
        "-l",
        "info",
        "--pool",
        "prefork",
        "--concurrency",
        str(processes),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"bench-{os.getpid()}@%h",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while " ready." not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"celery worker did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.unlink(missing_ok=True)


def measure(
    env: dict[str, str],
    n: int,
    probe: Callable[..., dict[str, Any]],
    *,
    timeout_s: float,
) -> dict[str, Any]:
    """Deliver N webhook rows with 4 worker processes; the figures and the exactly-once check."""
    with receiver() as (rec, url), celery_worker(env):
        created = probe(env, "outbox", str(n), url, timeout_s=timeout_s)
        if "error" in created:
            return created
        expected = created["created"]
        deadline = time.monotonic() + timeout_s
        while rec.distinct < expected and time.monotonic() < deadline:
            if rec.last_at and time.time() - rec.last_at > STALL_S:
                break
            time.sleep(0.25)
        time.sleep(2)  # a duplicate would come right behind
        finished = rec.last_at or time.time()
        seconds = max(finished - created["enqueue_started"], 1e-6)
        status = probe(env, "outbox-status", url)
    duplicates = sum(c - 1 for c in rec.seen.values() if c > 1)
    sent = status.get("by_status", {}).get("sent", 0)
    return {
        "deliveries": expected,
        "received": rec.total,
        "distinct": rec.distinct,
        "duplicates": duplicates,
        "sent_rows": sent,
        "by_status": status.get("by_status", {}),
        "attempts_over_1": status.get("attempts_over_1"),
        "seconds": round(seconds, 2),
        "enqueue_s": created["enqueue_s"],
        "per_s": round(rec.distinct / seconds, 1),
        "workers": WORKER_PROCESSES,
        "exactly_once": rec.distinct == expected == sent and duplicates == 0,
    }
