"""The fuzzing figures in the terminal summary: operations, cases, answers by status."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.fuzz.support import EXTRA_SUMMARY, RUNS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if EXTRA_SUMMARY:
        terminalreporter.write_sep("-", "schemathesis fuzzing (child runs)")
        for line in EXTRA_SUMMARY:
            terminalreporter.write_line(line)
    if not RUNS:
        return
    operations = {run.label for run in RUNS}
    roles = sorted({run.role for run in RUNS})
    statuses: Counter = Counter()
    for run in RUNS:
        statuses.update(run.statuses)
    failed = [run for run in RUNS if run.failure]
    terminalreporter.write_sep("-", "schemathesis fuzzing")
    terminalreporter.write_line(
        f"{len(operations)} operations x {len(roles)} roles ({', '.join(roles)}) x "
        f"positive/negative: {sum(run.cases for run in RUNS)} cases, "
        f"{len(failed)} failing operation runs"
    )
    terminalreporter.write_line(
        "answers: " + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    )
