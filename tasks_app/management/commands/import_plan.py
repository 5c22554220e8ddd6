"""manage.py import_plan PATH [--enrichment FILE] [--dry-run] [--if-changed]: merge a plan in.

A three-way merge (tasks_app.plans.merge): what people changed in the app since
the last import stays, what only the file changed is updated, both → a conflict listed
here and the app's value kept. Prints added / changed / withdrawn / conflicts, or
"nothing to change". --dry-run prints the same and writes nothing (it also runs without
an enrichment file); --if-changed skips the merge when these exact files were the plan's
last import (what `make run` calls on every start).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks_app.parsing.parser import PlanParseError
from tasks_app.plans.enrichment import Enrichment, load_enrichment
from tasks_app.plans.importer import ImportResult, import_is_current, plan_import
from tasks_app.plans.merge import NOT_GIVEN, UNKNOWN, Change

SHOWN = 60  # lines per section; the rest is counted


def _show(value: Any) -> str:
    if value is UNKNOWN:
        return "(unknown: imported before snapshots)"
    if value is NOT_GIVEN:
        return "(not in the file)"
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) if isinstance(v, list) else str(v) for v in value) + "]"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _pair(old: Any, new: Any) -> str:
    """old → new; long texts from just before where they start to differ."""
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 60:
        start = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), 0)
        start = max(0, min(start, len(old), len(new)) - 10)
        if start:
            old, new = "…" + old[start:], "…" + new[start:]
    return f"{_show(old)} → {_show(new)}"


class Command(BaseCommand):
    help = "Merge a development plan text and its enrichment file into the database."

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
        parser.add_argument(
            "--dry-run", action="store_true", help="print the diff it would apply, write nothing"
        )
        parser.add_argument(
            "--if-changed",
            action="store_true",
            help="do nothing when these files were the plan's last import",
        )

    def handle(
        self,
        *args: Any,
        path: Path,
        enrichment: Path | None,
        dry_run: bool,
        if_changed: bool,
        body: str | None = None,
        **options: Any,
    ) -> None:
        enrichment_path = enrichment or path.with_name("enrichment.yaml")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read as UTF-8 text: {exc}") from exc
        try:
            spec = self._enrichment(
                enrichment_path, explicit=enrichment is not None, dry_run=dry_run
            )
            if if_changed and not dry_run and import_is_current(text=text, enrichment=spec):
                self.stdout.write(f"{path}: unchanged since the last import; nothing to change")
                return
            result = plan_import(
                text=text,
                enrichment=spec,
                body_code=body,
                dry_run=dry_run,
                source=f"import_plan {path}",
            )
        except PlanParseError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"{enrichment_path}: {exc}") from exc
        if dry_run:
            self._print_tree(result)
        if not result.problems:
            self._print(result)
        self._print_warnings(result)
        if result.problems:
            raise CommandError("dry run: the import would fail:\n" + "\n".join(result.problems))

    def _print_warnings(self, result: ImportResult) -> None:
        """The parser's guesses and doubts, each with its line (docs/plan-parser.md)."""
        warnings = result.parsed.warnings
        if warnings:
            self.stdout.write(f"parser warnings: {len(warnings)}")
        for warning in warnings:
            self.stdout.write(self.style.WARNING(f"  {warning}"))

    def _print_tree(self, result: ImportResult) -> None:
        """The parsed plan, each measure and task with its line in the file."""
        parsed = result.parsed
        self.stdout.write(f"{parsed.year} {parsed.title}")
        for chapter in parsed.chapters:
            self.stdout.write(f"  ({chapter.number}) {chapter.title}")
            for measure in chapter.measures:
                self.stdout.write(f"    {measure.number}. {measure.title} (line {measure.line_no})")
                for task in measure.tasks:
                    krs = ", ".join(f"{k.value.normalize():f} {k.unit}" for k in task.key_results)
                    suffix = f" [{krs}]" if krs else ""
                    self.stdout.write(
                        f"      {task.code} line {task.line_no}: {task.title}{suffix}"
                    )
        self.stdout.write(f"  indicators: {len(parsed.indicators)}")
        for ind in parsed.indicators:
            self.stdout.write(f"    {ind.code} {ind.name}: {ind.target.text}")

    def _enrichment(self, path: Path, *, explicit: bool, dry_run: bool) -> Enrichment | None:
        if dry_run and not explicit and not path.exists():
            self.stdout.write(self.style.WARNING(f"{path}: not found; previewing without it"))
            return None
        return load_enrichment(path)

    def _section(self, title: str, lines: list[str]) -> None:
        if not lines:
            return
        self.stdout.write(f"{title} ({len(lines)}):")
        for line in lines[:SHOWN]:
            self.stdout.write(f"  {line}")
        if len(lines) > SHOWN:
            self.stdout.write(f"  … and {len(lines) - SHOWN} more")

    def _changes(self, changes: list[Change]) -> list[str]:
        return [f"{c.code} {c.field}: {_pair(c.old, c.new)}" for c in changes]

    def _print(self, result: ImportResult) -> None:
        diff, parsed = result.diff, result.parsed
        head = "dry run, nothing written — " if result.dry_run else ""
        body = result.plan.body.code if result.plan is not None else "(new)"
        self.stdout.write(f"{head}plan {body} {parsed.year} {parsed.title}")
        titles = {t.code: t for c in parsed.chapters for m in c.measures for t in m.tasks}
        added = []
        for code in diff.added:
            task = titles[code]
            krs = ", ".join(f"{k.value.normalize():f} {k.unit}" for k in task.key_results)
            added.append(f"+ {code} {task.title}" + (f" [{krs}]" if krs else ""))
        names = {i.code: i for i in parsed.indicators}
        added += [
            f"+ indicator {code} {names[code].name}: {names[code].target.text}"
            for code in diff.indicators_added
        ]
        added += [f"+ department {code}" for code in diff.departments_added]
        self._section(
            f"added: {len(diff.added)} tasks, {len(diff.indicators_added)} indicators", added
        )
        self._section(
            "changed",
            self._changes(
                diff.plan_changes
                + diff.structure_changes
                + diff.department_changes
                + diff.changes
                + [
                    Change(f"indicator {c.code}", c.field, c.old, c.new)
                    for c in diff.indicator_changes
                ]
            ),
        )
        self._section("removed from the file: withdrawn (撤销)", [f"- {c}" for c in diff.withdrawn])
        self._section("back in the file: restored", [f"+ {c}" for c in diff.restored])
        self._section(
            "conflicts (changed in the app and in the file; the app's value is kept)",
            [
                f"{c.code} {c.field}: app {_show(c.app)}, file {_show(c.file)}, "
                f"last import {_show(c.base)}"
                for c in diff.conflicts
            ],
        )
        for warning in diff.warnings:
            self.stdout.write(self.style.WARNING(warning))
        if diff.empty:
            self.stdout.write("nothing to change (already up to date)")
