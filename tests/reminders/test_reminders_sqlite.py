"""The reminder run again on the embedded default, SQLite (what `make run` serves from).

reminders_run writes its temporary tables with COPY on PostgreSQL and with executemany on
SQLite, and preallocates digest ids differently (a sequence; the largest id ever used).
So, when this session runs on PostgreSQL, this test runs the run's own tests
(tests/reminders/test_reminders_run.py, minus the one about concurrent PostgreSQL
sessions) and the ladder's and deliveries' in a child pytest whose DATABASE_URL is a
throw-away SQLite file, as tests/fuzz/test_fuzz_sqlite.py does. On a session already on
SQLite the tests themselves run here: nothing to repeat.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
CHILD_TESTS = [
    "tests/reminders/test_reminders_run.py",
    "tests/reminders/test_reminders_ladder.py",
    "tests/reminders/test_reminders_deliveries.py",
]


@pytest.mark.slow  # a child pytest on SQLite (about a minute)
def test_reminder_run_tests_pass_on_sqlite(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("this session already runs on SQLite")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'reminders.sqlite3'}",
        "CACHE_URL": "locmemcache://",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short",
         "-k", "not concurrent", *CHILD_TESTS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )  # fmt: skip
    tail = "\n".join(result.stdout.splitlines()[-80:]) + result.stderr[-3000:]
    assert result.returncode == 0, tail
    assert " passed" in result.stdout and " failed" not in result.stdout, tail
