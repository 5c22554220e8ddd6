"""Fixtures for the reminder tests (defined in tests.reminders.support)."""

from tests.reminders.support import world  # noqa: F401
