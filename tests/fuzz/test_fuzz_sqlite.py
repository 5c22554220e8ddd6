"""The fuzz suite and the client-input checks again on the embedded default, SQLite.

`make run` serves from SQLite, whose driver raised OverflowError on integers beyond 64
bits (issue 17) where PostgreSQL answered; `make test` runs on PostgreSQL. So, when this
session runs on PostgreSQL, this test runs tests/fuzz/test_fuzz_schema.py (every role,
positive and negative) and tests/security/test_hardening_client_input.py in a child pytest
whose DATABASE_URL is a throw-away SQLite file (and whose cache is local memory, so its
throttle counters never meet this session's). Its figures join the fuzzing summary.
On a session already on SQLite the tests themselves run here: nothing to repeat.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.fuzz.support import EXTRA_SUMMARY

REPO = Path(__file__).resolve().parents[2]
CHILD_TESTS = ["tests/fuzz/test_fuzz_schema.py", "tests/security/test_hardening_client_input.py"]


def test_fuzz_and_client_input_on_sqlite(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("this session already runs on SQLite")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fuzz.sqlite3'}",
        "CACHE_URL": "locmemcache://",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short",
         *CHILD_TESTS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    if "schemathesis fuzzing" in result.stdout:
        start = next(i for i, line in enumerate(lines) if "schemathesis fuzzing" in line)
        EXTRA_SUMMARY.extend(["on SQLite:", *lines[start + 1 : start + 3]])
    assert result.returncode == 0, "\n".join(lines[-200:]) + result.stderr[-3000:]
    assert "DATABASE_URL=sqlite" in result.stdout or "passed" in result.stdout
