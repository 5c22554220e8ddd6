"""Figures the security suite reports at the end of the run (tests/security/conftest.py)."""

from __future__ import annotations

from collections import Counter

FIGURES: Counter = Counter()


def count(name: str, n: int = 1) -> None:
    FIGURES[name] += n
