"""Redis (broker and cache) killed under a running app (gunicorn), then back.

While Redis is down the API keeps serving: reads, token refreshes, and writes whose
transactions enqueue Celery messages on commit (an urge that notifies by e-mail, a rollup
build) — the rate throttles let them through; /healthz says 503, and password logins are
refused with 503 (the lockout counter is unreadable: fail closed). The reminders' outbox
(Delivery rows, written in the write's own transaction) is the bookkeeping that survives:
once Redis is back and a worker starts, every e-mail the urge owed reaches a real SMTP
server exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tasks_app.models import Channel, Delivery, DeliveryStatus, Notification, RollupJob, Task
from tests.api.tasks_support import World
from tests.conftest import PASSWORD
from tests.integration.celery_support import CeleryWorker
from tests.integration.celery_support import test_database_url as worker_database_url
from tests.reminders.receivers import SmtpServer, wait_for
from tests.security.figures import count
from tests.security.servers import AppServer, RedisServer, app_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def app(redis_server: RedisServer, tmp_path: Path) -> Iterator[AppServer]:
    env = app_env(
        DATABASE_URL=worker_database_url(),
        CELERY_BROKER_URL=f"{redis_server.url}/0",
        CACHE_URL=f"{redis_server.url}/1",
    )
    server = AppServer(env, tmp_path / "gunicorn.log").start()
    yield server
    server.stop()


def _login(app: AppServer, username: str) -> requests.Response:
    return requests.post(
        f"{app.url}/api/v1/auth/token/",
        json={"username": username, "password": PASSWORD},
        timeout=30,
    )


def test_redis_down_the_api_serves_and_the_outbox_delivers_when_it_is_back(
    world: World, app: AppServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    tokens = _login(app, world.supervisor.username).json()
    supervisor = {"Authorization": f"Bearer {tokens['access']}"}
    task_url = f"{app.url}/api/v1/tasks/{world.task.pk}/"
    redis_server.kill()
    assert redis_server.is_down()
    count("faults injected: Redis (broker + cache) killed under a running app", 1)

    assert requests.get(f"{app.url}/healthz").json()["checks"]["broker"] is False
    # Password logins wait for the lockout counter (fail closed); refresh tokens still work.
    refused = _login(app, world.lead_lead.username)
    assert refused.status_code == 503, refused.text[:300]
    assert refused.json()["errors"][0]["code"] == "unavailable"
    refreshed = requests.post(
        f"{app.url}/api/v1/auth/token/refresh/", json={"refresh": tokens["refresh"]}, timeout=30
    )
    assert refreshed.status_code == 200, refreshed.text[:300]
    read = requests.get(task_url, headers=supervisor, timeout=30)
    assert read.status_code == 200, (read.status_code, read.text[:300], app.tail())
    urged = requests.post(
        f"{task_url}urge/", json={"comment": "Redis 宕机期间的催办"}, headers=supervisor, timeout=30
    )
    assert urged.status_code == 201, (urged.status_code, urged.text[:300], app.tail())
    renamed = requests.patch(task_url, json={"title": "宕机期间改名"}, headers=supervisor)
    assert renamed.status_code == 200, renamed.text[:300]
    built = requests.post(
        f"{app.url}/api/v1/rollups/", json={"year": world.plan.year, "quarter": 1},
        headers=supervisor,
    )  # fmt: skip
    assert built.status_code == 202, built.text[:300]
    assert Task.objects.get(pk=world.task.pk).title == "宕机期间改名"
    assert RollupJob.objects.get(pk=built.json()["job"]).status == RollupJob.Status.QUEUED

    owed = Delivery.objects.filter(channel=Channel.EMAIL, notification__kind="urge")
    assert owed.exists() and set(owed.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    recipients = set(owed.values_list("target", flat=True))
    assert world.lead_lead.email in recipients
    count("e-mails owed while Redis was down", owed.count())

    with SmtpServer() as smtp:
        redis_server.start()  # same port, empty: whatever was "sent" meanwhile is gone
        worker = CeleryWorker(
            tmp_path / "worker.log",
            {"CELERY_BROKER_URL": f"{redis_server.url}/0", "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"},
        )  # fmt: skip
        worker.start()
        try:
            wait_for(
                lambda: set(owed.values_list("status", flat=True)) == {DeliveryStatus.SENT}, 90
            )
        finally:
            worker.stop()
        received = sorted(m.rcpt_tos[0] for m in smtp.messages)
    assert received == sorted(owed.values_list("target", flat=True)), worker.tail()
    assert len({m.delivery_id for m in smtp.messages}) == owed.count()  # each exactly once
    notified = Notification.objects.filter(kind="urge", recipient=world.lead_lead)
    assert notified.count() == 1  # and the in-app inbox had it all along
    count("e-mails delivered after Redis came back (each once)", len(received))
