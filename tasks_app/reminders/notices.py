"""The supervision notices (督办单) the reminder ladder issues by itself.

Only a task's own deadline or a milestone overdue ESCALATE_SUPERVISION_AFTER_WORKING_DAYS
working days issues a notice — a missing monthly report, an indicator figure or an
unanswered notice is chased by urges (催办) on the ladder, never by a 督办单. A task gets
at most one open notice (several items reaching the rung on one day share one; a task
whose notice is still open gets none); the ReminderEscalation unique key remembers each
item once per due date, with the notice that covers it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks_app.inbox.audience import owners_seeing
from tasks_app.inbox.messages import render_stored
from tasks_app.inbox.notifications import message_from_text
from tasks_app.inbox.notify import task_params
from tasks_app.inbox.preferences import recipients_reach
from tasks_app.models import (
    Delivery,
    DeliveryStatus,
    HistoryEvent,
    Membership,
    Notification,
    ReminderEscalation,
    ReminderLevel,
    SupervisionNotice,
    Task,
    User,
)
from tasks_app.reminders.deliveries import deliveries_build, webhook_targets
from tasks_app.reminders.digest import kind_label
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.ladder import LadderRules, levels_for, working_days_overdue
from tasks_app.reminders.staging import Staging, on_postgres, reserve_ids
from tasks_app.supervision.notices import respond_by_from

OPEN_NOTICE_STATUSES = (SupervisionNotice.Status.OPEN, SupervisionNotice.Status.ANSWERED)

NOTICE_ACTION = "supervision_notice"


class _Reasons:
    """The notice's reason (事由), its template and labels translated once per run."""

    def __init__(self, rules: LadderRules) -> None:
        self.today = rules.today
        self.template = _(
            "%(title)s（%(kind)s，时限%(due)s）已逾期%(days)s个工作日，系统自动督办。"
        )
        self.labels = {kind: kind_label(kind) for kind in NOTICE_KINDS}

    def __call__(self, item: ReminderItem) -> str:
        return self.template % {
            "title": item.title,
            "kind": self.labels[item.kind],
            "due": item.due_date.isoformat(),
            "days": working_days_overdue(item.due_date, self.today),
        }


NOTICE_KINDS = frozenset({"task_deadline", "milestone"})  # what a 督办单 may be issued for


@transaction.atomic
def reminder_notices_issue(*, items: list[ReminderItem], rules: LadderRules) -> int:
    """Record notices for items newly at the supervision rung; returns how many.

    Set-based: a constant number of statements whatever the number of notices — 8 reads
    (ledger, open notices, tasks, leads, owners, people ×3), 2 id reservations, 4 loads
    (COPY on PostgreSQL, executemany on SQLite: notices, ledger, history, and the staged
    notifications with their outbox rows) and 2 INSERT … SELECT (docs/reminders-set-based.md).
    """
    level = ReminderLevel.SUPERVISION
    reached = [
        item
        for item in items
        if item.kind in NOTICE_KINDS and item.task_id and level in levels_for(item, rules)
    ]
    if not reached:
        return 0
    known = set(
        ReminderEscalation.objects.filter(
            level=level, item_key__in=[item.key for item in reached]
        ).values_list("item_key", "item_due_date")
    )
    new = [item for item in reached if (item.key, item.due_date) not in known]
    del known, reached
    if not new:
        return 0
    already = _open_notices({item.task_id for item in new})
    first_by_task: dict[int, ReminderItem] = {}
    for item in sorted(new, key=lambda i: (i.due_date, i.key)):
        if item.task_id not in already:
            first_by_task.setdefault(item.task_id, item)
    firsts = list(first_by_task.values())
    del first_by_task
    with connection.cursor() as cursor:
        stage = Staging(cursor)
        notice_ids = reserve_ids(cursor, SupervisionNotice, len(firsts))
        reason = _Reasons(rules)
        issued = [
            _Issued(item=item, notice_id=notice_id, reason=reason(item))
            for item, notice_id in zip(firsts, notice_ids, strict=True)
        ]
        del firsts
        _record(stage, issued, new, already, rules, level)
        _notify(stage, issued, respond_by_from(rules.today))
        stage.drop()
    return len(issued)


@dataclass
class _Issued:
    item: ReminderItem  # the first item of its task (by due date, key): the notice's reason
    notice_id: int
    reason: str


