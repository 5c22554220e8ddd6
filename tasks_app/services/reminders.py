"""reminders_run: the daily reminder run (phase 1 of 2: decide and record; never send).

In one transaction, serialised per day by a row lock on ReminderRun:
  1. every provider's items (set-based queries, constant in number);
  2. the ladder's candidates (item, rung, recipient) minus the cool-down, read from the
     ledger (REMINDER_COOLDOWN_WORKING_DAYS; the same day always counts);
  3. supervision notices (督办单) for items newly at the supervision rung;
  4. one digest Notification per recipient, the ledger rows (unique per item, rung,
     recipient and day) and the outbox Delivery rows for e-mail and webhook.
On commit the deliveries go to the workers (phase 2, tasks_app.services.deliveries).
A repeated, retried or crashed run therefore records each reminder exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tasks_app.models import (
    Delivery,
    Department,
    Notification,
    ReminderDispatch,
    ReminderRun,
    User,
)
from tasks_app.reminders.channels import RenderedMessage
from tasks_app.reminders.digest import digest_render
from tasks_app.reminders.ladder import Audience, Candidate, LadderRules, candidates_for
from tasks_app.reminders.registry import collect_items
from tasks_app.services.deliveries import (
    deliveries_build,
    deliveries_enqueue,
    deliveries_sweep,
    webhook_targets,
)
from tasks_app.services.reminder_notices import reminder_notices_issue
from tasks_app.workdays import add_working_days, is_working_day

DIGEST_KIND = "reminder_digest"
BULK_BATCH = 1000  # rows per INSERT; one district fits in one batch of each


@dataclass
class RunSummary:
    today: dt.date
    skipped: bool = False
    reason: str = ""
    items: int = 0
    candidates: int = 0
    dispatches: int = 0
    digests: int = 0
    deliveries: int = 0
    notices: int = 0

    def as_dict(self) -> dict:
        return {**asdict(self), "today": self.today.isoformat()}


def _run_lock(today: dt.date) -> ReminderRun:
    """The day's run row, locked: concurrent runs of the same day queue up here."""
    ReminderRun.objects.bulk_create([ReminderRun(run_date=today)], ignore_conflicts=True)
    return ReminderRun.objects.select_for_update().get(run_date=today)


def cooldown_start(today: dt.date) -> dt.date:
    """Ledger rows after this date block a re-send (today's always do)."""
    days = settings.PLANTRACKER["REMINDER_COOLDOWN_WORKING_DAYS"]
    return add_working_days(today, -days) if days > 0 else today - dt.timedelta(days=1)


def outside_cooldown(candidates: list[Candidate], today: dt.date) -> list[Candidate]:
    """Drop candidates sent at the same rung to the same person recently. One query."""
    recent = set(
        ReminderDispatch.objects.filter(
            run_date__gt=cooldown_start(today), run_date__lte=today
        ).values_list("item_key", "level", "recipient_id")
    )
    return [c for c in candidates if c.ledger_key not in recent]


def _item_payload(c: Candidate) -> dict:
    return {
        "key": c.item.key,
        "kind": c.item.kind,
        "level": c.level,
        "title": c.item.title,
        "due_date": c.item.due_date.isoformat(),
        "task_id": c.item.task_id,
        "department_id": c.item.department_id,
        "working_days_overdue": c.working_days_overdue,
    }


@dataclass
class _Digest:
    notification: Notification
    candidates: list[Candidate]
    message: RenderedMessage


def _render_digests(fresh: list[Candidate], rules: LadderRules) -> list[_Digest]:
    """One unsaved digest Notification per recipient, rendered (2 queries)."""
    by_recipient: dict[int, list[Candidate]] = defaultdict(list)
    for c in fresh:
        by_recipient[c.recipient_id].append(c)
    users = User.objects.in_bulk(list(by_recipient))
    departments = dict(
        Department.objects.filter(pk__in={c.item.department_id for c in fresh}).values_list(
            "id", "name"
        )
    )
    digests = []
    for recipient_id in sorted(by_recipient):
        user, mine = users[recipient_id], by_recipient[recipient_id]
        message = digest_render(
            recipient_name=str(user), candidates=mine, rules=rules, departments=departments
        )
        payload = {"run_date": rules.today.isoformat(), "items": [_item_payload(c) for c in mine]}
        notification = Notification(
            recipient=user,
            kind=DIGEST_KIND,
            title=message.title,
            body=message.text,
            payload=payload,
        )
        digests.append(_Digest(notification, mine, message))
    return digests


def _record_digests(fresh: list[Candidate], rules: LadderRules) -> tuple[int, int, list[int]]:
    """Notifications, ledger rows and deliveries for the fresh candidates (6 queries)."""
    digests = _render_digests(fresh, rules)
    targets = webhook_targets({d.notification.recipient_id for d in digests})
    Notification.objects.bulk_create([d.notification for d in digests], batch_size=BULK_BATCH)
    ReminderDispatch.objects.bulk_create(
        [_dispatch(c, d.notification, rules.today) for d in digests for c in d.candidates],
        batch_size=BULK_BATCH,
    )
    outbox = [
        row
        for d in digests
        for row in deliveries_build(
            notification=d.notification,
            recipient=d.notification.recipient,
            message=d.message,
            webhook_url=targets.get(d.notification.recipient_id, ""),
        )
    ]
    Delivery.objects.bulk_create(outbox, batch_size=BULK_BATCH)
    return len(fresh), len(digests), [row.pk for row in outbox]


def _dispatch(c: Candidate, notification: Notification, today: dt.date) -> ReminderDispatch:
    return ReminderDispatch(
        item_key=c.item.key,
        item_kind=c.item.kind,
        item_due_date=c.item.due_date,
        level=c.level,
        recipient_id=c.recipient_id,
        run_date=today,
        department_id=c.item.department_id,
        task_id=c.item.task_id,
        notification=notification,
    )


def _enqueue_after_commit(new_ids: list[int]) -> None:
    """This run's deliveries, plus any left behind by an earlier crash or outage."""
    deliveries_enqueue(sorted(set(new_ids) | set(deliveries_sweep(enqueue=False))))


def reminders_run(*, today: dt.date) -> RunSummary:
    """Record today's reminders (skipped on non-working days by the official calendar)."""
    if not is_working_day(today):
        return RunSummary(today=today, skipped=True, reason="non_working_day")
    with transaction.atomic():
        run = _run_lock(today)
        rules = LadderRules.for_day(today)
        items = collect_items(today=today, warn_until=rules.warn_until)
        candidates = candidates_for(items, rules, Audience.for_items(items))
        fresh = outside_cooldown(candidates, today)
        summary = RunSummary(today=today, items=len(items), candidates=len(candidates))
        summary.notices = reminder_notices_issue(items=items, rules=rules)
        summary.dispatches, summary.digests, delivery_ids = _record_digests(fresh, rules)
        summary.deliveries = len(delivery_ids)
        now = timezone.now()
        run.attempts += 1
        run.started_at = run.started_at or now
        run.finished_at = now
        run.summary = summary.as_dict()
        run.save()
        # A lambda, not functools.partial: Django 5.2 names a failing robust hook by its
        # __qualname__, which a partial lacks (a broker outage failed the run).
        transaction.on_commit(lambda: _enqueue_after_commit(delivery_ids), robust=True)
    return summary
