"""Flag colour (红黄绿灯), computed in SQL from dates and progress; never stored or typed in.

red    — the deadline or an open milestone has passed, or progress is more than
         FLAG_RED_BEHIND_POINTS behind the schedule-proportional expectation (序时进度:
         the share of the task's time already elapsed);
yellow — the deadline or an open milestone falls within the warning window
         (WARNING_WINDOW_WORKING_DAYS working days), or progress is
         FLAG_YELLOW_BEHIND_POINTS..FLAG_RED_BEHIND_POINTS behind;
green  — otherwise, and always for tasks that are not chased (NOT_CHASED_STATUSES:
         completed, cancelled, withdrawn 已撤销, carried over 已结转, and suspended).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.conf import settings
from django.db.models import BooleanField, CharField, DateField, IntegerField, QuerySet

from tasks_app.models import Task
from tasks_app.models.plan import NOT_CHASED_STATUSES
from tasks_app.workflow.sql import Dialect, Fragment, attach, text_list, vendor_of
from tasks_app.workflow.workdays import warning_window_end

RED, YELLOW, GREEN = "red", "yellow", "green"
FLAGS = (GREEN, YELLOW, RED)
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
            warn_until=warning_window_end(today),
            red_behind_points=conf["FLAG_RED_BEHIND_POINTS"],
            yellow_behind_points=conf["FLAG_YELLOW_BEHIND_POINTS"],
        )


def with_flags(tasks: QuerySet[Task], *, today: dt.date) -> QuerySet[Task]:
    """Annotate expected_progress, behind_points, next_milestone_due and flag (all in SQL)."""
    return attach(tasks, flag_fragments(FlagRules.for_day(today), vendor_of(tasks)))


def with_overdue(tasks: QuerySet[Task], *, today: dt.date) -> QuerySet[Task]:
    """first_missed (earliest open date), is_overdue and days_overdue (all in SQL)."""
    return attach(tasks, overdue_fragments(today, vendor_of(tasks)))


# The earliest open milestone's date is a column the database keeps (triggers of migration
# tasks_app 0007), not a correlated subquery repeated by every rule that reads it.
_NEXT_DUE = "{t}.next_open_milestone_due"


def _expected_progress(d: Dialect, today: dt.date) -> str:
    """序时进度 in whole percent: 0 before the start, 100 from the deadline on."""
    day = d.date(today)
    span = d.greatest(d.days("{t}.due_date", "{t}.start_date"), "1")
    return (
        f"CASE WHEN {{t}}.start_date >= {day} THEN 0 WHEN {{t}}.due_date <= {day} THEN 100"
        f" ELSE {d.days(day, '{t}.start_date')} * 100 / {span} END"
    )


@functools.lru_cache(maxsize=32)
def flag_fragments(rules: FlagRules, vendor: str) -> Mapping[str, Fragment]:
    """The flag's columns as SQL text, for one day's rules on one database vendor."""
    d = Dialect(vendor)
    today, warn_until = d.date(rules.today), d.date(rules.warn_until)
    expected = f"({_expected_progress(d, rules.today)})"
    red_behind = f"{expected} > {{t}}.progress + {int(rules.red_behind_points)}"
    yellow_behind = f"{expected} >= {{t}}.progress + {int(rules.yellow_behind_points)}"
    # A task without an open milestone has NULL there: no comparison with it holds.
    flag = (
        f"CASE WHEN {{t}}.status IN {text_list(NOT_CHASED_STATUSES)} THEN '{GREEN}'"
        f" WHEN {{t}}.due_date < {today} OR {_NEXT_DUE} < {today} OR {red_behind}"
        f" THEN '{RED}'"
        f" WHEN {{t}}.due_date <= {warn_until} OR {_NEXT_DUE} <= {warn_until}"
        f" OR {yellow_behind} THEN '{YELLOW}'"
        f" ELSE '{GREEN}' END"
    )
    return MappingProxyType(
        {
            "expected_progress": Fragment(expected, IntegerField),
            "next_milestone_due": Fragment(_next_due_or_far_future(d), DateField),
            "behind_points": Fragment(
                d.greatest("0", f"{expected} - {{t}}.progress"), IntegerField
            ),
            "flag": Fragment(flag, CharField),
        }
    )


def _next_due_or_far_future(d: Dialect) -> str:
    return f"COALESCE({_NEXT_DUE}, {d.date(FAR_FUTURE)})"


@functools.lru_cache(maxsize=32)
def overdue_fragments(today: dt.date, vendor: str) -> Mapping[str, Fragment]:
    """first_missed, is_overdue and days_overdue as SQL text, for one day on one vendor."""
    d = Dialect(vendor)
    day = d.date(today)
    first_missed = d.least("{t}.due_date", _next_due_or_far_future(d))
    not_chased = f"{{t}}.status IN {text_list(NOT_CHASED_STATUSES)}"
    overdue = f"NOT ({not_chased}) AND ({{t}}.due_date < {day} OR {_NEXT_DUE} < {day})"
    days_overdue = (
        f"CASE WHEN {not_chased} THEN 0 ELSE {d.greatest('0', d.days(day, first_missed))} END"
    )
    return MappingProxyType(
        {
            "first_missed": Fragment(first_missed, DateField),
            "is_overdue": Fragment(f"CASE WHEN {overdue} THEN TRUE ELSE FALSE END", BooleanField),
            "days_overdue": Fragment(days_overdue, IntegerField),
        }
    )
