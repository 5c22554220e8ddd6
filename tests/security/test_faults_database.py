"""PostgreSQL crashing under a running app (gunicorn, its own throw-away cluster).

Two writes are caught in flight: a comment and a progress report (report row, task
progress and version) have written their first rows and wait, inside their transactions,
for the history table that the test holds locked. Then PostgreSQL is killed (`pg_ctl -m
immediate`). Both requests answer a clean 503 JSON error (code "unavailable"), so do
/healthz, reads, writes and logins while it is down; after a restart nothing of either
transaction exists, and the same write then succeeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests

from tests.security.figures import count
from tests.security.servers import (
    AppServer,
    PostgresControl,
    app_env,
    ci_services,
    manage,
    wait_until,
)

PASSWORD = "fault-Test-pw-2025"
WAITING_ON_HISTORY = """
    SELECT count(*) FROM pg_stat_activity
    WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "tasks_app_historyevent"%'
"""
HOLDS_WRITE_LOCK = """
    SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted
"""


@pytest.fixture
def cluster() -> Iterator[str]:
    with ci_services().postgres() as url:
        yield url


@pytest.fixture
def app(cluster: str, tmp_path: Path) -> Iterator[AppServer]:
    env = app_env(DATABASE_URL=cluster, CACHE_URL="locmemcache://")
    manage("migrate", "--noinput", env=env)
    manage("import_plan", "seeds/daxing-2025/plan.txt", env=env)
    manage("seed_demo", "--password", PASSWORD, env=env)
    server = AppServer(env, tmp_path / "gunicorn.log").start()
    yield server
    server.stop()


def _snapshot(url: str, task_id: int) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        one = lambda sql, *args: conn.execute(sql, args).fetchone()  # noqa: E731
        return {
            "comments": one("SELECT count(*) FROM tasks_app_comment")[0],
            "reports": one("SELECT count(*) FROM tasks_app_progressreport")[0],
            "history": one("SELECT count(*) FROM tasks_app_historyevent")[0],
            "task": one("SELECT progress, version FROM tasks_app_task WHERE id = %s", task_id),
        }


def _a_task_and_its_lead(url: str) -> tuple[int, str]:
    with psycopg.connect(url, autocommit=True) as conn:
        task_id, code = conn.execute(
            "SELECT t.id, d.code FROM tasks_app_task t"
            " JOIN tasks_app_department d ON d.id = t.lead_department_id ORDER BY t.code LIMIT 1"
        ).fetchone()
    return task_id, f"lead.{code}"


def _assert_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] == "server_error"
    assert [e["code"] for e in body["errors"]] == ["unavailable"]


def test_database_crash_mid_write_is_a_clean_503_and_writes_nothing(
    cluster: str, app: AppServer
) -> None:
    task_id, username = _a_task_and_its_lead(cluster)
    token = requests.post(
        f"{app.url}/api/v1/auth/token/", json={"username": username, "password": PASSWORD}
    ).json()["access"]
    auth = {"Authorization": f"Bearer {token}"}
    api = f"{app.url}/api/v1/tasks/{task_id}"
    assert requests.get(f"{app.url}/healthz").status_code == 200
    before = _snapshot(cluster, task_id)

    writes = {
        "comment": (f"{api}/comments/", {"body": "数据库宕机前的意见"}),
        "report": (
            f"{api}/progress-reports/",
            {"percent": 55, "narrative": "宕机前的报告", "red_reason": "滞后原因"},
        ),
    }
    holder = psycopg.connect(cluster)  # holds the history table until the crash kills it
    holder.execute("LOCK TABLE tasks_app_historyevent IN EXCLUSIVE MODE")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(requests.post, url, json=body, headers=auth, timeout=60)
            for name, (url, body) in writes.items()
        }
        with psycopg.connect(cluster, autocommit=True) as monitor:
            wait_until(lambda: monitor.execute(WAITING_ON_HISTORY).fetchone()[0] == 2)
            # Both transactions have written rows of their own before waiting.
            for table in ("tasks_app_comment", "tasks_app_progressreport", "tasks_app_task"):
                assert monitor.execute(HOLDS_WRITE_LOCK, [table]).fetchone()[0] >= 1, table
        pg = PostgresControl(cluster)
        pg.crash()
        answers = {name: future.result() for name, future in futures.items()}
    holder.close()
    count("faults injected: PostgreSQL killed under in-flight writes", 1)
    count("in-flight writes caught by the PostgreSQL crash (none persisted)", len(answers))
    for answer in answers.values():
        _assert_unavailable(answer)

    health = requests.get(f"{app.url}/healthz")
    assert health.status_code == 503 and health.json()["checks"]["database"] is False
    _assert_unavailable(requests.get(f"{api}/", headers=auth))
    _assert_unavailable(requests.post(f"{api}/comments/", json={"body": "宕机中"}, headers=auth))
    _assert_unavailable(
        requests.post(
            f"{app.url}/api/v1/auth/token/", json={"username": username, "password": PASSWORD}
        )
    )

    pg.start()
    wait_until(lambda: requests.get(f"{app.url}/healthz").status_code == 200, 60)
    assert _snapshot(cluster, task_id) == before, "a crashed transaction left rows behind"
    again = requests.post(f"{api}/comments/", json={"body": "恢复后的意见"}, headers=auth)
    assert again.status_code == 201, again.text
    assert _snapshot(cluster, task_id)["comments"] == before["comments"] + 1
