"""reminders_run: the daily reminder run (phase 1 of 2: decide and record; never send).

In one transaction, serialised per day by a row lock on ReminderRun:
  1. every provider's items (set-based queries, constant in number);
  2. supervision notices (督办单) for items newly at the supervision rung;
  3. the ladder's candidates (item, rung, recipient) minus the cool-down, read from the
     ledger (REMINDER_COOLDOWN_WORKING_DAYS; the same day always counts), and
  4. one digest Notification per recipient (listing at most DIGEST_MAX_ITEMS items, most
     overdue first, and counting the rest), the ledger rows (every item; unique per item,
     rung, recipient and day) and the outbox Delivery rows for e-mail, webhook and push —
     set-based: items and recipients go into temporary tables, the database makes the
     item × recipient product, filters, counts and ranks it and writes it with
     INSERT … SELECT. A constant number of statements whatever the size; memory bounded
     by items and recipients, never by their product (docs/reminders-set-based.md).
On commit the deliveries go to the workers (phase 2, tasks_app.reminders.deliveries).
A repeated, retried or crashed run therefore records each reminder exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
from django.utils import timezone

from tasks_app.inbox.preferences import Reach, recipients_reach
from tasks_app.models import (
    Delivery,
    DeliveryStatus,
    Department,
    Notification,
    ReminderDispatch,
    ReminderLevel,
    ReminderRun,
    User,
)
from tasks_app.reminders.deliveries import (
    deliveries_build,
    deliveries_enqueue,
    deliveries_sweep,
    webhook_targets,
)
from tasks_app.reminders.digest import DigestMemo, board_url, digest_max_items, digest_render
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
from tasks_app.reminders.staging import Staging, on_postgres, reserve_ids
from tasks_app.workflow.workdays import add_working_days, is_working_day

DIGEST_KIND = "reminder_digest"


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


# --- today's reminders, set-based -----------------------------------------------------------
#
# Every escalated item goes to every supervisor (and, further on, every district leader) of
# its issuing body: the item × recipient product is large (a city: ~40,000 items × ~50
# people, ~1.4 million ledger rows). So Python only ever holds items (one row each, with
# their rungs and, for the owner and department leads, their few personal recipients) and
# recipients (one digest each); the product is made, filtered by the cool-down, counted,
# ranked and written by the database, in a constant number of statements:
#
#   rem_item      one row per item with a rung today; idx = its rank in the digest order
#                 (due date, title, key), so "most overdue first" is (rung desc, idx)
#   rem_target    (item, rung, recipient) for personal rungs; (item, rung, body) for shared
#   rem_audience  (rung, body, recipient): the supervisors / leaders of each issuing body
#   rem_fresh     the candidates (target ⋈ audience) not sent within the cool-down
#   rem_out       the digests (one per recipient, with its preallocated notification id)
#                 and their outbox rows, rendered in Python one recipient at a time
# then INSERT … SELECT into the notifications, the outbox and the ledger (docs/
# reminders-set-based.md).

LEVELS = list(ReminderLevel.values)
RUNG = {level: index for index, level in enumerate(LEVELS)}
SHARED_LEVELS = (ReminderLevel.SUPERVISION, ReminderLevel.LEADERS)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _json_param() -> str:
    return "CAST(%s AS jsonb)" if on_postgres() else "%s"


def _json_column(name: str) -> str:
    return f"CAST({name} AS jsonb)" if on_postgres() else name


def _stage_candidates(
    stage: Staging, items: list[ReminderItem], rules: LadderRules, audience: Audience
) -> int:
    """rem_item, rem_target and rem_audience; returns the number of candidates (before the
    cool-down), as candidates_for would count them."""
    stage.create(
        "rem_item",
        "idx integer PRIMARY KEY, item_key varchar(120) NOT NULL, kind varchar(30) NOT NULL, "
        "due_date date NOT NULL, department_id bigint, task_id bigint",
    )
    stage.create(
        "rem_target",
        "idx integer NOT NULL, rung integer NOT NULL, level varchar(16) NOT NULL, "
        "recipient_id bigint, body_id bigint",
    )
    stage.create(
        "rem_audience", "rung integer NOT NULL, body_id bigint NOT NULL, recipient_id bigint"
    )
    date = connection.ops.adapt_datefield_value
    stage.load(
        "rem_item",
        ("idx", "item_key", "kind", "due_date", "department_id", "task_id"),
        (
            (idx, i.key, i.kind, date(i.due_date), i.department_id, i.task_id)
            for idx, i in enumerate(items)
            if levels_for(i, rules)
        ),
    )
    shared_people: dict[tuple[str, int], list[int]] = {}
    for level in SHARED_LEVELS:
        by_body = (
            audience.supervisors_by_body
            if level == ReminderLevel.SUPERVISION
            else audience.leaders_by_body
        )
        for body_id in by_body:
            shared_people[(level, body_id)] = audience.district_people(level, body_id)
    count = 0

    def targets() -> Iterator[tuple]:
        nonlocal count
        for idx, item in enumerate(items):
            for level in levels_for(item, rules):
                if level in SHARED_LEVELS:
                    body_id = audience.body_of(item)
                    people = shared_people.get((level, body_id), ())
                    if people:
                        count += len(people)
                        yield (idx, RUNG[level], level, None, body_id)
                    continue
                for recipient_id in audience.recipients(item, level):
                    count += 1
                    yield (idx, RUNG[level], level, recipient_id, None)

    stage.load("rem_target", ("idx", "rung", "level", "recipient_id", "body_id"), targets())
    stage.load(
        "rem_audience",
        ("rung", "body_id", "recipient_id"),
        (
            (RUNG[level], body_id, recipient_id)
            for (level, body_id), people in shared_people.items()
            for recipient_id in people
        ),
    )
    stage.analyze()
    return count


def _stage_fresh(stage: Staging, today: dt.date) -> None:
    """rem_fresh: (recipient, rung, level, item) due today and not sent in the cool-down
    (the ledger's unique index (item_key, level, recipient, run_date) answers NOT EXISTS)."""
    date = connection.ops.adapt_datefield_value
    stage.create_as(
        "rem_fresh",
        f"""
        SELECT c.recipient_id, c.rung, c.level, c.idx
        FROM (
            SELECT idx, rung, level, recipient_id FROM rem_target
            WHERE recipient_id IS NOT NULL
            UNION ALL
            SELECT t.idx, t.rung, t.level, a.recipient_id
            FROM rem_target t JOIN rem_audience a ON a.rung = t.rung AND a.body_id = t.body_id
            WHERE t.recipient_id IS NULL
        ) c
        JOIN rem_item i ON i.idx = c.idx
        WHERE NOT EXISTS (
            SELECT 1 FROM {_table(ReminderDispatch)} d
            WHERE d.item_key = i.item_key AND d.level = c.level
              AND d.recipient_id = c.recipient_id
              AND d.run_date > %s AND d.run_date <= %s
        )
        """,
        [date(cooldown_start(today)), date(today)],
    )


@dataclass
class _Listing:
    """Per recipient (ascending): counts per rung, and the first DIGEST_MAX_ITEMS entries
    in digest order — ints only, bounded by recipients × DIGEST_MAX_ITEMS."""

    recipients: array = field(default_factory=lambda: array("q"))
    counts: list[tuple[int, ...]] = field(default_factory=list)
    shown_from: array = field(default_factory=lambda: array("q"))  # offset into the below
    shown_idx: array = field(default_factory=lambda: array("q"))
    shown_rung: array = field(default_factory=lambda: array("b"))


def _listing(cursor: CursorWrapper, limit: int) -> _Listing:
    listing = _Listing()
    cursor.execute(
        "SELECT recipient_id, rung, COUNT(*) FROM rem_fresh "
        "GROUP BY recipient_id, rung ORDER BY recipient_id, rung"
    )
    current, counts = None, [0] * len(LEVELS)
    for recipient_id, rung, n in cursor:
        if recipient_id != current:
            if current is not None:
                listing.counts.append(tuple(counts))
            listing.recipients.append(recipient_id)
            current, counts = recipient_id, [0] * len(LEVELS)
        counts[rung] = n
    if current is not None:
        listing.counts.append(tuple(counts))
    cursor.execute(
        """
        SELECT recipient_id, idx, rung FROM (
            SELECT recipient_id, idx, rung,
                   ROW_NUMBER() OVER (PARTITION BY recipient_id ORDER BY rung DESC, idx) AS n
            FROM rem_fresh
        ) ranked
        WHERE n <= %s
        ORDER BY recipient_id, n
        """,
        [limit],
    )
    position, current = 0, None
    for recipient_id, idx, rung in cursor:
        while recipient_id != current:
            current = listing.recipients[position]
            listing.shown_from.append(len(listing.shown_idx))
            position += 1
        listing.shown_idx.append(idx)
        listing.shown_rung.append(rung)
    while position < len(listing.recipients):  # (every recipient has at least one row)
        listing.shown_from.append(len(listing.shown_idx))
        position += 1
    listing.shown_from.append(len(listing.shown_idx))
    return listing


OUT_COLUMNS = (
    "seq",
    "notification_id",
    "recipient_id",
    "channel",
    "title",
    "body",
    "payload",
    "target",
    "next_attempt_at",
)


@dataclass
class _People:
    """What rendering needs of the recipients, read before rem_out is written (nothing
    else may run on the connection during a COPY): 4 queries."""

    users: dict[int, User]
    departments: dict[int, str]
    targets: dict[int, str]
    reaches: dict[int, Reach]

    @classmethod
    def read(cls, people: list[int], items: list[ReminderItem]) -> _People:
        departments = Department.objects.filter(pk__in={item.department_id for item in items})
        return cls(
            users=User.objects.in_bulk(people),
            departments=dict(departments.values_list("id", "name")),
            targets=webhook_targets(people),
            reaches=recipients_reach(people),
        )


def _render_rows(
    listing: _Listing,
    ids: list[int],
    items: list[ReminderItem],
    rules: LadderRules,
    known: _People,
) -> Iterator[tuple]:
    """rem_out's rows: per recipient, the digest, then its outbox rows. No queries."""
    people = list(listing.recipients)
    users, departments, targets, reaches = (
        known.users,
        known.departments,
        known.targets,
        known.reaches,
    )
    moment = connection.ops.adapt_datetimefield_value
    memo = DigestMemo()  # the lines recipients share, rendered once (byte-identical)
    overdue: dict[int, int] = {}  # idx → working days overdue
    payloads: dict[tuple[int, int], dict] = {}  # (idx, rung) → the payload's item

    def candidate(idx: int, rung: int, recipient_id: int) -> tuple[Candidate, dict]:
        days = overdue.get(idx)
        if days is None:
            days = overdue[idx] = working_days_overdue(items[idx].due_date, rules.today)
        c = Candidate(items[idx], LEVELS[rung], recipient_id, days)
        item_payload = payloads.get((idx, rung))
        if item_payload is None:
            item_payload = payloads[(idx, rung)] = _item_payload(c)
        return c, item_payload

    seq = 0
    for position, recipient_id in enumerate(people):
        user = users[recipient_id]
        counts = listing.counts[position]
        total = sum(counts)
        start, end = listing.shown_from[position], listing.shown_from[position + 1]
        shown_pairs = [
            candidate(idx, rung, recipient_id)
            for idx, rung in zip(
                listing.shown_idx[start:end], listing.shown_rung[start:end], strict=True
            )
        ]
        shown = [c for c, _ in shown_pairs]
        message = digest_render(
            recipient_name=str(user),
            candidates=shown,
            rules=rules,
            departments=departments,
            total=total,
            memo=memo,
        )
        payload = {
            "run_date": rules.today.isoformat(),
            "total": total,
            "counts": {level: counts[RUNG[level]] for level in LEVELS if counts[RUNG[level]]},
            "items": [item_payload for _, item_payload in shown_pairs],
            "more": total - len(shown),
            "board_url": board_url(),
        }
        notification = Notification(
            pk=ids[position],
            recipient=user,
            kind=DIGEST_KIND,
            title=message.title,
            body=message.text,
            payload=payload,
        )
        seq += 1
        yield (seq, notification.pk, recipient_id, None, message.title, message.text,
               json.dumps(payload), None, None)  # fmt: skip
        for row in deliveries_build(
            notification=notification,
            recipient=user,
            message=message,
            webhook_url=targets.get(recipient_id, ""),
            reach=reaches.get(recipient_id),
        ):
            seq += 1
            yield (seq, notification.pk, recipient_id, row.channel, None, None,
                   json.dumps(row.payload), row.target, moment(row.next_attempt_at))  # fmt: skip


def _record_digests(
    stage: Staging, items: list[ReminderItem], rules: LadderRules
) -> tuple[int, int, list[int]]:
    """Notifications, outbox rows and ledger rows for rem_fresh: returns (ledger rows,
    digests, delivery ids)."""
    cursor = stage.cursor
    listing = _listing(cursor, digest_max_items())
    ids = reserve_ids(cursor, Notification, len(listing.recipients))
    timestamp = "timestamp with time zone" if on_postgres() else "text"
    stage.create(
        "rem_out",
        "seq integer NOT NULL, notification_id bigint NOT NULL, recipient_id bigint NOT NULL, "
        f"channel varchar(10), title text, body text, payload text, target text, "
        f"next_attempt_at {timestamp}",
    )
    known = _People.read(list(listing.recipients), items)
    stage.load("rem_out", OUT_COLUMNS, _render_rows(listing, ids, items, rules, known))
    if not ids:
        return 0, 0, []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    cursor.execute(
        f"""
        INSERT INTO {_table(Notification)}
            (id, recipient_id, kind, title, body, params, payload, task_id, created_at,
             read_at, updated_at)
        SELECT notification_id, recipient_id, %s, title, body, {_json_param()},
               {_json_column("payload")}, NULL, %s, NULL, %s
        FROM rem_out WHERE channel IS NULL ORDER BY seq
        """,
        [DIGEST_KIND, "{}", now, now],
    )
    cursor.execute(
        f"""
        INSERT INTO {_table(Delivery)}
            (notification_id, recipient_id, channel, target, payload, status, attempts,
             next_attempt_at, lease_until, last_error, sent_at, created_at, updated_at)
        SELECT notification_id, recipient_id, channel, target, {_json_column("payload")},
               %s, 0, next_attempt_at, NULL, '', NULL, %s, %s
        FROM rem_out WHERE channel IS NOT NULL ORDER BY seq
        RETURNING id
        """,
        [DeliveryStatus.PENDING, now, now],
    )
    delivery_ids = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"""
        INSERT INTO {_table(ReminderDispatch)}
            (item_key, item_kind, item_due_date, level, recipient_id, run_date,
             department_id, task_id, notification_id, created_at)
        SELECT i.item_key, i.kind, i.due_date, f.level, f.recipient_id, %s,
               i.department_id, i.task_id, o.notification_id, %s
        FROM rem_fresh f
        JOIN rem_item i ON i.idx = f.idx
        JOIN rem_out o ON o.recipient_id = f.recipient_id AND o.channel IS NULL
        WHERE TRUE
        ON CONFLICT DO NOTHING
        """,
        [connection.ops.adapt_datefield_value(rules.today), now],
    )
    return cursor.rowcount, len(ids), delivery_ids


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
        summary = RunSummary(today=today, items=len(items))
        summary.notices = reminder_notices_issue(items=items, rules=rules)
        # The digest order (rung first, then due date, title, key): idx is the rank. (After
        # the notices, whose batches follow the providers' order.)
        items.sort(key=lambda item: (item.due_date, item.title, item.key))
        delivery_ids: list[int] = []
        if items:
            with connection.cursor() as cursor:
                stage = Staging(cursor)
                summary.candidates = _stage_candidates(
                    stage, items, rules, Audience.for_items(items)
                )
                _stage_fresh(stage, today)
                summary.dispatches, summary.digests, delivery_ids = _record_digests(
                    stage, items, rules
                )
                stage.drop()
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
