"""The tree itself: lint and format clean, no model change without its migration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_ruff_lint_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_format_clean() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.slow
def test_no_missing_migrations() -> None:
    result = _run(sys.executable, "manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_run_creates_the_broker_folders_even_when_var_exists() -> None:
    """`make test` leaves var/ (screenshots); `make run` must still create the filesystem
    broker's folders, or the worker dies with FileNotFoundError on its first start."""
    (REPO / "var").mkdir(exist_ok=True)  # as `make test` leaves it (gitignored)
    out = subprocess.run(
        ["make", "-n", "var"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "mkdir -p var/celery-broker var/celery-processed" in out
    dry_run = subprocess.run(
        ["make", "-n", "-W", "requirements.lock", "migrate"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert "mkdir -p var/celery-broker" in dry_run
