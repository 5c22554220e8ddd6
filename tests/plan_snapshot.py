"""The real 2025 plan, imported once per test database and restored per test by COPY.

Importing the plan (parse, enrichment, bulk upserts, indicators) is the costliest setup
of the suite, and hundreds of tests only need it present. `PlanSnapshot.capture()` runs
the import once inside a transaction, copies the rows it added (every table, by primary
key against the rows that were there before) out with `COPY ... TO STDOUT`, and rolls
back: the test database stays as migrations left it, so tests that do not ask for the
plan still see no plan (the rollup tests build their own 2025 plan, `Plan.year` is unique).

`restore()` writes the same rows back with `COPY ... FROM STDIN` in one atomic block:
inside a `db` test it is rolled back with the test; in a `transactional_db`/`live_server`
test it is committed (other connections see it) and removed by the flush after the test,
and the next test that asks restores it again. The order of the tables does not matter:
neither foreign keys nor the database's triggers (the task's next open milestone,
tombstones) run during the COPY (`session_replication_role = replica`); the rows are
restored exactly as the import and its triggers left them. Sequences are moved past the
restored ids, so rows a test creates never collide with them.

Time: the import runs with the clock frozen at IMPORTED_AT, so every timestamp it writes
(created_at, updated_at, imported_at, the `imported` history events) is that instant, and
`restore()` writes the current time (`timezone.now()`, a test's pinned clock included) in
its place: the rows look imported now, as when each test imported the plan itself
(`updated_since` filters, history order and the like see no difference).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection, transaction
from django.utils import timezone

from tasks_app.models import IssuingBody, Plan
from tasks_app.plans.enrichment import load_enrichment
from tasks_app.plans.importer import plan_import

SEED_DIR = Path(__file__).resolve().parent.parent / "seeds" / "daxing-2025"
# An instant no test writes: replaced by the time of each restore (see above).
IMPORTED_AT = dt.datetime(2025, 1, 2, 9, 0, 0, 123457, tzinfo=ZoneInfo("Asia/Shanghai"))


def import_seed_plan() -> Plan:
    """The real 2025 plan, imported through the same service as `manage.py import_plan`."""
    text = (SEED_DIR / "plan.txt").read_text(encoding="utf-8")
    result = plan_import(text=text, enrichment=load_enrichment(SEED_DIR / "enrichment.yaml"))
    return result.plan


class _Rollback(Exception):
    """Leaves the capture's transaction: the import is undone, the copies are kept."""


@dataclass(frozen=True)
class _TableCopy:
    table: str
    data: bytes
    rows: int
    max_id: int | None  # of an integer primary key with a sequence, else None
    sequence: str | None


def _as_copy_text(cursor, moment: dt.datetime) -> bytes:
    """`moment` as COPY writes a timestamptz in this connection's time zone."""
    cursor.execute("SELECT %s::timestamptz::text", [moment])
    return cursor.fetchone()[0].encode()


