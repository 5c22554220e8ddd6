"""Celery configured as its own documentation advises for reliable tasks, in production.

Read from a process started with the production settings and a Redis broker URL (as
docker-compose runs it): late acknowledgement, requeue when a worker dies, one message
prefetched at a time, JSON only, time limits on every task, a Redis visibility timeout
longer than the longest task and the longest retry countdown (or Redis would hand the
same message to a second worker), the database beat scheduler, and exactly one beat.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.conftest import REPO

PROBE = """
import json, django
django.setup()
from django.conf import settings
from plantracker.celery import app
app.loader.import_default_modules()
conf = app.conf
hard, soft = conf.task_time_limit, conf.task_soft_time_limit
tasks = {
    name: [task.time_limit or hard, task.soft_time_limit or soft]
    for name, task in app.tasks.items() if not name.startswith("celery.")
}
print(json.dumps({
    "acks_late": conf.task_acks_late,
    "reject_on_worker_lost": conf.task_reject_on_worker_lost,
    "prefetch": conf.worker_prefetch_multiplier,
    "accept": list(conf.accept_content),
    "serializers": [conf.task_serializer, conf.result_serializer],
    "time_limits": [conf.task_time_limit, conf.task_soft_time_limit],
    "visibility_timeout": conf.broker_transport_options.get("visibility_timeout"),
    "beat_scheduler": conf.beat_scheduler,
    "tasks": tasks,
    "retry_max_countdown": settings.PLANTRACKER["DELIVERY_BACKOFF_MAX_SECONDS"] + 1,
}))
"""


def _production_celery_conf() -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "plantracker.settings.production",
        "DJANGO_SECRET_KEY": "celery-config-probe-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "plan.example.gov.cn",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_celery_follows_its_reliability_advice_in_production() -> None:
    conf = _production_celery_conf()
    assert conf["acks_late"] is True
    assert conf["reject_on_worker_lost"] is True
    assert conf["prefetch"] == 1
    assert conf["accept"] == ["json"]
    assert conf["serializers"] == ["json", "json"]
    hard, soft = conf["time_limits"]
    assert hard and soft and soft < hard
    assert conf["beat_scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"

    ours = {name: limits for name, limits in conf["tasks"].items() if "_app." in name}
    assert len(ours) >= 5, conf["tasks"]
    for name, (task_hard, task_soft) in ours.items():
        assert task_hard and task_soft and task_soft < task_hard, name
    longest = max(task_hard for task_hard, _ in conf["tasks"].values())
    assert conf["visibility_timeout"] > longest
    assert conf["visibility_timeout"] > conf["retry_max_countdown"]


def test_exactly_one_beat_and_workers_without_beat() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    commands = {name: str(service.get("command", "")) for name, service in services.items()}
    beats = [name for name, command in commands.items() if " beat" in command]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    workers = [name for name, command in commands.items() if " worker" in command]
    assert workers and all("--beat" not in commands[name] for name in workers)
    assert all("--prefetch-multiplier 1" in commands[name] for name in workers)
