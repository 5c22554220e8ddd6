"""The steps every task write shares: row lock, If-Match precondition, rules, version, history.

Lock order (to avoid deadlocks between writers): the task row first, then its children
(milestones, key results, extension requests), each in primary-key order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plantracker import clock
from plantracker.errors import Conflict, PermissionDenied
from plantracker.etags import check_if_match, etag_for
from tasks_app.models import HistoryEvent, Task, User
from tasks_app.workflow import rules as workflow


class TaskClosed(Conflict):
    default_detail = _("任务已完成或已取消，不能再修改。")
    default_code = "task_closed"


def task_lock(*, task: Task | int, if_match: str | None = None) -> Task:
    """Re-read the task under SELECT … FOR UPDATE and check the client's If-Match tag.

    Checking the tag under the lock is what makes two writers holding the same tag
    unable to both win: the second one sees the bumped version and gets 412.
    """
    pk = task.pk if isinstance(task, Task) else task
    locked = Task.objects.select_for_update(of=("self",)).get(pk=pk)
    check_if_match(if_match, etag_for(locked))
    return locked


def require(
    *, actor: User, task: Task, capability: workflow.Capability
) -> frozenset[workflow.Relation]:
    """403 unless the actor's relations to the task grant the capability; 409 if closed."""
    rels = workflow.relations(actor, task)
    if not workflow.has_capability(rels, capability):
        raise PermissionDenied(workflow.CAPABILITY_DENIED_MESSAGES.get(capability))
    if not workflow.has_capability(rels, capability, status=task.status):
        raise TaskClosed()
    return rels


def task_bump(task: Task, fields: list[str]) -> None:
    """Save the changed fields with a new version (the ETag) and updated_at."""
    task.version += 1
    task.save(update_fields=[*fields, "version", "updated_at"])


def json_value(value: Any) -> Any:
    """A history-friendly JSON value: ids for rows, ISO strings for dates, numbers as such."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(json_value(v) for v in value)
    return value


def history_record(
    *,
    task: Task,
    actor: User | None,
    action: str,
    field: str = "",
    from_value: Any = None,
    to_value: Any = None,
    reason: str = "",
) -> HistoryEvent:
    """Append one audit row; call inside the transaction of the change it records."""
    return HistoryEvent.objects.create(
        task=task,
        actor=actor,
        action=action,
        field=field,
        from_value=json_value(from_value),
        to_value=json_value(to_value),
        reason=reason,
    )


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    """Today in the district's time zone."""
    return clock.today()
