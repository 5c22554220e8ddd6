"""manage.py export_enrichment PLAN [-o FILE].

PLAN is a plan id or BODY:YEAR (the annual plan, e.g. daxing:2025). Writes the plan's
enrichment YAML (departments, tasks' leads, co-departments, deadlines and milestones,
indicators' owners) as the database holds it now: `import_plan` of the plan's text with
this file changes nothing (tasks_app/plans/export.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tasks_app.management.commands.rollover_plan import plan_named
from tasks_app.plans.export import enrichment_yaml


class Command(BaseCommand):
    help = "Write a plan's enrichment YAML as the database holds it (round-trips with import_plan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", help="plan id or BODY:YEAR (e.g. daxing:2025)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, plan: str, output: str | None, **options: Any) -> None:
        text = enrichment_yaml(plan_named(plan))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
