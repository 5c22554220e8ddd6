"""One clock for "today": the demo date of local settings drives the API and the console
(with a banner); production settings refuse it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from django.test import Client

from plantracker import clock
from tests.api.tasks_support import World
from tests.conftest import REPO


def test_the_demo_date_drives_flags_and_the_console(world: World, settings, api) -> None:
    settings.PLANTRACKER_TODAY = "2025-03-03"
    assert clock.today() == dt.date(2025, 3, 3)
    early = api(world.supervisor).get("/api/v1/tasks/?flag=red&page_size=200").json()
    settings.PLANTRACKER_TODAY = "2025-12-30"
    late = api(world.supervisor).get("/api/v1/tasks/?flag=red&page_size=200").json()
    assert len(early["results"]) < len(late["results"])
    client = Client()
    client.force_login(world.supervisor)
    assert "演示日期 2025-12-30" in client.get("/console/overdue/").content.decode()
    settings.PLANTRACKER_TODAY = ""
    assert "演示日期" not in client.get("/console/overdue/").content.decode()


def test_production_settings_refuse_a_demo_date() -> None:
    env = {
        **os.environ,
        "PLANTRACKER_TODAY": "2025-09-15",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.gov.cn",
    }
    run = subprocess.run(
        [sys.executable, "-c", "import plantracker.settings.production"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0 and "PLANTRACKER_TODAY" in run.stderr
