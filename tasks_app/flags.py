"""Flag colour (红黄绿灯), computed in SQL from dates and progress; never stored or typed in.

red    — the deadline or an open milestone has passed, or progress is more than
         FLAG_RED_BEHIND_POINTS behind the schedule-proportional expectation (序时进度:
         the share of the task's time already elapsed);
yellow — the deadline or an open milestone falls within the warning window
         (WARNING_WINDOW_WORKING_DAYS working days), or progress is
         FLAG_YELLOW_BEHIND_POINTS..FLAG_RED_BEHIND_POINTS behind;
green  — otherwise, and always for completed, cancelled or carried-over (已结转) tasks
         (suspended too: a suspended task is not chased).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Greatest, Least

from tasks_app.db_functions import DaysBetween
from tasks_app.models import Task, TaskStatus
from tasks_app.workdays import add_working_days

RED, YELLOW, GREEN = "red", "yellow", "green"
FLAGS = (GREEN, YELLOW, RED)
NOT_CHASED_STATUSES = (
    TaskStatus.COMPLETED,
    TaskStatus.CANCELLED,
    TaskStatus.SUSPENDED,
    TaskStatus.CARRIED_OVER,
)
FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class FlagRules:
    today: dt.date
    warn_until: dt.date
    red_behind_points: int
    yellow_behind_points: int

    @classmethod
    def for_day(cls, today: dt.date) -> FlagRules:
        conf = settings.PLANTRACKER
        return cls(
            today=today,
            warn_until=add_working_days(today, conf["WARNING_WINDOW_WORKING_DAYS"]),
            red_behind_points=conf["FLAG_RED_BEHIND_POINTS"],
            yellow_behind_points=conf["FLAG_YELLOW_BEHIND_POINTS"],
        )


def _next_open_milestone_due() -> F:
    """The earliest open milestone's date: a column kept by database triggers (migration
    tasks_app 0007), not a correlated subquery repeated by every expression using it."""
    return F("next_open_milestone_due")


def expected_progress_expression(today: dt.date) -> Case:
    """序时进度 in whole percent: 0 before the start, 100 from the deadline on."""
    span = Greatest(DaysBetween("due_date", "start_date"), Value(1))
    elapsed = DaysBetween(Value(today), "start_date")
    return Case(
        When(Q(start_date__gte=today), then=Value(0)),
        When(Q(due_date__lte=today), then=Value(100)),
        default=elapsed * Value(100) / span,
        output_field=IntegerField(),
    )


def flag_expression(rules: FlagRules) -> Case:
    """The flag as a CASE over annotations `expected_progress` and `next_milestone_due`."""
    behind = Q(expected_progress__gt=progress_plus(rules.red_behind_points))
    return Case(
        When(status__in=NOT_CHASED_STATUSES, then=Value(GREEN)),
        When(due_date__lt=rules.today, then=Value(RED)),
        When(next_milestone_due__lt=rules.today, then=Value(RED)),
        When(behind, then=Value(RED)),
        When(due_date__lte=rules.warn_until, then=Value(YELLOW)),
        When(next_milestone_due__lte=rules.warn_until, then=Value(YELLOW)),
        When(expected_progress__gte=progress_plus(rules.yellow_behind_points), then=Value(YELLOW)),
        default=Value(GREEN),
        output_field=CharField(max_length=6),
    )


def progress_plus(points: int) -> CombinedExpression:
    """progress + points, for comparisons with the expected progress."""
    return F("progress") + Value(points)


def with_flags(tasks: QuerySet[Task], *, today: dt.date) -> QuerySet[Task]:
    """Annotate expected_progress, behind_points, next_milestone_due and flag (all in SQL)."""
    rules = FlagRules.for_day(today)
    return tasks.annotate(
        expected_progress=expected_progress_expression(today),
        next_milestone_due=Coalesce(_next_open_milestone_due(), Value(FAR_FUTURE)),
    ).annotate(
        behind_points=Greatest(Value(0), F("expected_progress") - F("progress")),
        flag=flag_expression(rules),
    )


def overdue_condition(today: dt.date) -> Q:
    """A chased task whose deadline or an open milestone has passed (needs with_flags)."""
    missed = Q(due_date__lt=today) | Q(next_milestone_due__lt=today)
    return missed & ~Q(status__in=NOT_CHASED_STATUSES)


def with_overdue(tasks: QuerySet[Task], *, today: dt.date) -> QuerySet[Task]:
    """On top of with_flags: first_missed (earliest open date), is_overdue, days_overdue."""
    return tasks.annotate(
        first_missed=Least("due_date", "next_milestone_due"),
        is_overdue=Case(
            When(overdue_condition(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        days_overdue=days_overdue_expression(today),
    )


def days_overdue_expression(today: dt.date) -> Case:
    """Calendar days since the earliest missed date (deadline or open milestone); 0 if none."""
    first_missed = Least("due_date", "next_milestone_due")
    return Case(
        When(status__in=NOT_CHASED_STATUSES, then=Value(0)),
        default=Greatest(Value(0), DaysBetween(Value(today), first_missed)),
        output_field=IntegerField(),
    )
