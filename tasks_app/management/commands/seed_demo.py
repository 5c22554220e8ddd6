"""manage.py seed_demo --password P: the demo accounts of the API contract."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tasks_app.org.accounts import demo_accounts_ensure


class Command(BaseCommand):
    help = "Create (or reset) demo accounts: admin, supervisor, leader, lead.<dept>, staff.<dept>."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", required=True, help="password for every demo account")

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        count = demo_accounts_ensure(password=password)
        self.stdout.write(
            f"{count} demo accounts ready (admin, supervisor, leader, "
            "lead.<department code>, staff.<department code>)"
        )
