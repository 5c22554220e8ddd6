"""Flag colour (红黄绿灯) rules, computed in SQL, against an independent Python reading.

Dates are pinned; the working-day window is checked around the 2025 National Day
holidays (2025-10-01..08 off, Sunday 09-28 and Saturday 10-11 adjusted working days).
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from tasks_app.models import Milestone, Plan, Task, TaskStatus
from tasks_app.workflow.flags import GREEN, RED, YELLOW, with_flags, with_overdue
from tasks_app.workflow.workdays import add_working_days
from tests.api.tasks_support import World

pytestmark = pytest.mark.django_db
FRIDAY_BEFORE_HOLIDAY = dt.date(2025, 9, 26)


def flag_of(task: Task, today: dt.date) -> str:
    return (
        with_flags(Task.objects.filter(pk=task.pk), today=today)
        .values_list("flag", flat=True)
        .get()
    )


def setup(task: Task, *, checkpoints_done: bool = True, **fields: object) -> Task:
    """Set fields directly (test arrangement) and optionally tick off non-final milestones."""
    fields.setdefault("status", TaskStatus.IN_PROGRESS)
    Task.objects.filter(pk=task.pk).update(**fields)
    if checkpoints_done:
        Milestone.objects.filter(task=task, is_final=False).update(completed_at=timezone.now())
    if "due_date" in fields:
        Milestone.objects.filter(task=task, is_final=True).update(due_date=fields["due_date"])
    task.refresh_from_db()
    return task


def expected_flag(task: Task, next_open: dt.date | None, today: dt.date) -> str:
    """Product.md's rules, read independently of the SQL."""
    conf = settings.PLANTRACKER
    if task.status in (TaskStatus.COMPLETED, TaskStatus.CANCELLED, TaskStatus.SUSPENDED):
        return GREEN
    if task.start_date >= today:
        expected = 0
    elif task.due_date <= today:
        expected = 100
    else:
        span = max((task.due_date - task.start_date).days, 1)
        expected = (today - task.start_date).days * 100 // span
    behind = expected - task.progress
    dates = [d for d in (task.due_date, next_open) if d is not None]
    if any(d < today for d in dates) or behind > conf["FLAG_RED_BEHIND_POINTS"]:
        return RED
    warn_until = add_working_days(today, conf["WARNING_WINDOW_WORKING_DAYS"])
    if any(d <= warn_until for d in dates) or behind >= conf["FLAG_YELLOW_BEHIND_POINTS"]:
        return YELLOW
    return GREEN


def python_flags(plan: Plan, today: dt.date) -> dict[int, str]:
    next_open = dict(
        Milestone.objects.filter(task__plan=plan, completed_at__isnull=True)
        .values("task")
        .annotate(first=Min("due_date"))
        .values_list("task", "first")
    )
    return {
        t.pk: expected_flag(t, next_open.get(t.pk), today) for t in Task.objects.filter(plan=plan)
    }


# --- red ---------------------------------------------------------------------------


def test_red_when_the_deadline_passed(world: World) -> None:
    task = setup(world.task, due_date=dt.date(2025, 9, 25), progress=99)
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == RED
    assert flag_of(task, dt.date(2025, 9, 25)) != RED  # the due day itself is still in time


def test_red_when_an_open_milestone_passed(world: World) -> None:
    task = setup(world.task, progress=90, checkpoints_done=False)
    first = Milestone.objects.filter(task=task).order_by("due_date").first()
    assert first.due_date < FRIDAY_BEFORE_HOLIDAY and not first.is_final
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == RED
    Milestone.objects.filter(task=task, is_final=False).update(completed_at=timezone.now())
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == GREEN


def test_red_when_more_than_30_points_behind(world: World) -> None:
    # 2025-01-01..12-31, on 09-26: 268 of 364 days elapsed → expected 73 %.
    row = with_flags(Task.objects.filter(pk=world.task.pk), today=FRIDAY_BEFORE_HOLIDAY)
    assert row.values_list("expected_progress", flat=True).get() == 73
    task = setup(world.task, progress=42)
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == RED  # 31 behind
    task = setup(world.task, progress=43)
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == YELLOW  # exactly 30: not "more than"


# --- yellow ------------------------------------------------------------------------


def test_yellow_when_10_to_30_points_behind(world: World) -> None:
    assert flag_of(setup(world.task, progress=63), FRIDAY_BEFORE_HOLIDAY) == YELLOW  # 10
    assert flag_of(setup(world.task, progress=64), FRIDAY_BEFORE_HOLIDAY) == GREEN  # 9


@pytest.mark.parametrize(
    ("due", "flag"),
    [
        (dt.date(2025, 9, 30), YELLOW),  # 3rd working day (Sun 09-28 is one)
        (dt.date(2025, 10, 8), YELLOW),  # inside the holiday, before the 4th working day
        (dt.date(2025, 10, 10), YELLOW),  # 5th working day: 14 calendar days away
        (dt.date(2025, 10, 11), GREEN),  # Saturday, an adjusted working day: the 6th
        (dt.date(2025, 10, 13), GREEN),
    ],
)
def test_yellow_window_counts_official_working_days(
    world: World,
    due: dt.date,
    flag: str,
) -> None:
    assert add_working_days(FRIDAY_BEFORE_HOLIDAY, 5) == dt.date(2025, 10, 10)
    task = setup(world.task, due_date=due, progress=99)
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == flag


