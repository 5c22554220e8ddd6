"""Fixtures of the reminder tests: `world`, one task of the 2025 plan with pinned dates."""

import pytest

from tests.reminders.support import ReminderWorld, reminder_world


@pytest.fixture
def world(plan, make_member, supervisor, leader) -> ReminderWorld:
    return reminder_world(plan, make_member, supervisor, leader)
