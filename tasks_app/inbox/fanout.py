"""task_notify_people: one task notification to several people, set-based.

task_notify (notify.py) writes one person at a time (a few statements each); a step that
reaches a department's leads, the co-departments' leads and the owner at once goes through
here instead: the same inbox and outbox rows, by each person's channel preferences for the
kind (tasks_app/inbox/preferences.py), in a constant number of statements — two reads
(preferences and devices, webhook targets) and two bulk INSERTs, whatever the number of
recipients. The deliveries are handed to the workers when the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from tasks_app.inbox.messages import render_stored
from tasks_app.inbox.notifications import message_from_text
from tasks_app.inbox.preferences import recipients_reach
from tasks_app.models import Delivery, Notification, Task, User
from tasks_app.reminders.deliveries import deliveries_build, deliveries_enqueue, webhook_targets


@transaction.atomic
def task_notify_people(
    *,
    task: Task,
    kind: str,
    params: dict[str, Any],
    recipients: Sequence[User],
    payload: dict[str, Any] | None = None,
) -> list[Notification]:
    """Notify each of `recipients` (already chosen: active, seeing the task, not the
    actor, each once) of a step on `task`. The stored title and body are the
    district-language rendering; readers get theirs from kind + params."""
    if not recipients:
        return []
    title, body = render_stored(kind, params)
    message = message_from_text(title=title, body=body)
    ids = [user.pk for user in recipients]
    reaches, targets = recipients_reach(ids), webhook_targets(ids)
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                title=title,
                body=body,
                task=task,
                payload=payload or {},
                params=params,
            )
            for user in recipients
        ]
    )
    deliveries = Delivery.objects.bulk_create(
        [
            delivery
            for row in rows
            for delivery in deliveries_build(
                notification=row,
                recipient=row.recipient,
                message=message,
                webhook_url=targets.get(row.recipient_id, ""),
                reach=reaches.get(row.recipient_id),
            )
        ]
    )
    if deliveries:
        delivery_ids = [delivery.pk for delivery in deliveries]
        # A lambda, not functools.partial (see notification_create).
        transaction.on_commit(lambda: deliveries_enqueue(delivery_ids), robust=True)
    return rows
