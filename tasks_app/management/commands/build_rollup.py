"""manage.py build_rollup --year Y --quarter Q: build and freeze the next rollup version."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks_app.rollups.build import RollupError, rollup_build


class Command(BaseCommand):
    help = "Build a quarterly rollup now (a new version if one exists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, required=True, choices=(1, 2, 3, 4))

    def handle(self, *args: Any, year: int, quarter: int, **options: Any) -> None:
        try:
            rollup = rollup_build(year=year, quarter=quarter)
        except RollupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"rollup {rollup.pk}: {rollup.year}Q{rollup.quarter} v{rollup.version} "
            f"({rollup.rows.count()} rows, as of {rollup.as_of})"
        )
