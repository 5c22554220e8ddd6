"""A task's state as of an instant, reconstructed from its append-only history.

For each task (in SQL, one statement): the status, progress and deadline that stood at
`cutoff` (the first instant after the quarter's last day) — the last history value
recorded before it, else the value before the first change recorded after it, else the
current column — the completion date if it was completed by then, the earliest milestone
still open then, and the flag computed from those (the rules of tasks_app.workflow.flags).
Nothing that happened after the cutoff counts, so a rollup built late equals the one
built on the quarter's last day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest

from tasks_app.models import HistoryEvent, Milestone, Task, TaskStatus
from tasks_app.workflow.db_functions import DaysBetween
from tasks_app.workflow.flags import GREEN, NOT_CHASED_STATUSES, RED, YELLOW, FlagRules


class JsonScalarText(Func):
    """A JSON scalar (a history value) as text: "completed" → completed, 40 → 40."""

    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s #>> '{}')", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="json_extract(%(expressions)s, '$')")


def _value_then(field: str, cutoff: dt.datetime, tasks: QuerySet | None = None) -> Any:
    """The field's value at `cutoff` (the module's docstring). With `tasks` (the task ids
    the statement reads, as a subquery): the two history subqueries run only for the
    tasks that have any history of the field; the others' value is the column's (what the
    subqueries would find: nothing), found with one uncorrelated lookup (a hashed
    subplan) instead of two correlated subqueries per task."""
    events = HistoryEvent.objects.filter(task=OuterRef("pk"), field=field).order_by()
    before = events.filter(at__lt=cutoff).order_by("-at", "-id").values("to_value")[:1]
    after = events.filter(at__gte=cutoff).order_by("at", "id").values("from_value")[:1]
    current = Cast(F(field), CharField())
    value = Coalesce(JsonScalarText(Subquery(before)), JsonScalarText(Subquery(after)), current)
    if tasks is None:
        return value
    with_history = HistoryEvent.objects.filter(field=field, task__in=tasks).values("task_id")
    return Case(When(pk__in=with_history, then=value), default=current, output_field=CharField())


def status_then(cutoff: dt.datetime) -> Coalesce:
    """The task's status at `cutoff`, from its history."""
    return _value_then("status", cutoff)


def _open_milestone_then(cutoff: dt.datetime) -> Subquery:
    open_then = Q(completed_at__isnull=True) | Q(completed_at__gte=cutoff)
    return Subquery(
        Milestone.objects.filter(open_then, task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(first=Min("due_date"))
        .values("first")[:1],
        output_field=DateField(),
    )


def tasks_as_of(tasks: QuerySet[Task], *, as_of: dt.date, cutoff: dt.datetime) -> QuerySet[Task]:
    """Annotate status_then, progress_then, due_then, completed_then, milestone_then and
    flag_then (see the module's docstring)."""
    tasks = tasks.annotate(**raw_state_then(cutoff))
    tasks = tasks.annotate(
        completed_then=Case(
            When(status_then=TaskStatus.COMPLETED, completed_at__lt=cutoff, then="completed_at"),
            default=None,
        ),
    )
    return tasks.annotate(**flag_then(as_of))


def raw_state_then(cutoff: dt.datetime, tasks: QuerySet | None = None) -> dict[str, Any]:
    """status_then, progress_then, due_then and milestone_then: the values read from
    history (one pair of subqueries each), to annotate a Task queryset with; `tasks`:
    as _value_then's."""
    return {
        "status_then": _value_then("status", cutoff, tasks),
        "progress_then": Cast(_value_then("progress", cutoff, tasks), IntegerField()),
        "due_then": Cast(_value_then("due_date", cutoff, tasks), DateField()),
        "milestone_then": _open_milestone_then(cutoff),
    }


def flag_then(as_of: dt.date) -> dict[str, Any]:
    """expected_then and flag_then, from status_then, progress_then, due_then,
    milestone_then and start_date (annotations or columns of the queryset): two
    annotations to apply in order (a dict keeps it)."""
    span = Greatest(DaysBetween("due_then", "start_date"), Value(1))
    return {
        "expected_then": Case(
            When(Q(start_date__gte=as_of), then=Value(0)),
            When(Q(due_then__lte=as_of), then=Value(100)),
            default=DaysBetween(Value(as_of), "start_date") * Value(100) / span,
            output_field=IntegerField(),
        ),
        "flag_then": _flag(FlagRules.for_day(as_of)),
    }


def _flag(rules: FlagRules) -> Case:
    def behind(points: int) -> Q:
        return Q(expected_then__gt=F("progress_then") + Value(points))

    return Case(
        When(status_then__in=NOT_CHASED_STATUSES, then=Value(GREEN)),
        When(due_then__lt=rules.today, then=Value(RED)),
        When(milestone_then__lt=rules.today, then=Value(RED)),
        When(behind(rules.red_behind_points), then=Value(RED)),
        When(due_then__lte=rules.warn_until, then=Value(YELLOW)),
        When(milestone_then__lte=rules.warn_until, then=Value(YELLOW)),
        When(behind(rules.yellow_behind_points - 1), then=Value(YELLOW)),
        default=Value(GREEN),
        output_field=CharField(max_length=6),
    )
