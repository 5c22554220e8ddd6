"""notification_create: the in-app inbox row, plus delivery on the person's channels."""

from __future__ import annotations

from typing import Any

from tasks_app.models import Notification, Task, User


def notification_create(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str,
    task: Task | None = None,
    payload: dict[str, Any] | None = None,
) -> Notification:
    """Write the inbox row. Channel deliveries (e-mail, webhook) are queued on commit."""
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=title, body=body, task=task, payload=payload or {}
    )
    # TODO(issue 4): queue e-mail / webhook deliveries for the recipient's channels.
    return notification
