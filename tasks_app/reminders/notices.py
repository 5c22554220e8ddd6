"""The supervision notices (督办单) the reminder ladder issues by itself.

Only a task's own deadline or a milestone overdue ESCALATE_SUPERVISION_AFTER_WORKING_DAYS
working days issues a notice — a missing monthly report, an indicator figure or an
unanswered notice is chased by urges (催办) on the ladder, never by a 督办单. A task gets
at most one open notice (several items reaching the rung on one day share one; a task
whose notice is still open gets none); the ReminderEscalation unique key remembers each
item once per due date, with the notice that covers it.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from tasks_app.inbox.audience import owners_seeing
from tasks_app.inbox.messages import render_stored
from tasks_app.inbox.notifications import message_from_text
from tasks_app.inbox.notify import task_params
from tasks_app.inbox.preferences import recipients_reach
from tasks_app.models import (
    Delivery,
    HistoryEvent,
    Membership,
    Notification,
    ReminderEscalation,
    ReminderLevel,
    SupervisionNotice,
    Task,
    User,
)
from tasks_app.reminders.channels import RenderedMessage
from tasks_app.reminders.deliveries import deliveries_build, webhook_targets
from tasks_app.reminders.digest import kind_label
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.ladder import LadderRules, levels_for, working_days_overdue
from tasks_app.supervision.notices import respond_by_from

OPEN_NOTICE_STATUSES = (SupervisionNotice.Status.OPEN, SupervisionNotice.Status.ANSWERED)

NOTICE_ACTION = "supervision_notice"


def _reason(item: ReminderItem, rules: LadderRules) -> str:
    return _("%(title)s（%(kind)s，时限%(due)s）已逾期%(days)s个工作日，系统自动督办。") % {
        "title": item.title,
        "kind": kind_label(item.kind),
        "due": item.due_date.isoformat(),
        "days": working_days_overdue(item.due_date, rules.today),
    }


def _history(notice_by_key: dict[str, SupervisionNotice]) -> list[HistoryEvent]:
    return [
        HistoryEvent(
            task_id=notice.task_id,
            actor=None,
            action=NOTICE_ACTION,
            field="",
            from_value=None,
            to_value={"notice_id": notice.pk, "item": key},
            reason=notice.reason,
        )
        for key, notice in notice_by_key.items()
    ]


NOTICE_BATCH = 5000  # items whose notice, escalation and history rows are written at once
NOTICE_KINDS = frozenset({"task_deadline", "milestone"})  # what a 督办单 may be issued for


@transaction.atomic
def reminder_notices_issue(*, items: list[ReminderItem], rules: LadderRules) -> int:
    """Record notices for items newly at the supervision rung; returns how many. 5 queries
    (plus one INSERT of each kind per NOTICE_BATCH new items, and the notifications of
    each new notice)."""
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
    issued = 0
    for start in range(0, len(new), NOTICE_BATCH):
        issued += _issue(new[start : start + NOTICE_BATCH], rules, level)
    return issued


def _open_notices(task_ids: set[int]) -> dict[int, int]:
    return dict(
        SupervisionNotice.objects.filter(
            task_id__in=task_ids, kind="notice", status__in=OPEN_NOTICE_STATUSES
        ).values_list("task_id", "id")
    )


def _issue(new: list[ReminderItem], rules: LadderRules, level: str) -> int:
    already = _open_notices({item.task_id for item in new})
    first_by_task: dict[int, ReminderItem] = {}
    for item in sorted(new, key=lambda i: (i.due_date, i.key)):
        if item.task_id not in already:
            first_by_task.setdefault(item.task_id, item)
    respond_by = respond_by_from(rules.today)
    notices = SupervisionNotice.objects.bulk_create(
        [
            SupervisionNotice(
                task_id=item.task_id,
                department_id=item.department_id,
                issued_by=None,
                kind="notice",
                reason=_reason(item, rules),
                status=SupervisionNotice.Status.OPEN,
                respond_by=respond_by,
            )
            for item in first_by_task.values()
        ]
    )
    notice_by_key = {
        item.key: notice for item, notice in zip(first_by_task.values(), notices, strict=True)
    }
    notice_id_by_task = {**already, **{n.task_id: n.pk for n in notices}}
    ReminderEscalation.objects.bulk_create(
        [
            ReminderEscalation(
                item_key=item.key,
                item_due_date=item.due_date,
                level=level,
                run_date=rules.today,
                notice_id=notice_id_by_task.get(item.task_id),
            )
            for item in new
        ]
    )
    HistoryEvent.objects.bulk_create(_history(notice_by_key))
    _notify(notices)
    return len(notices)


def _notify(notices: list[SupervisionNotice]) -> None:
    """Each new notice to its department's leads and its task's owner (while they see the
    task): a formal document, its own message beside the day's digest. Set-based: 5
    queries and bulk INSERTs whatever the number of notices; the run's commit hands the
    deliveries to the workers (its sweep finds every pending row)."""
    if not notices:
        return
    tasks = Task.objects.only("id", "code", "title", "owner_id", "lead_department_id").in_bulk(
        [n.task_id for n in notices]
    )
    leads: dict[int, list[int]] = defaultdict(list)
    for department_id, user_id in Membership.objects.filter(
        department_id__in={t.lead_department_id for t in tasks.values()},
        role=Membership.DeptRole.LEAD,
        user__is_active=True,
    ).values_list("department_id", "user_id"):
        leads[department_id].append(user_id)
    owners = owners_seeing(tasks)
    wanted: list[tuple[SupervisionNotice, Task, list[int]]] = []
    for notice in notices:
        task = tasks[notice.task_id]
        owner = [task.owner_id] if (task.pk, task.owner_id) in owners else []
        wanted.append(
            (notice, task, list(dict.fromkeys([*leads[task.lead_department_id], *owner])))
        )
    people = {i for _, _, ids in wanted for i in ids}
    users, targets = User.objects.in_bulk(people), webhook_targets(people)
    reaches = recipients_reach(people)
    rows: list[tuple[Notification, RenderedMessage]] = []
    for notice, task, ids in wanted:
        params = task_params(task, None, reason=notice.reason, respond_by=notice.respond_by)
        title, body = render_stored("supervision_notice", params)
        message = message_from_text(title=title, body=body)
        payload = {"supervision_notice": notice.pk, "kind": notice.kind}
        for i in ids:
            row = Notification(
                recipient=users[i], kind="supervision_notice", title=title, body=body,
                task_id=task.pk, payload=payload, params=params,
            )  # fmt: skip
            rows.append((row, message))
    Notification.objects.bulk_create([row for row, _ in rows], batch_size=NOTICE_BATCH)
    Delivery.objects.bulk_create(
        [
            delivery
            for row, message in rows
            for delivery in deliveries_build(
                notification=row,
                recipient=row.recipient,
                message=message,
                webhook_url=targets.get(row.recipient_id, ""),
                reach=reaches.get(row.recipient_id),
            )
        ],
        batch_size=NOTICE_BATCH,
    )