def _open_notices(task_ids: set[int]) -> dict[int, int]:
    return dict(
        SupervisionNotice.objects.filter(
            task_id__in=task_ids, kind="notice", status__in=OPEN_NOTICE_STATUSES
        ).values_list("task_id", "id")
    )


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _record(
    stage: Staging,
    issued: list[_Issued],
    new: list[ReminderItem],
    already: dict[int, int],
    rules: LadderRules,
    level: str,
) -> None:
    """The notices, the ledger rows (each new item with the notice covering its task) and
    one history event per notice: one load each."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    today = ops.adapt_datefield_value(rules.today)
    respond_by = ops.adapt_datefield_value(respond_by_from(rules.today))
    stage.load(
        _table(SupervisionNotice),
        ("id", "task_id", "department_id", "issued_by_id", "kind", "reason", "status",
         "respond_by", "answer", "answer_attachments", "answered_by_id", "answered_at",
         "closed_by_id", "closed_at", "review_comment", "created_at", "updated_at"),
        (
            (n.notice_id, n.item.task_id, n.item.department_id, None, "notice", n.reason,
             SupervisionNotice.Status.OPEN.value, respond_by, "", "[]", None, None, None,
             None, "", now, now)
            for n in issued
        ),
    )  # fmt: skip
    notice_id_by_task = {**already, **{n.item.task_id: n.notice_id for n in issued}}
    stage.load(
        _table(ReminderEscalation),
        ("item_key", "item_due_date", "level", "run_date", "notice_id", "created_at"),
        (
            (item.key, ops.adapt_datefield_value(item.due_date), level, today,
             notice_id_by_task.get(item.task_id), now)
            for item in new
        ),
    )  # fmt: skip
    stage.load(
        _table(HistoryEvent),
        ("task_id", "actor_id", "at", "action", "field", "from_value", "to_value", "reason"),
        (
            (n.item.task_id, None, now, NOTICE_ACTION, "", None,
             json.dumps({"notice_id": n.notice_id, "item": n.item.key}), n.reason)
            for n in issued
        ),
    )  # fmt: skip


OUT_COLUMNS = (
    "seq",
    "notification_id",
    "recipient_id",
    "task_id",
    "channel",
    "title",
    "body",
    "params",
    "payload",
    "target",
    "next_attempt_at",
)


def _notify(stage: Staging, issued: list[_Issued], respond_by: dt.date) -> None:
    """Each new notice to its department's leads and its task's owner (while they see the
    task): a formal document, its own message beside the day's digest. Rendered in Python
    one notice at a time into ntc_out (notifications and their outbox rows, with ids
    reserved before), then two INSERT … SELECT; the run's commit hands the deliveries to
    the workers (its sweep finds every pending row)."""
    tasks = Task.objects.only("id", "code", "title", "owner_id", "lead_department_id").in_bulk(
        [n.item.task_id for n in issued]
    )
    leads: dict[int, list[int]] = defaultdict(list)
    for department_id, user_id in Membership.objects.filter(
        department_id__in={t.lead_department_id for t in tasks.values()},
        role=Membership.DeptRole.LEAD,
        user__is_active=True,
    ).values_list("department_id", "user_id"):
        leads[department_id].append(user_id)
    owners = owners_seeing(tasks)
    wanted: list[list[int]] = []
    for notice in issued:
        task = tasks[notice.item.task_id]
        owner = [task.owner_id] if (task.pk, task.owner_id) in owners else []
        wanted.append(list(dict.fromkeys([*leads[task.lead_department_id], *owner])))
    people = {i for ids in wanted for i in ids}
    users, targets = User.objects.in_bulk(people), webhook_targets(people)
    reaches = recipients_reach(people)
    cursor = stage.cursor
    ids = iter(reserve_ids(cursor, Notification, sum(len(w) for w in wanted)))
    timestamp = "timestamp with time zone" if on_postgres() else "text"
    stage.create(
        "ntc_out",
        "seq integer NOT NULL, notification_id bigint NOT NULL, recipient_id bigint NOT NULL, "
        "task_id bigint, channel varchar(10), title text, body text, params text, "
        f"payload text, target text, next_attempt_at {timestamp}",
    )
    moment = connection.ops.adapt_datetimefield_value

    def rows() -> Iterator[tuple]:
        seq = 0
        for notice, recipients in zip(issued, wanted, strict=True):
            if not recipients:
                continue
            task = tasks[notice.item.task_id]
            params = task_params(task, None, reason=notice.reason, respond_by=respond_by)
            title, body = render_stored("supervision_notice", params)
            message = message_from_text(title=title, body=body)
            payload = {"supervision_notice": notice.notice_id, "kind": "notice"}
            params_json, payload_json = json.dumps(params), json.dumps(payload)
            # One unsaved row per notice, given each recipient in turn (deliveries_build
            # reads it, nothing keeps it).
            row = Notification(
                kind="supervision_notice", title=title, body=body, task_id=task.pk,
                payload=payload, params=params,
            )  # fmt: skip
            for i in recipients:
                row.pk, row.recipient = next(ids), users[i]
                seq += 1
                yield (seq, row.pk, i, task.pk, None, title, body, params_json, payload_json,
                       None, None)  # fmt: skip
                for delivery in deliveries_build(
                    notification=row,
                    recipient=row.recipient,
                    message=message,
                    webhook_url=targets.get(i, ""),
                    reach=reaches.get(i),
                ):
                    seq += 1
                    yield (seq, row.pk, i, None, delivery.channel, None, None, None,
                           json.dumps(delivery.payload), delivery.target,
                           moment(delivery.next_attempt_at))  # fmt: skip

    stage.load("ntc_out", OUT_COLUMNS, rows())
    now = moment(timezone.now())
    cursor.execute(
        f"""
        INSERT INTO {_table(Notification)}
            (id, recipient_id, kind, title, body, params, payload, task_id, created_at,
             read_at, updated_at)
        SELECT notification_id, recipient_id, %s, title, body, {_json_column("params")},
               {_json_column("payload")}, task_id, %s, NULL, %s
        FROM ntc_out WHERE channel IS NULL ORDER BY seq
        """,
        ["supervision_notice", now, now],
    )
    cursor.execute(
        f"""
        INSERT INTO {_table(Delivery)}
            (notification_id, recipient_id, channel, target, payload, status, attempts,
             next_attempt_at, lease_until, last_error, sent_at, created_at, updated_at)
        SELECT notification_id, recipient_id, channel, target, {_json_column("payload")},
               %s, 0, next_attempt_at, NULL, '', NULL, %s, %s
        FROM ntc_out WHERE channel IS NOT NULL ORDER BY seq
        """,
        [DeliveryStatus.PENDING, now, now],
    )


def _json_column(name: str) -> str:
    return f"CAST({name} AS jsonb)" if on_postgres() else name
