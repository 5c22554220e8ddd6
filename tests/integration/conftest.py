"""Fixtures of the real-worker tests: the reminders' `world` (tests/reminders/support.py);
`mini` comes from tests/conftest.py."""

import pytest

from tests.reminders.support import ReminderWorld, reminder_world


@pytest.fixture
def world(plan, make_member, supervisor, leader) -> ReminderWorld:
    return reminder_world(plan, make_member, supervisor, leader)
