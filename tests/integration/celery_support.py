"""A real Celery worker process for integration tests, on the test database and Redis.

The worker runs `celery -A plantracker worker` with plantracker.settings.local, its
DATABASE_URL pointed at pytest-django's test database (tests using it must be
`django_db(transaction=True)` so their data is committed and visible to it), the broker
from CELERY_BROKER_URL (the Redis `make test` started), and whatever extra environment
the test passes (SMTP server, webhook URL, lease and backoff). It runs in its own process
group: kill() sends SIGKILL to the whole group, pool children included.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def test_database_url() -> str:
    """postgres://… of the database this test process uses (test_<name>)."""
    conf = connection.settings_dict
    auth = quote(conf["USER"] or "")
    if conf.get("PASSWORD"):
        auth += ":" + quote(conf["PASSWORD"])
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{conf['NAME']}"


class CeleryWorker:
    def __init__(self, log_path: Path, env: dict[str, str] | None = None) -> None:
        self.log_path = log_path
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "plantracker.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": test_database_url(),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def start(self, timeout_s: float = 60.0) -> None:
        self.starts += 1
        marker = f"=== worker start {self.starts} ===\n"
        with self.log_path.open("a") as log:
            log.write(marker)
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "plantracker",
                "worker",
                "-l",
                "info",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{os.getpid()}-{self.starts}@%h",
            ],
            cwd=REPO,
            env=self._env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            if " ready." in text.split(marker, 1)[-1]:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"worker did not start:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children, as a dying machine would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        except ProcessLookupError:
            pass
        self.process = None

    def tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
