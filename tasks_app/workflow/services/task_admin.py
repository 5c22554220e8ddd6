"""task_admin_changes_record: history for edits made in the Django admin (not through the API)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from tasks_app.models import Task, User
from tasks_app.workflow.services.task_writes import history_record, now

ADMIN_REASON = "admin"


@dataclass(frozen=True)
class FieldChange:
    action: str  # "admin_update", "admin_milestone_add", ...
    field: str
    from_value: Any = None
    to_value: Any = None


@transaction.atomic
def task_admin_changes_record(
    *, task: Task, actor: User, changes: Iterable[FieldChange], created: bool = False
) -> int:
    """Append one history row per change and bump the version when anything changed."""
    count = 0
    if created:
        history_record(
            task=task, actor=actor, action="admin_create", to_value=task.code, reason=ADMIN_REASON
        )
        count += 1
    for change in changes:
        history_record(
            task=task,
            actor=actor,
            action=change.action,
            field=change.field,
            from_value=change.from_value,
            to_value=change.to_value,
            reason=ADMIN_REASON,
        )
        count += 1
    if count and not created:
        Task.objects.filter(pk=task.pk).update(version=F("version") + 1, updated_at=now())
    return count
