"""make bench cleans up after itself, even when a step fails or leaves a connection (issue 17).

Before: `DROP DATABASE bench_1_0` failed with "being accessed by other users" after the
profiling step left a connection open, and the run crashed; any failure left the scale's
database behind. Now the databases are dropped WITH (FORCE) (their sessions terminated)
and each scale drops its database in a `finally`. Real PostgreSQL (the session's server).
"""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from bench import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def base() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("make bench runs on PostgreSQL")
    return os.environ["DATABASE_URL"]


def _exists(base: str, name: str) -> bool:
    with psycopg.connect(run.database_url(base, "postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def test_a_database_with_an_open_connection_is_dropped(base: str) -> None:
    name = "bench_cleanup_open"
    run.admin_sql(base, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    left_open = psycopg.connect(run.database_url(base, name), autocommit=True)
    try:
        left_open.execute("SELECT 1")
        run.drop_database(base, name)
        assert not _exists(base, name)
    finally:
        left_open.close()


def test_a_failing_scale_drops_its_database(base: str, tmp_path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plantracker.settings.no_such_module"}
    args = run.parse_args(["--scales", "0.001"])
    with pytest.raises(subprocess.CalledProcessError):  # migrate fails
        run.run_scale(base, env, 0.001, args, largest=False)
    assert not _exists(base, "bench_0_001")
    assert sys.modules["bench.run"] is run
