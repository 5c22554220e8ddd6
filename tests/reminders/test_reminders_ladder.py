"""The ladder, day by day on the official calendar: due soon → owner; overdue → owner and
department lead; 5 working days → supervision office + one 督办单; 15 → district leaders;
a cool-down of 3 working days per item, rung and person."""

from __future__ import annotations

import datetime as dt

import pytest

from tasks_app.models import HistoryEvent, ReminderDispatch, ReminderLevel, SupervisionNotice
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.ladder import LadderRules, levels_for, working_days_overdue
from tasks_app.reminders.run import reminders_run
from tests.reminders.support import FOCUS_DUE

D = dt.date


def _item(due: dt.date) -> ReminderItem:
    return ReminderItem("task_deadline", 1, "", "t", due, department_id=1, owner_id=None)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 9, 18), []),  # six working days ahead: outside the window
        (D(2025, 9, 19), ["due_soon"]),  # 22,23,24,25,26: the 5th working day
        (D(2025, 9, 26), ["due_soon"]),  # due today
        (D(2025, 9, 28), ["overdue"]),  # adjusted working Sunday: 1 working day late
        (D(2025, 10, 9), ["overdue"]),  # 28, 29, 30, (holiday 1-8), 9: 4
        (D(2025, 10, 10), ["overdue", "supervision"]),  # 5
        (D(2025, 10, 22), ["overdue", "supervision"]),  # 14
        (D(2025, 10, 23), ["overdue", "supervision", "leaders"]),  # 15 (Sat 10-11 counts)
    ],
)
def test_levels_follow_the_official_calendar(settings, today, expected):
    assert levels_for(_item(FOCUS_DUE), LadderRules.for_day(today)) == expected


def test_working_days_overdue_skips_the_national_day_holiday():
    assert working_days_overdue(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert working_days_overdue(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert working_days_overdue(D(2025, 9, 30), D(2025, 10, 11)) == 3  # Saturday works


def _ledger(world, day):
    rows = ReminderDispatch.objects.filter(item_key=world.deadline_key, run_date=day)
    return sorted((row.level, row.recipient.username) for row in rows)


@pytest.mark.django_db
@pytest.mark.slow
def test_the_ladder_day_by_day(world):
    owner, lead = world.owner.username, world.lead.username
    sup, leader = world.supervisor.username, world.leader.username
    overdue = [("overdue", lead), ("overdue", owner)]
    # Every calendar day from 09-19 to 10-23; a cool-down of 3 working days per rung.
    expected = {
        D(2025, 9, 19): [("due_soon", owner)],
        D(2025, 9, 20): [],  # Saturday: no run
        D(2025, 9, 21): [],
        D(2025, 9, 22): [],  # cool-down: same rung, same person
        D(2025, 9, 23): [],
        D(2025, 9, 24): [("due_soon", owner)],  # the 3rd working day after
        D(2025, 9, 25): [],
        D(2025, 9, 26): [],
        D(2025, 9, 27): [],
        D(2025, 9, 28): overdue,  # adjusted working Sunday; a new rung: no cool-down
        D(2025, 9, 29): [],
        D(2025, 9, 30): [],
        **{D(2025, 10, day): [] for day in range(1, 9)},  # National Day holiday: no run
        D(2025, 10, 9): overdue,
        D(2025, 10, 10): [("supervision", sup)],  # 5 working days late
        D(2025, 10, 11): [],  # adjusted working Saturday, in cool-down
        D(2025, 10, 12): [],
        D(2025, 10, 13): overdue,
        D(2025, 10, 14): [("supervision", sup)],
        D(2025, 10, 15): [],
        D(2025, 10, 16): overdue,
        D(2025, 10, 17): [("supervision", sup)],
        D(2025, 10, 20): [],
        D(2025, 10, 21): overdue,
        D(2025, 10, 22): [("supervision", sup)],
        D(2025, 10, 23): [("leaders", leader)],  # 15 working days late
    }
    for day, rungs in expected.items():
        reminders_run(today=day)
        assert _ledger(world, day) == sorted(rungs), day
    notices = SupervisionNotice.objects.filter(task=world.task, kind="notice")
    deadline_notices = [n for n in notices if "任务完成时限" in n.reason]
    assert len(deadline_notices) == 1  # one 督办单 for the deadline, however many runs
    notice = deadline_notices[0]
    assert notice.department == world.department and notice.issued_by is None
    assert "逾期5个工作日" in notice.reason
    assert HistoryEvent.objects.filter(
        task=world.task, action="supervision_notice", to_value__notice_id=notice.pk
    ).exists()


@pytest.mark.django_db
def test_an_extension_starts_the_ladder_afresh(world):
    reminders_run(today=D(2025, 10, 10))
    assert (
        SupervisionNotice.objects.filter(task=world.task, reason__contains="任务完成时限").count()
        == 1
    )
    type(world.task).objects.filter(pk=world.task.pk).update(due_date=D(2025, 10, 31))
    assert _ledger(world, D(2025, 10, 27)) == []
    reminders_run(today=D(2025, 10, 27))  # due soon again: the owner only
    assert _ledger(world, D(2025, 10, 27)) == [("due_soon", world.owner.username)]


@pytest.mark.django_db
def test_unowned_items_go_to_the_leads_and_inactive_people_hear_nothing(world):
    type(world.task).objects.filter(pk=world.task.pk).update(owner=None)
    reminders_run(today=D(2025, 9, 19))
    assert _ledger(world, D(2025, 9, 19)) == [("due_soon", world.lead.username)]
    type(world.lead).objects.filter(pk=world.lead.pk).update(is_active=False)
    reminders_run(today=D(2025, 9, 28))
    assert _ledger(world, D(2025, 9, 28)) == []


@pytest.mark.django_db
def test_completed_and_suspended_tasks_are_not_chased(world):
    type(world.task).objects.filter(pk=world.task.pk).update(status="suspended")
    reminders_run(today=D(2025, 9, 28))
    assert not ReminderDispatch.objects.filter(task=world.task).exists()
    type(world.task).objects.filter(pk=world.task.pk).update(status="completed")
    reminders_run(today=D(2025, 9, 29))
    assert not ReminderDispatch.objects.filter(task=world.task).exists()


@pytest.mark.django_db
def test_rungs_are_the_reminder_levels():
    assert list(ReminderLevel.values) == ["due_soon", "overdue", "supervision", "leaders"]
