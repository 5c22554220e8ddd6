"""indicators_app.units and .periods: conversions, period parsing, due dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators_app.periods import (
    PeriodError,
    due_date,
    latest_due_period_ends,
    parse_period,
    period_for,
)
from indicators_app.units import UnitError, convert, is_known, normalize_unit


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("12345", "万元", "亿元", "1.2345"),
        ("1.5", "亿元", "万元", "15000"),
        ("250000000", "元", "亿元", "2.5"),
        ("15", "‰", "%", "1.5"),
        ("3", "家", "个", "3"),
        ("2", "万人", "人", "20000"),
        ("1", "万亩", "亩", "10000"),
        ("5", "％", "%", "5"),
        ("34", "μg/m³", "微克/立方米", "34"),
        ("7", "", "亿元", "7"),  # no unit given: the indicator's
    ],
)
def test_convert(value: str, source: str, target: str, expected: str) -> None:
    result = convert(Decimal(value), source, target)
    assert result.value == Decimal(expected)
    assert result.unit == normalize_unit(target)


@pytest.mark.parametrize(("source", "target"), [("亿元", "%"), ("人", "家"), ("吨", "立方米")])
def test_units_of_different_families_do_not_convert(source: str, target: str) -> None:
    with pytest.raises(UnitError):
        convert(Decimal(1), source, target)


def test_unknown_unit() -> None:
    assert not is_known("斤两")
    with pytest.raises(UnitError):
        convert(Decimal(1), "斤两", "亿元")


@pytest.mark.parametrize(
    ("text", "canonical", "kind", "end"),
    [
        ("2025", "2025", "annual", dt.date(2025, 12, 31)),
        ("2025-Q1", "2025-Q1", "quarterly", dt.date(2025, 3, 31)),
        ("2025-q3", "2025-Q3", "quarterly", dt.date(2025, 9, 30)),
        ("2024-02", "2024-02", "monthly", dt.date(2024, 2, 29)),
        (" 2025-12 ", "2025-12", "monthly", dt.date(2025, 12, 31)),
    ],
)
def test_parse_period(text: str, canonical: str, kind: str, end: dt.date) -> None:
    period = parse_period(text)
    assert (period.text, period.kind, period.end) == (canonical, kind, end)


@pytest.mark.parametrize("text", ["", "25", "2025-Q5", "2025-13", "2025-1", "2025/03", "Q1-2025"])
def test_malformed_periods(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


def test_due_date_is_clamped_to_the_month() -> None:
    assert due_date(dt.date(2025, 1, 31), 31) == dt.date(2025, 2, 28)
    assert due_date(dt.date(2025, 3, 31), 20) == dt.date(2025, 4, 20)
    assert due_date(dt.date(2025, 12, 31), 31) == dt.date(2026, 1, 31)


def test_period_for() -> None:
    assert period_for("quarterly", dt.date(2025, 6, 30)).text == "2025-Q2"
    assert period_for("monthly", dt.date(2025, 6, 30)).text == "2025-06"
    assert period_for("annual", dt.date(2025, 12, 31)).text == "2025"


@pytest.mark.parametrize(
    ("today", "key", "end"),
    [
        ("2025-05-21", ("monthly", True), "2025-04-30"),
        ("2025-05-21", ("monthly", False), "2025-03-31"),
        ("2025-04-10", ("quarterly", False), "2024-12-31"),  # Q1 due later in April
        ("2025-04-10", ("quarterly", True), "2025-03-31"),
        ("2025-05-01", ("quarterly", False), "2025-03-31"),  # Q1's due day has passed
        ("2026-01-05", ("annual", False), "2024-12-31"),
        ("2026-02-01", ("annual", False), "2025-12-31"),
    ],
)
def test_latest_due_period_ends(today: str, key: tuple[str, bool], end: str) -> None:
    assert latest_due_period_ends(dt.date.fromisoformat(today))[key] == dt.date.fromisoformat(end)
