"""The supervision notices (督办单) the reminder ladder issues by itself.

An item that has been overdue ESCALATE_SUPERVISION_AFTER_WORKING_DAYS working days gets
one formal notice recorded against its department (and a history event on its task),
once per item and due date: the ReminderEscalation unique key remembers it. Items that
belong to no task (e.g. indicator figures) escalate without a notice row.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tasks_app.models import HistoryEvent, ReminderEscalation, ReminderLevel, SupervisionNotice
from tasks_app.reminders.digest import kind_label
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.ladder import LadderRules, levels_for, working_days_overdue

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


@transaction.atomic
def reminder_notices_issue(*, items: list[ReminderItem], rules: LadderRules) -> int:
    """Record notices for items newly at the supervision rung; returns how many. 4 queries
    (plus one INSERT of each kind per NOTICE_BATCH new items, so a city's tens of thousands
    of notices never sit in memory at once)."""
    level = ReminderLevel.SUPERVISION
    reached = [item for item in items if level in levels_for(item, rules)]
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


def _issue(new: list[ReminderItem], rules: LadderRules, level: str) -> int:
    with_task = [item for item in new if item.task_id]
    notices = SupervisionNotice.objects.bulk_create(
        [
            SupervisionNotice(
                task_id=item.task_id,
                department_id=item.department_id,
                issued_by=None,
                kind="notice",
                reason=_reason(item, rules),
            )
            for item in with_task
        ]
    )
    notice_by_key = {item.key: notice for item, notice in zip(with_task, notices, strict=True)}
    ReminderEscalation.objects.bulk_create(
        [
            ReminderEscalation(
                item_key=item.key,
                item_due_date=item.due_date,
                level=level,
                run_date=rules.today,
                notice=notice_by_key.get(item.key),
            )
            for item in new
        ]
    )
    HistoryEvent.objects.bulk_create(_history(notice_by_key))
    return len(notices)
