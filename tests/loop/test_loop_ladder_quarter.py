"""The ladder over a simulated quarter on the real 2025 plan (Q3, every working day on the
official calendar): never more than one open 督办单 per task, none for a missing monthly
report, and each digest lists exactly what its recipient must act on."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count, Q

from tasks_app.models import (
    Notification,
    ReminderDispatch,
    ReminderEscalation,
    SupervisionNotice,
    User,
)
from tasks_app.org.accounts import demo_accounts_ensure
from tasks_app.reminders.run import reminders_run
from tasks_app.supervision.notices import notice_answer, notice_review
from tasks_app.workflow.workdays import is_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN = (SupervisionNotice.Status.OPEN, SupervisionNotice.Status.ANSWERED)


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [day for day in days if is_working_day(day)]


def check_digests(day: dt.date) -> None:
    """Each digest's listed items are ledger rows of that digest; its total is all of them."""
    for digest in Notification.objects.filter(kind="reminder_digest", payload__run_date=str(day)):
        ledger = set(
            ReminderDispatch.objects.filter(notification=digest).values_list("item_key", "level")
        )
        listed = {(item["key"], item["level"]) for item in digest.payload["items"]}
        assert listed <= ledger and digest.payload["total"] == len(ledger)


def answer_one(day: dt.date) -> None:
    """Once a week a department answers its oldest open notice; the office accepts it."""
    notice = SupervisionNotice.objects.filter(kind="notice", status="open").order_by("pk").first()
    if notice is None:
        return
    lead = User.objects.get(username=f"lead.{notice.department.code}")
    notice_answer(notice=notice, actor=lead, text=f"{day} 已整改")
    supervisor = User.objects.get(username="supervisor")
    notice_review(notice=notice, actor=supervisor, accept=True)


@pytest.mark.slow
def test_a_quarter_of_daily_runs(plan) -> None:
    demo_accounts_ensure(password="x-demo-password-1")
    days = working_days(dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    for day in days:
        with time_machine.travel(dt.datetime.combine(day, dt.time(9), SHANGHAI), tick=False):
            if day.weekday() == 0:
                answer_one(day)
            reminders_run(today=day)
        most_open = (
            SupervisionNotice.objects.filter(kind="notice", status__in=OPEN)
            .values("task")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("n", flat=True)
            .first()
        )
        assert (most_open or 0) <= 1, day
        check_digests(day)
    notices = SupervisionNotice.objects.filter(kind="notice")
    assert 0 < notices.count() <= plan.tasks.count()
    # Every notice stands for a task's own deadline or milestone, never a report.
    escalated = ReminderEscalation.objects.filter(notice__isnull=False)
    assert not escalated.exclude(
        Q(item_key__startswith="task_deadline:") | Q(item_key__startswith="milestone:")
    ).exists()
    assert SupervisionNotice.objects.filter(status="closed", kind="notice").exists()
    # Monthly reports are chased by urges: staff and leads heard of them.
    reports = ReminderDispatch.objects.filter(item_kind="progress_report")
    assert reports.filter(recipient__username__startswith="staff.").exists()
    # An unanswered notice climbed the ladder: its lead was reminded to answer.
    answers = ReminderDispatch.objects.filter(item_kind="supervision_notice")
    assert answers.filter(recipient__username__startswith="lead.", level="overdue").exists()
    assert answers.filter(level="supervision", recipient__username="supervisor").exists()
