"""The schema's closed value sets cover what the services write."""

from __future__ import annotations

from tasks_app.api.enums import NotificationKind
from tasks_app.inbox.messages import TEMPLATES


def test_every_rendered_notification_kind_is_declared() -> None:
    assert set(TEMPLATES) - set(NotificationKind.values) == set()
