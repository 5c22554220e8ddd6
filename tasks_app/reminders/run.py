"""reminders_run: the daily reminder run (phase 1 of 2: decide and record; never send).

In one transaction, serialised per day by a row lock on ReminderRun:
  1. every provider's items (set-based queries, constant in number);
  2. the ladder's candidates (item, rung, recipient) minus the cool-down, read from the
     ledger (REMINDER_COOLDOWN_WORKING_DAYS; the same day always counts). The fan-out to
     supervisors and district leaders is the same list for each of them, so it is kept
     once (_Plan) and expanded one recipient at a time, never as item × recipient objects;
  3. supervision notices (督办单) for items newly at the supervision rung;
  4. one digest Notification per recipient (listing at most DIGEST_MAX_ITEMS items, most
     overdue first, and counting the rest), the ledger rows (every item; unique per item,
     rung, recipient and day) and the outbox Delivery rows for e-mail and webhook —
     written DIGEST_CHUNK recipients / BULK_BATCH rows at a time, all inside the same
     transaction, so memory stays bounded and a crash still leaves nothing behind.
On commit the deliveries go to the workers (phase 2, tasks_app.reminders.deliveries).
A repeated, retried or crashed run therefore records each reminder exactly once.
"""

from __future__ import annotations

import datetime as dt
import heapq
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from tasks_app.inbox.preferences import recipients_reach
from tasks_app.models import (
    Delivery,
    Department,
    Notification,
    ReminderDispatch,
    ReminderLevel,
    ReminderRun,
    User,
)
from tasks_app.reminders.channels import RenderedMessage
from tasks_app.reminders.deliveries import (
    deliveries_build,
    deliveries_enqueue,
    deliveries_sweep,
    webhook_targets,
)
from tasks_app.reminders.digest import (
    board_url,
    digest_max_items,
    digest_order_key,
    digest_render,
)
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.ladder import (
    Audience,
    Candidate,
    LadderRules,
    levels_for,
    working_days_overdue,
)
from tasks_app.reminders.notices import reminder_notices_issue
from tasks_app.reminders.registry import collect_items
from tasks_app.workflow.workdays import add_working_days, is_working_day

DIGEST_KIND = "reminder_digest"
BULK_BATCH = 1000  # rows per INSERT; one district fits in one batch of each
DIGEST_CHUNK = 100  # digests rendered and written at a time (each carries its own texts)
STREAM_CHUNK = 5000  # ledger rows fetched at a time when reading the cool-down


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


# --- the plan of today's reminders, compact ------------------------------------------------
#
# Every escalated item goes to every supervisor (and, further on, every district leader): the
# item × recipient product is large (a city: ~40,000 items × ~50 people) but it is the same
# list for everyone at that rung. So the plan keeps one shared list per shared rung and
# issuing body (a body's supervisors hear of its items only), and
# for the owners and department leads one small list each; an entry is one int, item index
# × LEVELS + rung index. Each recipient's candidates are expanded, filtered by the
# cool-down, rendered and written one recipient at a time, and thrown away.

LEVELS = list(ReminderLevel.values)
N_LEVELS = len(LEVELS)
SHARED_LEVELS = (ReminderLevel.SUPERVISION, ReminderLevel.LEADERS)


