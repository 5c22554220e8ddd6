"""Derived task columns written as SQL text, attached through the public expression API.

The flag, overdue and report-status rules and the nested JSON arrays of a task read are
plain SQL fragments (as Taiga's `attach_*` helpers write them). A fragment is formatted
per vendor and per rule set once and kept as a string (the callers cache it, keyed by
everything the text depends on); what a request builds is a `TaskSQL` expression per
column: one `F("pk")`, resolved like any other column.

In the text, `{t}` stands for the task table as the statement names it. Django relabels
that name when the query becomes a subquery of another query (`U0`, …); the fragment
follows, so an annotated queryset composes like any other (`pk__in=`, `Exists`, union).
A fragment may refer only to the task row itself: it is attached to Task querysets, not
to a Task reached through a relation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Expression, F, Field, QuerySet
from django.utils.functional import cached_property

from tasks_app.models import Task


class TaskSQL(Expression):
    """A SQL fragment over one task row; `{t}` in `sql` is the task table's alias.

    Self-contained apart from `{t}` (subqueries name their own tables and aliases). Values
    are literals written by `Dialect` from typed Python values (dates, integers, the
    code's own constants), never from request input; there are no `%s` parameters.
    """

    def __init__(self, sql: str, *, output_field: Field, row: Any = None) -> None:
        if "%" in sql:
            raise ValueError("TaskSQL takes no parameters; write a literal through Dialect")
        super().__init__(output_field=output_field)
        self.sql = sql
        self.row = F("pk") if row is None else row

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.sql!r})"

    @cached_property
    def identity(self) -> tuple:
        # The text and the output type say what the expression is (Django's default reads
        # the constructor's signature, which cost more than the rest of a fresh one).
        return (self.__class__, self.sql, self.output_field.__class__)

    def get_source_expressions(self) -> list[Any]:
        return [self.row]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.row,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # The compiled primary key is `<alias>.<pk column>`; the alias is what `{t}` means.
        pk_sql, pk_params = compiler.compile(self.row)
        suffix = "." + connection.ops.quote_name(Task._meta.pk.column)
        if pk_params or not pk_sql.endswith(suffix):
            raise ValueError(f"TaskSQL needs a task row, got {pk_sql!r}")
        return "(" + self.sql.format(t=pk_sql.removesuffix(suffix)) + ")", []


class Fragment(NamedTuple):
    """One derived column: its SQL text (with `{t}`) and the model field class it reads as."""

    sql: str
    field: type[Field]


def attach(tasks: QuerySet, fragments: Mapping[str, Fragment]) -> QuerySet:
    """`tasks` annotated with one TaskSQL expression per fragment (built per call)."""
    if not issubclass(tasks.model, Task):
        raise TypeError(f"task fragments attach to Task querysets, not {tasks.model.__name__}")
    tasks = tasks.all()
    # The task row's primary key, resolved once for all of them (as F("pk") would be).
    row = F("pk").resolve_expression(tasks.query)
    expressions = {
        name: TaskSQL(f.sql, output_field=output_field(f.field), row=row)
        for name, f in fragments.items()
    }
    return tasks.annotate(**expressions)


_OUTPUT_FIELDS: dict[type[Field], Field] = {}


def output_field(field_class: type[Field]) -> Field:
    """One unbound instance per field class, shared as Django's functions share theirs
    (`output_field = IntegerField()` on the class): it holds no per-query state."""
    if field_class not in _OUTPUT_FIELDS:
        _OUTPUT_FIELDS[field_class] = field_class()
    return _OUTPUT_FIELDS[field_class]


def vendor_of(tasks: QuerySet) -> str:
    """The vendor ("postgresql", "sqlite") of the database `tasks` will run on."""
    return connections[tasks.db].vendor


def text(value: str) -> str:
    """A SQL string literal (for the code's constants: statuses, flags, periods)."""
    return "'" + str(value).replace("'", "''") + "'"


def text_list(values: Iterable[str]) -> str:
    """A parenthesised list of SQL string literals."""
    return "(" + ", ".join(text(v) for v in values) + ")"


class Dialect:
    """The few spellings that differ between PostgreSQL and SQLite (`make run`)."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.postgres = vendor == "postgresql"

    def date(self, value: dt.date) -> str:
        """A date literal."""
        iso = dt.date.isoformat(value)
        return f"DATE '{iso}'" if self.postgres else f"'{iso}'"

    def timestamp(self, value: dt.datetime) -> str:
        """An aware datetime as a literal; SQLite stores UTC text as Django writes it."""
        if value.tzinfo is None:
            raise ValueError("an aware datetime is needed")
        if self.postgres:
            return f"TIMESTAMPTZ '{value.isoformat()}'"
        return "'" + str(value.astimezone(dt.UTC).replace(tzinfo=None)) + "'"

    def days(self, end: str, start: str) -> str:
        """Whole days from `start` to `end` (two date expressions)."""
        if self.postgres:
            return f"({end} - {start})"
        return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"

    def greatest(self, *args: str) -> str:
        return ("GREATEST" if self.postgres else "MAX") + "(" + ", ".join(args) + ")"

    def least(self, *args: str) -> str:
        return ("LEAST" if self.postgres else "MIN") + "(" + ", ".join(args) + ")"

    def json_array(self, obj: str, source: str, order: str) -> str:
        """A JSON array (as text) of `obj` (a JSON object per row) over `source`, sorted.

        `source` is "FROM … WHERE …"; an empty source gives "[]".
        """
        if self.postgres:
            return f"SELECT COALESCE(json_agg({obj} ORDER BY {order}), '[]')::text {source}"
        # SQLite 3.40 has no ORDER BY inside aggregates: sort in a subquery first.
        rows = f"SELECT {obj} AS j {source} ORDER BY {order}"
        return f"SELECT json_group_array(json(o.j)) FROM ({rows}) o"

    def json_object(self, pairs: dict[str, str]) -> str:
        function = "json_build_object" if self.postgres else "json_object"
        return function + "(" + ", ".join(f"'{k}', {v}" for k, v in pairs.items()) + ")"
