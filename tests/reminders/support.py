"""Reminder test support: people on the real 2025 plan, one task with pinned dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine

from tasks_app.models import Department, Milestone, Plan, Task, User

SHANGHAI = ZoneInfo("Asia/Shanghai")
FOCUS_DUE = dt.date(2025, 9, 26)  # a Friday before the National Day holiday


@contextmanager
def pinned(day: dt.date, hour: int = 9) -> Iterator[None]:
    """Freeze the clock at `hour`:00 Asia/Shanghai on `day` (time-machine)."""
    with time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False
    ):
        yield


@dataclass
class ReminderWorld:
    plan: Plan
    task: Task  # due FOCUS_DUE, owned by `owner`, no intermediate milestones
    department: Department
    owner: User
    lead: User
    supervisor: User
    leader: User

    @property
    def deadline_key(self) -> str:
        return f"task_deadline:{self.task.pk}:"


def reminder_world(plan, make_member, supervisor, leader) -> ReminderWorld:
    """The `world` fixture of tests/reminders and tests/integration (their conftest.py)."""
    task = Task.objects.filter(plan=plan).order_by("code").first()
    department = task.lead_department
    lead = make_member(department, "dept_lead")
    owner = make_member(department, "dept_staff")
    owner.phone = "13800000000"
    owner.save(update_fields=["phone"])
    Task.objects.filter(pk=task.pk).update(owner=owner, due_date=FOCUS_DUE)
    Milestone.objects.filter(task=task, is_final=False).delete()
    Milestone.objects.filter(task=task, is_final=True).update(due_date=FOCUS_DUE)
    task.refresh_from_db()
    return ReminderWorld(plan, task, department, owner, lead, supervisor, leader)
