"""manage.py generate_city [--scale S] [--seed N] [--anchor YYYY-MM-DD]: city-scale test data.

Writes the benchmark's dataset (bench/run.py, README "Performance") straight into
PostgreSQL with COPY, in one transaction, then ANALYZEs the tables: at scale 1 about
3.5 million rows in a few minutes. The rows themselves (what, how many, how they
scale) are described in `_city_rows.py`. Deterministic: the same seed, scale and anchor
day give the same rows and ids. PostgreSQL only; refuses a database that already holds
a plan of the anchor year for one of its districts, or a department code it would write.
Each of the 16 districts is an issuing body with its own plan of the anchor year.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone

from bench.city.rows import DISTRICTS, City, Sizes, load_template
from indicators_app.models import Indicator, Observation
from tasks_app.models import (
    Chapter,
    Department,
    IssuingBody,
    KeyResult,
    Measure,
    Membership,
    Milestone,
    Notification,
    Plan,
    ProgressReport,
    Task,
    User,
)

SEED_DIR = Path(settings.BASE_DIR) / "seeds" / "daxing-2025"
PROGRESS_STEP_PCT = 10
PROGRESS_MIN_ROWS = 50_000  # smaller tables print their final line only

# For each table: the model and the fields the row tuples of City carry, in order. Any
# other column gets its model default (a new NOT NULL field without one is an error).
TABLES: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "department": (
        Department,
        ("id", "code", "name", "kind", "webhook_url", "is_active", "updated_at", "body_id"),
    ),
    "user": (
        User,
        (
            "id",
            "password",
            "username",
            "email",
            "date_joined",
            "display_name",
            "phone",
            "district_role",
            "notify_email",
            "notify_webhook",
            "is_staff",
            "body_id",
        ),
    ),
    "membership": (Membership, ("id", "user_id", "department_id", "role")),
    "plan": (
        Plan,
        (
            "id",
            "year",
            "title",
            "source",
            "source_text",
            "imported_at",
            "updated_at",
            "body_id",
        ),
    ),
    "chapter": (Chapter, ("id", "plan_id", "number", "title")),
    "measure": (Measure, ("id", "chapter_id", "number", "title", "text")),
    "task": (
        Task,
        (
            "id",
            "plan_id",
            "chapter_id",
            "measure_id",
            "code",
            "sentence_no",
            "text",
            "title",
            "lead_department_id",
            "owner_id",
            "start_date",
            "due_date",
            "original_due_date",
            "status",
            "progress",
            "completed_at",
            "version",
            "is_archived",
            "created_at",
            "updated_at",
        ),
    ),
    "task_co_departments": (Task.co_departments.through, ("id", "task_id", "department_id")),
    "keyresult": (
        KeyResult,
        (
            "id",
            "task_id",
            "order",
            "value",
            "unit",
            "label",
            "raw",
            "actual_value",
            "actual_reported_at",
        ),
    ),
    "milestone": (
        Milestone,
        (
            "id",
            "task_id",
            "sequence",
            "title",
            "due_date",
            "original_due_date",
            "is_final",
            "completed_at",
            "created_at",
            "updated_at",
        ),
    ),
    "progressreport": (
        ProgressReport,
        (
            "id",
            "task_id",
            "author_id",
            "department_id",
            "period",
            "percent",
            "narrative",
            "red_reason",
            "created_at",
            "updated_at",
        ),
    ),
    "notification": (
        Notification,
        (
            "id",
            "recipient_id",
            "kind",
            "title",
            "body",
            "payload",
            "task_id",
            "created_at",
            "read_at",
            "updated_at",
        ),
    ),
    "indicator": (
        Indicator,
        (
            "id",
            "plan_id",
            "code",
            "order",
            "name",
            "category",
            "group_no",
            "group",
            "unit",
            "responsible_department_id",
            "frequency",
            "due_day",
            "target_comparator",
            "target_value",
            "target_unit",
            "target_text",
            "target_is_growth_rate",
            "baseline_year",
            "baseline_value",
            "baseline_unit",
            "baseline_growth_pct",
            "baseline_text",
            "updated_at",
        ),
    ),
    "observation": (
        Observation,
        (
            "id",
            "indicator_id",
            "period",
            "period_end",
            "value",
            "unit",
            "source",
            "note",
            "reported_value",
            "reported_unit",
            "reported_by_id",
            "verification_status",
            "created_at",
            "updated_at",
        ),
    ),
}


class Progress:
    """Progress lines on stdout: one per PROGRESS_STEP_PCT of a table, then its rate."""

    def __init__(self, write: Any, label: str, total: int) -> None:
        self.write, self.label, self.total = write, label, max(total, 1)
        self.done, self.started = 0, time.monotonic()
        self.next_pct = PROGRESS_STEP_PCT if total >= PROGRESS_MIN_ROWS else 100

    def step(self) -> None:
        self.done += 1
        if self.done * 100 >= self.next_pct * self.total and self.next_pct < 100:
            bar = "#" * (self.next_pct // 5)
            self.write(f"  {self.label:<20} [{bar:<20}] {self.next_pct:3d}%  {self.done:>10,}")
            self.next_pct += PROGRESS_STEP_PCT

    def finish(self) -> float:
        seconds = time.monotonic() - self.started
        rate = self.done / seconds if seconds else 0
        self.write(
            f"  {self.label:<20} [{'#' * 20}] 100%  {self.done:>10,} rows  "
            f"{seconds:6.1f} s  {rate:>9,.0f} rows/s"
        )
        return seconds


def _default_for(model_field: models.Field, now: dt.datetime) -> Any:
    if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
        return now
    if model_field.has_default():
        value = model_field.get_default()
    elif model_field.null:
        return None
    elif model_field.empty_strings_allowed:
        return ""
    else:
        raise CommandError(
            f"{model_field.model.__name__}.{model_field.name}: no value and no default; "
            "teach generate_city (_city_rows.py) to fill it"
        )
    if isinstance(model_field, models.JSONField):
        return json.dumps(value)
    return value


def copy_rows(
    table: str, rows: Iterable[tuple], *, total: int, now: dt.datetime, write: Any
) -> int:
    """COPY the rows into the table of TABLES[table], filling unlisted columns by default."""
    model, attnames = TABLES[table]
    fields = model._meta.concrete_fields
    by_attname = {f.attname: f for f in fields}
    unknown = set(attnames) - set(by_attname)
    if unknown:
        raise CommandError(f"{model.__name__}: no such fields {sorted(unknown)}")
    rest = [f for f in fields if f.attname not in attnames]
    tail = tuple(_default_for(f, now) for f in rest)
    columns = ", ".join(
        connection.ops.quote_name(f.column) for f in [*(by_attname[a] for a in attnames), *rest]
    )
    progress = Progress(write, table, total)
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row + tail)
            progress.step()
    progress.finish()
    return progress.done


def _district_bodies() -> list[int]:
    """An issuing body per district (by name: 大兴区 is the default body), created if new."""
    ids = []
    for code, name in DISTRICTS:
        body = IssuingBody.objects.filter(name=name).first()
        if body is None:
            body = IssuingBody.objects.create(code=code, name=name)
        ids.append(body.pk)
    return ids


def _first_ids() -> dict[str, int]:
    first = {}
    with connection.cursor() as cursor:
        for name, (model, _attnames) in TABLES.items():
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            first[name] = cursor.fetchone()[0]
    return first


def _reset_sequences() -> None:
    with connection.cursor() as cursor:
        for model, _attnames in TABLES.values():
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), "
                f"MAX(id) IS NOT NULL) FROM {table}",
                [table],
            )


class Command(BaseCommand):
    help = "Generate the city-scale benchmark dataset (PostgreSQL, COPY, deterministic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 tasks")
        parser.add_argument("--seed", type=int, default=2025, help="random seed")
        parser.add_argument(
            "--anchor",
            type=dt.date.fromisoformat,
            default=None,
            help="the day the data is built around (default: today in Asia/Shanghai)",
        )
        parser.add_argument(
            "--password", default="bench-city", help="password of every generated person"
        )

    def handle(
        self,
        *args: Any,
        scale: float,
        seed: int,
        anchor: dt.date | None,
        password: str,
        **options: Any,
    ) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_city writes with COPY: PostgreSQL only")
        if scale <= 0:
            raise CommandError("--scale must be positive")
        anchor = anchor or timezone.localdate()
        sizes = Sizes.for_scale(scale)
        started = time.monotonic()
        self.stdout.write(
            f"generate_city: scale {scale:g} (seed {seed}, anchor {anchor}): "
            + ", ".join(f"{k} {v:,}" for k, v in sizes.expected_counts().items())
        )
        with transaction.atomic():
            city = City(
                template=load_template(SEED_DIR),
                sizes=sizes,
                anchor=anchor,
                seed=seed,
                first_ids=_first_ids(),
                password_hash=make_password(password),
            )
            self._refuse_clashes(city)
            self._write(city)
            _reset_sequences()
        self._analyze()
        self.stdout.write(f"generate_city: done in {time.monotonic() - started:.1f} s")

    def _refuse_clashes(self, city: City) -> None:
        names = [name for _code, name in DISTRICTS]
        clashes = Plan.objects.filter(year__in=city.plan_years, body__name__in=names)
        if clashes.exists():
            raise CommandError(
                f"plans of {sorted(set(city.plan_years))} exist already for these districts: "
                "use a fresh database"
            )
        prefixes = models.Q()
        for dcode, _name in DISTRICTS:
            prefixes |= models.Q(code__startswith=f"{dcode}-")
        if Department.objects.filter(prefixes).exists():
            raise CommandError("generated departments exist already: use a fresh database")

    def _write(self, city: City) -> None:
        now, out = timezone.now(), self.stdout.write
        sizes = city.sizes
        tasks = sizes.tasks

        def put(table: str, rows: Iterable[tuple], total: int) -> None:
            copy_rows(table, rows, total=total, now=now, write=out)

        city.body_ids = _district_bodies()
        put("department", city.department_rows(), sizes.departments)
        put("user", city.user_rows(), sizes.people)
        put("membership", city.membership_rows(), sizes.people - 3 * len(DISTRICTS))
        put("plan", city.plan_rows(), len(DISTRICTS))
        chapters, measures, _skeleton = city.structure_rows()
        put("chapter", chapters, len(chapters))
        put("measure", measures, len(measures))
        put("task", city.task_rows(), tasks)
        put("task_co_departments", city.co_department_rows(), sum(len(t.co) for t in city.tasks))
        put("keyresult", city.key_result_rows(), tasks)
        counts = sizes.expected_counts()
        put("milestone", city.milestone_rows(), counts["milestones"])
        put("progressreport", city.progress_report_rows(), counts["progress_reports"])
        put("notification", city.notification_rows(), counts["notifications"])
        put("indicator", city.indicator_rows(), counts["indicators"])
        put("observation", city.observation_rows(), city.observation_total())

    def _analyze(self) -> None:
        """Planner statistics for the new rows (VACUUM needs autocommit; bench/run.py does it)."""
        with connection.cursor() as cursor:
            for model, _attnames in TABLES.values():
                cursor.execute(f"ANALYZE {model._meta.db_table}")
