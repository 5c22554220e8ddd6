"""manage.py run_reminders [--today YYYY-MM-DD] [--deliver-now]: the daily reminder run."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plantracker import clock
from tasks_app.reminders.deliveries import deliveries_deliver_now
from tasks_app.reminders.run import reminders_run


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today: not a YYYY-MM-DD date: {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Record today's reminders (the same service the 09:00 Celery task runs); "
        "skipped on non-working days. Deliveries go to the Celery workers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=_date, default=None, help="run as of this date")
        parser.add_argument(
            "--deliver-now",
            action="store_true",
            help="also send due e-mail/webhook deliveries in this process (no worker needed)",
        )

    def handle(self, *args: Any, today: dt.date | None, deliver_now: bool, **opts: Any) -> None:
        summary = reminders_run(today=today or clock.today())
        self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
        if deliver_now:
            counts = deliveries_deliver_now()
            self.stdout.write(json.dumps({"deliveries": counts}, ensure_ascii=False))
