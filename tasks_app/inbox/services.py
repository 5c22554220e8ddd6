"""Inbox writes: marking a person's notifications read (one UPDATE each)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tasks_app.models import Notification, User


def notification_tombstone_resource(recipient_id: int) -> str:
    """Tombstone.resource of one person's notifications: their removals are per recipient.

    A service deleting notifications records, in its transaction:
    tombstone_record(resource=notification_tombstone_resource(n.recipient_id), object_id=n.pk)
    """
    return f"notification:{recipient_id}"


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read; already read stays as it was (idempotent)."""
    if notification.read_at is None:
        now = timezone.now()
        # updated_at moves too: a read is a change the recipient's other devices must sync.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now, updated_at=now
        )
        notification.read_at = notification.updated_at = now
    return notification


@transaction.atomic
def notifications_mark_all_read(*, recipient: User) -> int:
    """Mark every unread notification of `recipient` read; returns how many changed."""
    now = timezone.now()
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )
