"""manage.py seed_demo --password P: the demo accounts of the API contract, and a plan in
progress (tasks_app.demo.activity) on the demo date."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plantracker import clock
from tasks_app.demo.activity import demo_activity_ensure
from tasks_app.models import Plan, PlanStatus
from tasks_app.models.org import DEFAULT_BODY_CODE
from tasks_app.org.accounts import demo_accounts_ensure

# The Makefile's DEMO_TODAY (month and day) when neither --today nor PLANTRACKER_TODAY says.
DEMO_MONTH_DAY = (9, 15)


def _demo_day(plan: Plan, given: str | None) -> dt.date:
    if given:
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            raise CommandError(f"--today: not an ISO date: {given!r}") from None
    day = clock.demo_today() or clock.today()
    return day if day.year == plan.year else dt.date(plan.year, *DEMO_MONTH_DAY)


class Command(BaseCommand):
    help = (
        "Create (or reset) demo accounts: admin, supervisor, leader, lead.<dept>, "
        "staff.<dept>; then, once, a year of plausible activity up to the demo date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", required=True, help="password for every demo account")
        parser.add_argument(
            "--today",
            help="the demo date (ISO); default PLANTRACKER_TODAY, else 15 September of the "
            "plan year",
        )
        parser.add_argument(
            "--no-activity", action="store_true", help="accounts only, no demo activity"
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        count = demo_accounts_ensure(password=password)
        self.stdout.write(
            f"{count} demo accounts ready (admin, supervisor, leader, "
            "lead.<department code>, staff.<department code>)"
        )
        if options["no_activity"]:
            return
        plan = (
            Plan.objects.filter(body__code=DEFAULT_BODY_CODE, status=PlanStatus.OPEN)
            .order_by("-year", "kind", "pk")
            .first()
        )
        if plan is None:
            self.stdout.write("no open plan: no demo activity")
            return
        day = _demo_day(plan, options.get("today"))
        if demo_activity_ensure(plan=plan, today=day):
            self.stdout.write(f"demo activity created up to {day}")
        else:
            self.stdout.write("demo activity already present; nothing to change")
