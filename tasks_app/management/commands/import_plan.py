"""manage.py import_plan PATH [--enrichment FILE] [--body CODE] [--dry-run]: load a plan.

The plan is the (issuing body, year, kind) one: --body, else the enrichment file's
`plan.body`, else the default body (daxing, 大兴区).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks_app.enrichment import load_enrichment
from tasks_app.plan_parser import PlanParseError
from tasks_app.services.plan_import import ImportResult, plan_import


class Command(BaseCommand):
    help = "Import a development plan text and its enrichment file (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the plan text (UTF-8)")
        parser.add_argument(
            "--enrichment",
            type=Path,
            default=None,
            help="enrichment YAML (default: enrichment.yaml beside the plan text)",
        )
        parser.add_argument(
            "--body",
            default=None,
            help="issuing body code (default: the enrichment's plan.body, else daxing)",
        )
        parser.add_argument("--dry-run", action="store_true", help="print the tree, write nothing")

    def handle(
        self,
        *args: Any,
        path: Path,
        enrichment: Path | None,
        dry_run: bool,
        body: str | None = None,
        **options: Any,
    ) -> None:
        enrichment_path = enrichment or path.with_name("enrichment.yaml")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read as UTF-8 text: {exc}") from exc
        try:
            spec = load_enrichment(enrichment_path)
            result = plan_import(text=text, enrichment=spec, body_code=body, dry_run=dry_run)
        except PlanParseError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"{enrichment_path}: {exc}") from exc
        if dry_run:
            self._print_tree(result)
            return
        self._print_summary(result)

    def _print_tree(self, result: ImportResult) -> None:
        parsed = result.parsed
        self.stdout.write(f"{parsed.year} {parsed.title}")
        for chapter in parsed.chapters:
            self.stdout.write(f"  ({chapter.number}) {chapter.title}")
            for measure in chapter.measures:
                self.stdout.write(f"    {measure.number}. {measure.title}")
                for task in measure.tasks:
                    krs = ", ".join(f"{k.value.normalize():f} {k.unit}" for k in task.key_results)
                    suffix = f" [{krs}]" if krs else ""
                    self.stdout.write(f"      {task.code} {task.title}{suffix}")
        self.stdout.write(f"  indicators: {len(parsed.indicators)}")
        for ind in parsed.indicators:
            self.stdout.write(f"    {ind.code} {ind.name}: {ind.target.text}")

    def _print_summary(self, result: ImportResult) -> None:
        created = ", ".join(f"{k} {v}" for k, v in result.created.items() if v) or "nothing"
        updated = ", ".join(f"{k} {v}" for k, v in result.updated.items() if v) or "nothing"
        plan = result.plan
        self.stdout.write(
            f"plan {plan.body.code} {plan.year}: created {created}; updated {updated}"
        )
        if result.defaulted_tasks:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.defaulted_tasks)} tasks not in the enrichment file got defaults: "
                    + ", ".join(result.defaulted_tasks)
                )
            )
        if not result.changed:
            self.stdout.write("already up to date")
