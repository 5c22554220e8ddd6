"""manage.py evaluate_suggestions [PLAN] [--enrichment FILE] [--json]: measure the suggestions.

Leave-one-measure-out on a plan text and its hand assignments (the enrichment YAML): how
often the suggested lead department is the hand-assigned one (top-1, top-3), and precision
and recall of the suggested co-departments. Reads files only; no database.
"""

import dataclasses
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks_app.parsing.parser import PlanParseError, parse_plan
from tasks_app.plans.enrichment import load_enrichment
from tasks_app.plans.suggestions import DEFAULT_WEIGHTS
from tasks_app.plans.suggestions_data import assignments_from_files
from tasks_app.plans.suggestions_eval import Evaluation, evaluate_leave_one_measure_out

DEFAULT_PLAN = Path(settings.BASE_DIR) / "seeds" / "daxing-2025" / "plan.txt"
# --without EVIDENCE sets these weights to zero (an ablation: what each kind contributes).
EVIDENCE = {
    "mentions": ("mention",),
    "keywords": ("keyword",),
    "history": ("history", "co_neighbour", "co_pair"),
    "prior": ("prior",),
}


class Command(BaseCommand):
    help = "Measure the lead/co-department suggestions against a plan's hand assignments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, nargs="?", default=DEFAULT_PLAN, help="the plan text (UTF-8)"
        )
        parser.add_argument(
            "--enrichment",
            type=Path,
            default=None,
            help="the hand assignments (default: enrichment.yaml beside the plan text)",
        )
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument(
            "--without",
            action="append",
            choices=sorted(EVIDENCE),
            default=[],
            help="leave one kind of evidence out (repeatable), to see what it contributes",
        )

    def handle(self, *args: Any, path: Path, enrichment: Path | None, **options: Any) -> None:
        enrichment_path = enrichment or path.with_name("enrichment.yaml")
        try:
            parsed = parse_plan(path.read_bytes().decode("utf-8-sig"))
            spec = load_enrichment(enrichment_path)
        except PlanParseError as exc:
            raise CommandError(str(exc)) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        departments, assignments = assignments_from_files(parsed, spec)
        if not assignments:
            raise CommandError(f"{enrichment_path}: assigns none of the plan's tasks")
        zeroed = {field: 0.0 for kind in options["without"] for field in EVIDENCE[kind]}
        evaluation = evaluate_leave_one_measure_out(
            departments=departments,
            assignments=assignments,
            weights=dataclasses.replace(DEFAULT_WEIGHTS, **zeroed),
        )
        if options["json"]:
            self.stdout.write(json.dumps(evaluation.as_dict(), ensure_ascii=False, indent=2))
            return
        if options["verbosity"] >= 2:
            self._print_outcomes(evaluation)
        self._print_figures(evaluation)

    def _print_outcomes(self, evaluation: Evaluation) -> None:
        for outcome in evaluation.outcomes:
            mark = "top1" if outcome.top1 else "top3" if outcome.top3 else "miss"
            self.stdout.write(
                f"{mark} {outcome.code} lead={outcome.lead} "
                f"suggested={','.join(outcome.suggested_leads)}"
            )

    def _print_figures(self, evaluation: Evaluation) -> None:
        figures = evaluation.as_dict()
        co = figures["co_departments"]
        n = evaluation.tasks
        self.stdout.write(f"leave-one-measure-out over {n} tasks")
        baseline = figures["baseline_most_frequent_lead"]
        self.stdout.write(
            f"baseline (the most frequent lead): {evaluation.baseline_count}/{n} "
            f"({baseline['share']:.1%})"
        )
        self.stdout.write(
            f"lead top-1 agreement: {evaluation.top1_count}/{n} ({figures['top1']['share']:.1%})"
        )
        self.stdout.write(
            f"lead top-3 agreement: {evaluation.top3_count}/{n} ({figures['top3']['share']:.1%})"
        )
        self.stdout.write(
            f"co-departments: precision {co['correct']}/{co['suggested']} "
            f"({co['precision']:.1%}), recall {co['correct']}/{co['actual']} "
            f"({co['recall']:.1%})"
        )