@dataclass(frozen=True)
class PlanSnapshot:
    plan_pk: int
    tables: tuple[_TableCopy, ...]
    imported_at: bytes  # `at` as written in the copies; b"" for a ticking capture
    bodies: list[dict] = field(default_factory=list)  # issuing bodies as they were then

    @property
    def rows(self) -> int:
        return sum(copy.rows for copy in self.tables)

    @classmethod
    def capture(
        cls,
        make_plan: Callable[[], Plan] = import_seed_plan,
        *,
        at: dt.datetime = IMPORTED_AT,
        tick: bool = False,
        prepare: Callable[[], object] | None = None,
    ) -> PlanSnapshot:
        """Run `make_plan` once (PostgreSQL), keep the rows it added, leave no trace.

        The clock stands at `at` while `make_plan` runs; frozen there (`tick=False`), that
        instant is replaced by the time of each restore; ticking (a world built step by
        step, whose order of events matters), the timestamps are kept as they were written.
        `prepare` runs first, in the same transaction, and what it writes counts as
        already there (not copied)."""
        qn = connection.ops.quote_name
        copies: list[_TableCopy] = []
        plan_pk, marker, bodies = 0, b"", []
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if prepare is not None:
                    prepare()
                marker = b"" if tick else _as_copy_text(cursor, at)
                tables = sorted(connection.introspection.table_names(cursor))
                keys = {
                    t: connection.introspection.get_primary_key_column(cursor, t) for t in tables
                }
                keys = {t: key for t, key in keys.items() if key is not None}
                for n, table in enumerate(keys):
                    cursor.execute(
                        f"CREATE TEMPORARY TABLE _before_{n} ON COMMIT DROP AS "
                        f"SELECT * FROM {qn(table)}"
                    )
                with time_machine.travel(at, tick=tick):
                    plan_pk = make_plan().pk
                bodies = list(IssuingBody.objects.values("pk", "code", "name", "kind"))
                for n, (table, key) in enumerate(keys.items()):
                    _refuse_changed_rows(cursor, table, key, f"_before_{n}")
                    added = (
                        f"SELECT t.* FROM {qn(table)} t WHERE NOT EXISTS "
                        f"(SELECT 1 FROM _before_{n} b WHERE b.{qn(key)} = t.{qn(key)})"
                    )
                    cursor.execute(f"SELECT count(*) FROM ({added}) a")
                    (rows,) = cursor.fetchone()
                    if not rows:
                        continue
                    data = bytearray()
                    with cursor.copy(f"COPY ({added}) TO STDOUT") as copy:
                        for block in copy:
                            data += block
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, key])
                    (sequence,) = cursor.fetchone()
                    max_id = None
                    if sequence:
                        cursor.execute(f"SELECT max(a.{qn(key)}) FROM ({added}) a")
                        (max_id,) = cursor.fetchone()
                    copies.append(_TableCopy(table, bytes(data), rows, max_id, sequence))
                raise _Rollback
        except _Rollback:
            pass
        if marker:
            assert any(marker in c.data for c in copies), f"no timestamp {marker!r} in the copies"
        return cls(plan_pk=plan_pk, tables=tuple(copies), imported_at=marker, bodies=bodies)

    def restore(self) -> Plan:
        """Write the plan's rows back (one atomic block) and return the Plan.

        The rows the import did not add but refers to — the default issuing body, which
        migration 0009 creates — are gone after a transactional test's flush: put back
        first, with the same key."""
        qn = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            self.restore_bodies()
            now = _as_copy_text(cursor, timezone.now()) if self.imported_at else b""
            # The copies hold the rows as the triggers and foreign keys left them: neither
            # needs to run again (PostgreSQL's foreign keys are triggers too). SET is
            # transactional: a failed COPY rolls it back with the rest.
            cursor.execute("SET session_replication_role = replica")
            for copy_of in self.tables:
                with cursor.copy(f"COPY {qn(copy_of.table)} FROM STDIN") as copy:
                    data = copy_of.data
                    copy.write(data.replace(self.imported_at, now) if now else data)
            cursor.execute("SET session_replication_role = DEFAULT")
            bumps = [
                f"SELECT setval('{c.sequence}', {c.max_id}) "
                f"WHERE (SELECT last_value FROM {c.sequence}) < {c.max_id}"
                for c in self.tables
                if c.sequence and c.max_id is not None
            ]
            for bump in bumps:
                cursor.execute(bump)
        return Plan.objects.get(pk=self.plan_pk)

    def restore_bodies(self) -> None:
        """The issuing bodies as they were at capture (a transactional test's flush
        removes the one migration 0009 creates)."""
        for body in self.bodies:
            IssuingBody.objects.get_or_create(pk=body["pk"], defaults=body)


def _refuse_changed_rows(cursor, table: str, key: str, before: str) -> None:
    """The snapshot only adds rows: an import that changed or deleted a row that was
    there before (a migration's data) could not be restored by COPY, so say so."""
    qn = connection.ops.quote_name
    cursor.execute(
        f"SELECT count(*) FROM {before} b LEFT JOIN {qn(table)} t ON t.{qn(key)} = b.{qn(key)} "
        f"WHERE t.{qn(key)} IS NULL OR t::text <> b::text"
    )
    (changed,) = cursor.fetchone()
    if changed:
        raise AssertionError(
            f"the plan import changed {changed} existing row(s) of {table}: "
            "tests/plan_snapshot.py can only restore added rows"
        )


@dataclass(frozen=True)
class MigrationData:
    """The rows migrations write (content types, permissions, the default issuing body, the
    reminder schedule…), copied out once per test database. A transactional test ends with
    a flush that empties every table; `restore_flushed()` then copies them back, so the next
    test sees the database as migrations left it, whichever test ran before it."""

    tables: tuple[_TableCopy, ...]

    @classmethod
    def capture(cls) -> MigrationData:
        qn = connection.ops.quote_name
        copies = []
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.django_table_names(only_existing=True)):
                cursor.execute(f"SELECT count(*) FROM {qn(table)}")
                (rows,) = cursor.fetchone()
                if not rows:
                    continue
                data = bytearray()
                with cursor.copy(f"COPY {qn(table)} TO STDOUT") as copy:
                    for block in copy:
                        data += block
                copies.append(_TableCopy(table, bytes(data), rows, None, None))
        return cls(tables=tuple(copies))

    def restore_flushed(self) -> None:
        """Copy back the tables a flush emptied (untouched ones are left alone)."""
        qn = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            for copy_of in self.tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {qn(copy_of.table)})")
                if cursor.fetchone()[0]:
                    continue
                with cursor.copy(f"COPY {qn(copy_of.table)} FROM STDIN") as copy:
                    copy.write(copy_of.data)
            cursor.execute("SET session_replication_role = DEFAULT")
