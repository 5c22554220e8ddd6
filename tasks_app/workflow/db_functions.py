"""Small portable SQL expressions (PostgreSQL in production, SQLite for `make run`)."""

from typing import Any

from django.db.models import Func, IntegerField


class DaysBetween(Func):
    """Whole days from `start` to `end` (end - start) for two date expressions."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end: Any, start: Any, **extra: Any) -> None:
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        # date - date is an integer number of days in PostgreSQL.
        return self.as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )
