"""seed_demo makes a living demo: every flag colour on the demo date, a quarter ranking
with differences, items in lead.fgw's inbox, through the services, and a second run
changes nothing. On PostgreSQL here, and on SQLite (the database `make run` uses) by the
Makefile's recipes in a subprocess."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from indicators_app.models import Observation
from tasks_app.models import (
    ExtensionRequest,
    HistoryEvent,
    LeaderInstruction,
    Notification,
    Plan,
    ProgressReport,
    ReportDraft,
    Rollup,
    RollupRow,
    SupervisionNotice,
    Task,
)
from tasks_app.workflow.flags import with_flags

REPO = Path(__file__).resolve().parents[2]
DEMO_DAY = dt.date(2025, 9, 15)


def facts(plan_id: int) -> dict:
    """What the demo must show, as plain values (printed by the SQLite run too)."""
    tasks = Task.objects.filter(plan_id=plan_id)
    rollup = Rollup.objects.filter(plan_id=plan_id).order_by("-quarter", "-version").first()
    scores = RollupRow.objects.filter(rollup=rollup, level="department").values_list(
        "score", flat=True
    )
    return {
        "flags": sorted(set(with_flags(tasks, today=DEMO_DAY).values_list("flag", flat=True))),
        "statuses": sorted(set(tasks.values_list("status", flat=True))),
        "distinct_scores": len(set(scores)),
        "fgw_unread": Notification.objects.filter(
            recipient__username="lead.fgw", read_at__isnull=True
        ).count(),
        # the backfilled months' report notices were read in their months
        "stale_report_unread": Notification.objects.filter(
            kind="report_filed", read_at__isnull=True, payload__period__lt="2025-08"
        ).count(),
        "fresh_report_unread": Notification.objects.filter(
            kind="report_filed", read_at__isnull=True, payload__period="2025-08"
        ).count(),
        "owned": tasks.filter(owner__isnull=False).count(),
        "extensions": sorted(set(ExtensionRequest.objects.values_list("status", flat=True))),
        "notices": SupervisionNotice.objects.filter(kind="notice").count(),
        "instructions": LeaderInstruction.objects.count(),
        "drafts": ReportDraft.objects.count(),
        "observations": Observation.objects.count(),
    }


def check(found: dict) -> None:
    assert found["flags"] == ["green", "red", "yellow"]
    assert {"completed", "in_progress", "pending_review"} <= set(found["statuses"])
    assert found["distinct_scores"] > 1
    assert found["fgw_unread"] > 0
    assert found["stale_report_unread"] == 0 and found["fresh_report_unread"] > 0
    assert found["owned"] > 60
    assert found["extensions"] == ["approved", "pending", "rejected"]
    assert found["notices"] >= 2 and found["instructions"] >= 2 and found["drafts"] >= 1
    assert found["observations"] > 0


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (HistoryEvent, Notification, ProgressReport, SupervisionNotice, Rollup)
    )


def test_seed_demo_brings_the_plan_to_life_once(plan: Plan, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("seed_demo", "--password", "pw-12345-long", stdout=out)
    assert "demo activity created up to 2025-09-15" in out.getvalue()
    check(facts(plan.pk))
    assert not HistoryEvent.objects.filter(actor__isnull=True, action="report").exists()
    before = counts()
    again = io.StringIO()
    call_command("seed_demo", "--password", "pw-12345-long", stdout=again)
    assert "already present" in again.getvalue()
    assert counts() == before


SQLITE_CHECK = """
from tasks_app.models import Plan
from tests.tasks_app.test_seed_demo_activity import check, facts
found = facts(Plan.objects.get().pk)
check(found)
print("SQLITE-DEMO-OK", found)
"""


@pytest.mark.slow  # migrate + import + seed in subprocesses on SQLite (about 30 s)
def test_seed_demo_on_sqlite(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "plantracker.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "PLANTRACKER_TODAY": "",
    }
    steps = [
        ["migrate", "--noinput"],
        ["import_plan", "seeds/daxing-2025/plan.txt"],
        ["seed_demo", "--password", "pw-12345-long"],
        ["shell", "-c", SQLITE_CHECK],
    ]
    for step in steps:
        done = subprocess.run(
            [sys.executable, "manage.py", *step],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert "SQLITE-DEMO-OK" in done.stdout