@dataclass
class _Plan:
    items: list[ReminderItem]
    late: list[int]  # working days overdue, per item
    personal: dict[int, array]  # recipient → entries (due soon / overdue: owner, leads)
    shared: dict[tuple[str, int | None], array]  # (shared rung, body) → entries
    shared_people: dict[tuple[str, int | None], list[int]]  # (rung, body) → recipients
    candidates: int = 0
    shared_sets: dict[tuple[str, int | None], set[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.shared_sets = {level: set(people) for level, people in self.shared_people.items()}

    def recipients(self) -> list[int]:
        people = set(self.personal)
        for level, entries in self.shared.items():
            if entries:
                people.update(self.shared_people[level])
        return sorted(people)

    def entries_of(self, recipient_id: int) -> Iterator[int]:
        yield from self.personal.get(recipient_id, ())
        for level, entries in self.shared.items():
            if recipient_id in self.shared_sets[level]:
                yield from entries

    def candidate(self, entry: int, recipient_id: int) -> Candidate:
        index, level = divmod(entry, N_LEVELS)
        return Candidate(self.items[index], LEVELS[level], recipient_id, self.late[index])


def _plan(items: list[ReminderItem], rules: LadderRules, audience: Audience) -> _Plan:
    """The same (item, rung, recipient) triples as candidates_for, without the product."""
    personal: dict[int, array] = defaultdict(lambda: array("q"))
    # Supervisors and leaders hear of their own issuing body's items only.
    shared: dict[tuple[str, int | None], array] = {}
    shared_people: dict[tuple[str, int | None], list[int]] = {}
    late_of = []
    count = 0
    for index, item in enumerate(items):
        late_of.append(working_days_overdue(item.due_date, rules.today))
        for level in levels_for(item, rules):
            entry = index * N_LEVELS + LEVELS.index(level)
            if level in SHARED_LEVELS:
                key = (level, audience.body_of(item))
                if key not in shared:
                    shared[key] = array("q")
                    shared_people[key] = audience.district_people(*key)
                shared[key].append(entry)
                count += len(shared_people[key])
                continue
            for recipient_id in audience.recipients(item, level):
                personal[recipient_id].append(entry)
                count += 1
    return _Plan(items, late_of, dict(personal), shared, shared_people, count)


def _recent_entries(plan: _Plan, today: dt.date) -> dict[int, frozenset[int]]:
    """recipient → entries sent within the cool-down (one query, streamed). Identical sets
    (every supervisor heard of the same items) are stored once."""
    index_of = {item.key: index for index, item in enumerate(plan.items)}
    level_of = {level: index for index, level in enumerate(LEVELS)}
    rows = (
        ReminderDispatch.objects.filter(run_date__gt=cooldown_start(today), run_date__lte=today)
        .order_by("recipient_id")
        .values_list("recipient_id", "item_key", "level")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    recent: dict[int, frozenset[int]] = {}
    interned: dict[frozenset[int], frozenset[int]] = {}

    def keep(recipient_id: int | None, entries: set[int]) -> None:
        if recipient_id is not None and entries:
            frozen = frozenset(entries)
            recent[recipient_id] = interned.setdefault(frozen, frozen)

    current, entries = None, set()
    for recipient_id, item_key, level in rows:
        if recipient_id != current:
            keep(current, entries)
            current, entries = recipient_id, set()
        index = index_of.get(item_key)
        if index is not None and level in level_of:
            entries.add(index * N_LEVELS + level_of[level])
    keep(current, entries)
    return recent


class _Batches:
    """bulk_create in BULK_BATCH rows at a time, whatever the recipient they belong to."""

    def __init__(self, model: type[Model], *, keep_ids: bool = False) -> None:
        self.model, self.keep_ids = model, keep_ids
        self.rows: list[Model] = []
        self.ids: list[int] = []
        self.count = 0

    def add(self, row: Model) -> None:
        self.rows.append(row)
        if len(self.rows) >= BULK_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.model.objects.bulk_create(self.rows, batch_size=BULK_BATCH)
            self.count += len(self.rows)
            if self.keep_ids:
                self.ids.extend(row.pk for row in self.rows)
            self.rows = []


@dataclass
class _Digest:
    notification: Notification
    fresh: array  # this recipient's entries after the cool-down
    message: RenderedMessage


def _render_digest(
    plan: _Plan, user: User, fresh: array, rules: LadderRules, departments: dict[int, str]
) -> _Digest:
    """One unsaved digest Notification, listing at most DIGEST_MAX_ITEMS items."""
    shown = heapq.nsmallest(
        digest_max_items(),
        (plan.candidate(entry, user.pk) for entry in fresh),
        key=digest_order_key,
    )
    message = digest_render(
        recipient_name=str(user),
        candidates=shown,
        rules=rules,
        departments=departments,
        total=len(fresh),
    )
    by_level = Counter(LEVELS[entry % N_LEVELS] for entry in fresh)
    payload = {
        "run_date": rules.today.isoformat(),
        "total": len(fresh),
        "counts": {level: by_level[level] for level in LEVELS if by_level[level]},
        "items": [_item_payload(c) for c in shown],
        "more": len(fresh) - len(shown),
        "board_url": board_url(),
    }
    notification = Notification(
        recipient=user, kind=DIGEST_KIND, title=message.title, body=message.text, payload=payload
    )
    return _Digest(notification, fresh, message)


def _record_digests(
    plan: _Plan, recent: dict[int, frozenset[int]], rules: LadderRules
) -> tuple[int, int, list[int]]:
    """Notifications, ledger rows and deliveries, DIGEST_CHUNK recipients at a time. The
    recipients, departments, webhook targets and preferences are read once (4 queries);
    then only INSERT batches."""
    people = plan.recipients()
    users = User.objects.in_bulk(people)
    departments = dict(
        Department.objects.filter(pk__in={item.department_id for item in plan.items}).values_list(
            "id", "name"
        )
    )
    targets = webhook_targets(people)
    reaches = recipients_reach(people)
    dispatches = _Batches(ReminderDispatch)
    outbox = _Batches(Delivery, keep_ids=True)
    digests = 0
    for start in range(0, len(people), DIGEST_CHUNK):
        chunk = []
        for recipient_id in people[start : start + DIGEST_CHUNK]:
            blocked = recent.get(recipient_id, frozenset())
            fresh = array("q", (e for e in plan.entries_of(recipient_id) if e not in blocked))
            if fresh:
                chunk.append(_render_digest(plan, users[recipient_id], fresh, rules, departments))
        Notification.objects.bulk_create([d.notification for d in chunk], batch_size=BULK_BATCH)
        digests += len(chunk)
        for d in chunk:
            for entry in d.fresh:
                dispatches.add(_dispatch(plan, entry, d.notification, rules.today))
            for row in deliveries_build(
                notification=d.notification,
                recipient=d.notification.recipient,
                message=d.message,
                webhook_url=targets.get(d.notification.recipient_id, ""),
                reach=reaches.get(d.notification.recipient_id),
            ):
                outbox.add(row)
    dispatches.flush()
    outbox.flush()
    return dispatches.count, digests, outbox.ids


def _dispatch(
    plan: _Plan, entry: int, notification: Notification, today: dt.date
) -> ReminderDispatch:
    index, level = divmod(entry, N_LEVELS)
    item = plan.items[index]
    return ReminderDispatch(
        item_key=item.key,
        item_kind=item.kind,
        item_due_date=item.due_date,
        level=LEVELS[level],
        recipient_id=notification.recipient_id,
        run_date=today,
        department_id=item.department_id,
        task_id=item.task_id,
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
        plan = _plan(items, rules, Audience.for_items(items))
        recent = _recent_entries(plan, today)
        summary = RunSummary(today=today, items=len(items), candidates=plan.candidates)
        summary.notices = reminder_notices_issue(items=items, rules=rules)
        summary.dispatches, summary.digests, delivery_ids = _record_digests(plan, recent, rules)
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
