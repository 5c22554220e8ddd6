"""Temporary tables for set-based runs: created, filled and dropped inside one transaction.

Rows go in with one statement per table whatever their number: COPY … FROM STDIN on
PostgreSQL (psycopg's cursor.copy, streamed from a generator), one executemany on SQLite
(the embedded default, which streams the generator the same way). Nothing is kept in
Python: the rows are produced while they are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _refuse_during_copy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    raise RuntimeError(f"a query while a COPY is under way on this connection: {sql[:200]}")


class Staging:
    """The temporary tables of one run: `create` them, `load` rows, `drop` them at the end.

    Table names are fixed; a failing run rolls back their creation with everything else
    (both PostgreSQL and SQLite have transactional DDL)."""

    def __init__(self, cursor: CursorWrapper) -> None:
        self.cursor = cursor
        self.tables: list[str] = []

    def create(self, name: str, columns: str) -> None:
        self.cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
        self.tables.append(name)

    def create_as(self, name: str, select: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {select}", params)
        self.tables.append(name)

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """One COPY (PostgreSQL) or one executemany (SQLite), streamed from `rows`."""
        names = ", ".join(columns)
        if on_postgres():
            # A query from inside `rows` would wait for the COPY forever: fail it instead.
            with (
                connection.execute_wrapper(_refuse_during_copy),
                self.cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        self.cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def analyze(self) -> None:
        """Statistics for the planner (PostgreSQL does not analyze temporary tables itself)."""
        if on_postgres() and self.tables:
            self.cursor.execute(f"ANALYZE {', '.join(self.tables)}")

    def drop(self) -> None:
        if not self.tables:
            return
        if on_postgres():
            self.cursor.execute(f"DROP TABLE {', '.join(self.tables)}")
        else:  # SQLite drops one table per statement
            for name in self.tables:
                self.cursor.execute(f"DROP TABLE {name}")
        self.tables = []


def reserve_ids(cursor: CursorWrapper, model: type[Model], count: int) -> list[int]:
    """`count` ids of `model`'s table, taken before its rows are written (other rows name
    them). PostgreSQL: from the table's sequence; SQLite: after the largest ever used — the
    run holds SQLite's write lock since its first write, so no one else takes them."""
    if not count:
        return []
    table = model._meta.db_table
    if on_postgres():
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), count],
        )
        return sorted(row[0] for row in cursor)
    cursor.execute(
        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
        f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))",
        [table],
    )
    last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))
