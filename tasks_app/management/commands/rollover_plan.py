"""manage.py rollover_plan --from PLAN --to PLAN [--due-dates same_day|year_end] [--dry-run].

A plan is named by its id or as BODY:YEAR (e.g. daxing:2025; the annual plan). Closes the
source plan and carries its unfinished tasks into the target plan (结转); --dry-run lists
what would be carried and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tasks_app.models import Plan, PlanKind
from tasks_app.rollover.services import DueDatePolicy, RolloverError, plan_rollover


def plan_named(name: str) -> Plan:
    """A plan by id or BODY:YEAR (annual plan); CommandError naming the value otherwise."""
    plans = Plan.objects.select_related("body")
    if name.isdigit():
        plan = plans.filter(pk=int(name)).first()
    elif ":" in name and name.rsplit(":", 1)[1].isdigit():
        code, year = name.rsplit(":", 1)
        plan = plans.filter(body__code=code, year=int(year), kind=PlanKind.ANNUAL).first()
    else:
        raise CommandError(f"{name!r}: give a plan id or BODY:YEAR (e.g. daxing:2025)")
    if plan is None:
        raise CommandError(f"{name!r}: no such plan")
    return plan


class Command(BaseCommand):
    help = "Close a plan year and carry its unfinished tasks into the next plan (结转)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True, help="id or BODY:YEAR")
        parser.add_argument("--to", dest="target", required=True, help="id or BODY:YEAR")
        parser.add_argument(
            "--due-dates",
            choices=[p.value for p in DueDatePolicy],
            default=DueDatePolicy.SAME_DAY.value,
            help="new deadlines: the same day in the new year (default) or its year end",
        )
        parser.add_argument("--dry-run", action="store_true", help="list, write nothing")

    def handle(
        self, *args: Any, source: str, target: str, due_dates: str, dry_run: bool, **options: Any
    ) -> None:
        source_plan, target_plan = plan_named(source), plan_named(target)
        try:
            result = plan_rollover(
                source_plan=source_plan,
                target_plan=target_plan,
                actor=None,
                due_date_policy=due_dates,
                dry_run=dry_run,
            )
        except RolloverError as exc:
            raise CommandError(str(exc)) from exc
        for pair in result.pairs:
            self.stdout.write(
                f"{pair.source.code} → {pair.target.code} "
                f"due {pair.target.due_date.isoformat()} {pair.source.title}"
            )
        verb = "would carry" if dry_run else "carried"
        self.stdout.write(
            f"{verb} {result.carried} unfinished tasks from {source_plan.body.code} "
            f"{source_plan.year} into {target_plan.year}"
            + ("" if dry_run else f"; plan {source_plan.year} closed")
        )
