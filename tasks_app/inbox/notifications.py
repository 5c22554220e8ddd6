"""notification_create: the in-app inbox row, plus delivery on the person's channels."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.html import escape, linebreaks

from tasks_app.models import Delivery, Notification, Task, User
from tasks_app.reminders.channels import RenderedMessage
from tasks_app.reminders.deliveries import deliveries_build, deliveries_enqueue, webhook_targets
from tasks_app.reminders.markdown import markdown_escape


def message_from_text(*, title: str, body: str) -> RenderedMessage:
    """A plain inbox message in every channel's form (HTML escaped, markdown quoted)."""
    # User text made inert for the robot's markdown dialect (tasks_app.reminders.markdown).
    quoted = "\n".join(f"> {markdown_escape(line)}" if line else ">" for line in body.splitlines())
    return RenderedMessage(
        title=title,
        text=body,
        html=f"<h3>{escape(title)}</h3>{linebreaks(escape(body))}",
        markdown=f"### {markdown_escape(title)}\n{quoted}",
    )


@transaction.atomic
def notification_create(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str,
    task: Task | None = None,
    payload: dict[str, Any] | None = None,
    message: RenderedMessage | None = None,
    params: dict[str, Any] | None = None,
) -> Notification:
    """Write the inbox row and its outbox rows (e-mail, webhook, by the person's
    preferences); the deliveries are handed to the workers when the transaction commits.
    `message` overrides the default rendering of title/body for the external channels;
    `params` are those of the kind's template (tasks_app/inbox/messages.py)."""
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        title=title,
        body=body,
        task=task,
        payload=payload or {},
        params=params or {},
    )
    deliveries = Delivery.objects.bulk_create(
        deliveries_build(
            notification=notification,
            recipient=recipient,
            message=message or message_from_text(title=title, body=body),
            webhook_url=webhook_targets([recipient.pk]).get(recipient.pk, ""),
        )
    )
    if deliveries:
        ids = [delivery.pk for delivery in deliveries]
        # A lambda, not functools.partial: Django 5.2 names a failing robust hook by its
        # __qualname__, which a partial lacks (a broker outage became a 500).
        transaction.on_commit(lambda: deliveries_enqueue(ids), robust=True)
    return notification
