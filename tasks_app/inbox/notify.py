"""task_notify: one notification per person concerned by a step of the loop, written
as kind + params (rendered in the reader's language when read), only to people who can
still see the task."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from tasks_app.inbox.audience import who_sees
from tasks_app.inbox.messages import render_stored, task_path
from tasks_app.inbox.notifications import notification_create
from tasks_app.models import Notification, Task, User


def task_params(task: Task, actor: User | None = None, **extra: Any) -> dict[str, Any]:
    """The parameters every task message shares, plus the step's own (JSON values)."""
    return {
        "task_id": task.pk,
        "code": task.code,
        "title": task.title,
        "actor": str(actor) if actor is not None else "",
        "path": task_path(task.pk),
        **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in extra.items()},
    }


@transaction.atomic
def task_notify(
    *,
    task: Task,
    kind: str,
    params: dict[str, Any],
    recipient_ids: Iterable[int | None],
    actor: User | None = None,
    payload: dict[str, Any] | None = None,
) -> list[Notification]:
    """Notify each of `recipient_ids` that sees the task, except the actor, once each.

    The stored title and body are the district-language rendering (for e-mail, webhook and
    the admin); readers get theirs from kind + params."""
    title, body = render_stored(kind, params)
    ids = [i for i in who_sees(task, recipient_ids) if actor is None or i != actor.pk]
    users = User.objects.in_bulk(ids)
    return [
        notification_create(
            recipient=users[i],
            kind=kind,
            title=title,
            body=body,
            task=task,
            payload=payload,
            params=params,
        )
        for i in ids
    ]
