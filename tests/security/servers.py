"""Real processes for the fault tests: the app under gunicorn, a Redis we may kill, and
PostgreSQL stopped and started under a running app.

PostgreSQL comes from .ci/services.py's `postgres()` (a throw-away cluster of our own, so
stopping it disturbs no other test); we find its data directory through the server itself
(`SHOW data_directory`) and stop/start it with pg_ctl as .ci/services.py does.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import psycopg
import requests

from tests.conftest import REPO

GUNICORN = Path(sys.executable).with_name("gunicorn")


@lru_cache(maxsize=1)
def ci_services() -> ModuleType:
    """.ci/services.py as a module (its folder is not a package)."""
    spec = importlib.util.spec_from_file_location("ci_services", REPO / ".ci" / "services.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout_s: float = 30.0, interval_s: float = 0.1) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s: {condition}")


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def app_env(**overrides: str) -> dict[str, str]:
    """The environment of a production-like process: test settings, DEBUG off."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "plantracker.settings.test",
        "DJANGO_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }


class AppServer:
    """`gunicorn plantracker.wsgi` on a free loopback port (two workers, two threads each)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "plantracker.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "2",
                "--timeout",
                "120",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(self._answers, 60)
        return self

    def _answers(self) -> bool:
        assert self.process.poll() is None, self.tail()
        try:
            requests.get(self.url + "/api/v1/schema/", timeout=5)
        except requests.RequestException:
            return False
        return True

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class PostgresControl:
    """Stop (as a crash would) and start again the cluster behind `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        with psycopg.connect(url, autocommit=True) as conn:
            self.data_dir = Path(conn.execute("SHOW data_directory").fetchone()[0])
            self.port = int(conn.execute("SHOW port").fetchone()[0])

    def _pg_ctl(self, *args: str) -> None:
        services = ci_services()
        command = [services.pg_tool("pg_ctl"), "-D", str(self.data_dir), *args]
        subprocess.run(services.as_pg_user(command), check=True, stdout=subprocess.DEVNULL)

    def crash(self) -> None:
        """Immediate shutdown: every backend killed, nothing committed is lost."""
        self._pg_ctl("-m", "immediate", "stop")

    def start(self) -> None:
        root = self.data_dir.parent  # .ci/services.py: <root>/data, sockets in <root>
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        self._pg_ctl("-o", options, "-l", str(root / "log"), "-w", "start")


class RedisServer:
    """A redis-server of our own on a fixed port, so it can be killed and started again."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> RedisServer:
        server = shutil.which("redis-server")
        assert server, "redis-server is installed by `make deps-system`"
        where = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(
            [server, *where, "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
        )
        ci_services().wait_for_port(self.port)
        return self

    def kill(self) -> None:
        """SIGKILL: the queue in memory is gone, as after a crash of the Redis host."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def is_down(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) != 0
