"""Fixtures of the security suite, and its figures in the terminal summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.figures import FIGURES


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    """Uploads go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.write_sep("-", "security figures")
    for name, value in sorted(FIGURES.items()):
        terminalreporter.write_line(f"{name}: {value}")