def test_yellow_when_a_milestone_is_within_the_window(world: World) -> None:
    task = setup(world.task, progress=90)
    Milestone.objects.create(
        task=task,
        sequence=99,
        title="检查点",
        due_date=dt.date(2025, 10, 9),
        original_due_date=dt.date(2025, 10, 9),
    )
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == YELLOW


# --- green -------------------------------------------------------------------------


def test_green_on_schedule(world: World) -> None:
    assert flag_of(setup(world.task, progress=75), FRIDAY_BEFORE_HOLIDAY) == GREEN


@pytest.mark.parametrize(
    "status", [TaskStatus.COMPLETED, TaskStatus.CANCELLED, TaskStatus.SUSPENDED]
)
def test_closed_and_suspended_tasks_are_green(world: World, status: str) -> None:
    task = setup(world.task, status=status, due_date=dt.date(2025, 3, 1), progress=0)
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == GREEN
    overdue = (
        with_overdue(
            with_flags(Task.objects.filter(pk=task.pk), today=FRIDAY_BEFORE_HOLIDAY),
            today=FRIDAY_BEFORE_HOLIDAY,
        )
        .values_list("is_overdue", "days_overdue")
        .get()
    )
    assert overdue == (False, 0)


def test_thresholds_are_settings(world: World, settings) -> None:
    task = setup(world.task, progress=53)  # 20 behind
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == YELLOW
    settings.PLANTRACKER = {**settings.PLANTRACKER, "FLAG_RED_BEHIND_POINTS": 15}
    assert flag_of(task, FRIDAY_BEFORE_HOLIDAY) == RED


# --- SQL equals Python over the whole plan -----------------------------------------


def _scramble(plan: Plan, seed: int) -> None:
    rng = random.Random(seed)
    statuses = [TaskStatus.IN_PROGRESS] * 6 + [TaskStatus.NOT_STARTED, TaskStatus.COMPLETED]
    for task in Task.objects.filter(plan=plan).order_by("pk"):
        Task.objects.filter(pk=task.pk).update(
            progress=rng.randint(0, 100), status=rng.choice(statuses)
        )
        for milestone in Milestone.objects.filter(task=task, is_final=False):
            if rng.random() < 0.5:
                Milestone.objects.filter(pk=milestone.pk).update(completed_at=timezone.now())


@pytest.mark.parametrize(
    "day",
    [dt.date(2025, 4, 18), dt.date(2025, 6, 27), FRIDAY_BEFORE_HOLIDAY, dt.date(2025, 12, 26)],
)
def test_sql_flags_equal_python_reading(plan: Plan, day: dt.date) -> None:
    _scramble(plan, seed=day.toordinal())
    sql = dict(with_flags(Task.objects.filter(plan=plan), today=day).values_list("pk", "flag"))
    expected = python_flags(plan, day)
    assert sql == expected
    assert set(expected.values()) == {RED, YELLOW, GREEN}, "the sample exercises every colour"


@pytest.mark.parametrize("flag", [RED, YELLOW, GREEN])
def test_flag_filter_of_the_api_equals_python(
    plan: Plan, supervisor, validated_api, flag: str
) -> None:
    _scramble(plan, seed=7)
    day = FRIDAY_BEFORE_HOLIDAY
    expected = {pk for pk, f in python_flags(plan, day).items() if f == flag}
    with time_machine.travel(dt.datetime(2025, 9, 26, 10, tzinfo=dt.UTC), tick=False):
        response = validated_api(supervisor).get(f"/api/v1/tasks/?flag={flag}&page_size=200")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == expected
    assert all(row["flag"] == flag for row in rows)


def test_overdue_filter_of_the_api_equals_python(plan: Plan, supervisor, validated_api) -> None:
    _scramble(plan, seed=11)
    day = FRIDAY_BEFORE_HOLIDAY
    open_first = dict(
        Milestone.objects.filter(task__plan=plan, completed_at__isnull=True)
        .values("task")
        .annotate(first=Min("due_date"))
        .values_list("task", "first")
    )
    chased = (TaskStatus.COMPLETED, TaskStatus.CANCELLED, TaskStatus.SUSPENDED)
    expected = {
        t.pk
        for t in Task.objects.filter(plan=plan)
        if t.status not in chased
        and (t.due_date < day or (open_first.get(t.pk) and open_first[t.pk] < day))
    }
    with time_machine.travel(dt.datetime(2025, 9, 26, 10, tzinfo=dt.UTC), tick=False):
        response = validated_api(supervisor).get("/api/v1/tasks/?overdue=true&page_size=200")
    assert {row["id"] for row in response.json()["results"]} == expected
    assert expected
