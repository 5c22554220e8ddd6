"""The daily task on the official calendar, with the clock pinned (time-machine): the
National Day holiday 2025-10-01..08 has no run; the adjusted working Sunday 2025-09-28 and
Saturday 2025-10-11 do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tasks_app.models import Notification, ReminderDispatch, ReminderRun
from tasks_app.tasks import reminders_run_task
from tests.reminders.support import pinned


@pytest.mark.django_db
@pytest.mark.parametrize("day", range(1, 9))
def test_no_run_in_the_national_day_holiday(world, day):
    holiday = dt.date(2025, 10, day)
    with pinned(holiday):
        assert timezone.localdate() == holiday
        summary = reminders_run_task()  # what beat triggers at 09:00, without arguments
    assert summary["skipped"] is True and summary["reason"] == "non_working_day"
    assert not ReminderRun.objects.exists()
    assert not ReminderDispatch.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("day", [dt.date(2025, 9, 28), dt.date(2025, 10, 11)])
def test_adjusted_working_weekends_run(world, day):
    assert day.weekday() >= 5
    with pinned(day):
        summary = reminders_run_task()
    assert summary["skipped"] is False and summary["today"] == day.isoformat()
    assert ReminderRun.objects.get(run_date=day).attempts == 1
    assert ReminderDispatch.objects.filter(run_date=day, item_key=world.deadline_key).exists()
    digest = Notification.objects.get(recipient=world.owner, kind="reminder_digest")
    assert digest.created_at.astimezone(timezone.get_current_timezone()).date() == day


@pytest.mark.django_db
def test_an_ordinary_sunday_has_no_run(world):
    with pinned(dt.date(2025, 9, 21)):
        assert reminders_run_task()["skipped"] is True
    assert not ReminderDispatch.objects.exists()


@pytest.mark.django_db
def test_the_task_accepts_an_explicit_date(world):
    with pinned(dt.date(2025, 10, 3)):  # a holiday, but the operator asks for 09-29
        summary = reminders_run_task("2025-09-29")
    assert summary["skipped"] is False
    assert ReminderRun.objects.filter(run_date=dt.date(2025, 9, 29)).exists()
