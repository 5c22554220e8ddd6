"""Inbox writes: marking a person's notifications read (one UPDATE each)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tasks_app.models import Notification, User
from tasks_app.models.plan import Plan


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


@transaction.atomic
def report_notices_mark_read_before(*, plan: Plan, period: str) -> int:
    """Mark read the report_filed notices of `plan`'s tasks for periods before `period`
    (YYYY-MM): what their recipients would have read in those months (the demo's backfill).
    One UPDATE; returns how many changed."""
    now = timezone.now()
    return Notification.objects.filter(
        kind="report_filed",
        task__plan=plan,
        read_at__isnull=True,
        payload__period__lt=period,
    ).update(read_at=now, updated_at=now)
