"""Inbox reads beyond the list (tasks_app/plans/selectors.notifications_of)."""

from __future__ import annotations

from tasks_app.models import Notification, User


def notifications_unread_count(user: User) -> int:
    """How many of the user's notifications are unread (one COUNT)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
