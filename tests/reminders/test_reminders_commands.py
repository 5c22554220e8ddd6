"""`manage.py run_reminders` runs the same service as Celery; the default beat schedule is
installed in the database by a migration."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from plantracker.celery import app as celery_app
from tasks_app.models import Delivery, ReminderDispatch


def _run(*args: str) -> list[dict]:
    out = StringIO()
    call_command("run_reminders", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
def test_run_reminders_with_a_date_and_in_process_delivery(world):
    summary, deliveries = _run("--today", "2025-09-28", "--deliver-now")
    assert summary["skipped"] is False and summary["dispatches"] > 0
    assert deliveries["deliveries"]["sent"] == Delivery.objects.filter(status="sent").count() > 0
    assert any(m.to == [world.owner.email] for m in mail.outbox)
    again, _ = _run("--today", "2025-09-28", "--deliver-now")
    assert again["dispatches"] == 0


@pytest.mark.django_db
def test_run_reminders_skips_a_holiday_and_rejects_a_bad_date(world):
    (summary,) = _run("--today", "2025-10-03")
    assert summary["skipped"] is True and not ReminderDispatch.objects.exists()
    with pytest.raises(CommandError):
        call_command("run_reminders", "--today", "2025-13-01")


@pytest.mark.django_db
def test_the_default_schedule_is_in_the_database():
    daily = PeriodicTask.objects.get(name="每日提醒")
    assert daily.task == "tasks_app.reminders_run" and daily.enabled
    cron = daily.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year, cron.day_of_week) == (
        "0",
        "9",
        "*",
        "*",
        "*",
    )
    assert str(cron.timezone) == "Asia/Shanghai"
    quarterly = PeriodicTask.objects.get(name="季度汇总")
    assert quarterly.task == "tasks_app.rollup_build_quarter_closed"
    cron = quarterly.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year) == (
        "0",
        "6",
        "1",
        "1,4,7,10",
    )
    assert str(cron.timezone) == "Asia/Shanghai"
    sweep = PeriodicTask.objects.get(name="投递补发")
    assert sweep.task == "tasks_app.deliveries_sweep" and sweep.interval.every == 5
    celery_app.loader.import_default_modules()  # what a worker does at start
    registered = set(celery_app.tasks)
    for task in PeriodicTask.objects.filter(name__in=["每日提醒", "季度汇总", "投递补发"]):
        assert task.task in registered
