"""`make run` twice in a row changes nothing: the Makefile's migrate + seed recipe, run as
subprocesses on a throw-away SQLite database (the database `make run` uses by default)."""

from __future__ import annotations

import os
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "twice-Demo-pw-2025"


def _recipe(target: str) -> list[str]:
    """The recipe lines of a Makefile target (tab-indented lines after `target:`)."""
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{target}:", line))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def _commands() -> list[list[str]]:
    values = {
        "$(PY)": sys.executable,
        "$(PLAN)": "seeds/daxing-2025/plan.txt",
        "$(DEMO_PASSWORD)": PASSWORD,
    }
    commands = []
    for line in _recipe("migrate") + _recipe("seed"):
        for name, value in values.items():
            line = line.replace(name, value)
        commands.append(shlex.split(line))
    return commands


def _run(env: dict[str, str]) -> str:
    out = ""
    for command in _commands():
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        out += done.stdout
    return out


def _dump(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(("sqlite_", "django_session"))
        ]
        dump = {}
        for table in tables:
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
            # seed_demo resets the demo accounts' passwords on purpose (a new salt each run).
            kept = [c for c in columns if not (table == "tasks_app_user" and c == "password")]
            select = ", ".join(f'"{c}"' for c in kept)
            dump[table] = conn.execute(f'SELECT {select} FROM "{table}" ORDER BY 1').fetchall()
    return dump


@pytest.mark.slow  # runs the Makefile's recipes in subprocesses (about 15 s)
def test_make_run_seed_twice_changes_nothing(tmp_path: Path) -> None:
    assert "import_plan --if-changed $(PLAN)" in _recipe("seed")[0]
    database = tmp_path / "plantracker.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "plantracker.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONUNBUFFERED": "1",
    }
    first = _run(env)
    assert "added: 81 tasks, 21 indicators" in first
    before = _dump(database)
    assert len(before["tasks_app_task"]) == 81
    assert len(before["tasks_app_planimport"]) == 1
    history = len(before["tasks_app_historyevent"])

    second = _run(env)
    assert "unchanged since the last import; nothing to change" in second
    after = _dump(database)
    assert len(after["tasks_app_historyevent"]) == history
    assert after == before

    # Without --if-changed the merge itself finds nothing to change either.
    plain = subprocess.run(
        [sys.executable, "manage.py", "import_plan", "seeds/daxing-2025/plan.txt"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert plain.returncode == 0, plain.stderr
    assert "nothing to change" in plain.stdout
    assert _dump(database) == before
