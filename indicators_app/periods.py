"""Reporting periods of indicator observations, and when each period's figure is due.

Period formats (any of the three is accepted for any indicator, whatever its frequency):
  "2025"          annual,    ends 2025-12-31
  "2025-Q1".."Q4" quarterly, ends on the quarter's last day ("2025-q1" is accepted too)
  "2025-01".."12" monthly,   ends on the month's last day
The period must lie in the plan year and must have ended (its last day is before today
in Asia/Shanghai). An observation is stored with its canonical period string and its end.

Due dates: a period's figure is due on the indicator's `due_day` of the month after the
period ends (clamped to that month's length: due_day 31 in February is the 28th/29th).
For the reminder, a figure "covers" a period when its period_end equals the period's end,
so a year-to-date figure for "2025-03" also covers Q1 of a quarterly indicator.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

ANNUAL = "annual"
QUARTERLY = "quarterly"
MONTHLY = "monthly"

_PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:[Qq]([1-4])|(0[1-9]|1[0-2])))?$")


class PeriodError(ValueError):
    """A period string that is malformed; the message is safe to show to the client."""


@dataclass(frozen=True)
class Period:
    """A canonical period: its text ("2025-Q1"), kind, year and last day."""

    text: str
    kind: str  # ANNUAL | QUARTERLY | MONTHLY
    year: int
    end: dt.date


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> Period:
    """Parse "2025", "2025-Q3" or "2025-07"; raise PeriodError when malformed."""
    match = _PERIOD_RE.match((text or "").strip())
    if match is None:
        raise PeriodError(text)
    year = int(match[1])
    if match[2]:
        quarter = int(match[2])
        return Period(f"{year}-Q{quarter}", QUARTERLY, year, month_end(year, quarter * 3))
    if match[3]:
        month = int(match[3])
        return Period(f"{year}-{month:02d}", MONTHLY, year, month_end(year, month))
    return Period(str(year), ANNUAL, year, dt.date(year, 12, 31))


def period_for(kind: str, end: dt.date) -> Period:
    """The period of `kind` that ends on `end` (a month, quarter or year end)."""
    if kind == MONTHLY:
        return parse_period(f"{end.year}-{end.month:02d}")
    if kind == QUARTERLY:
        return parse_period(f"{end.year}-Q{(end.month - 1) // 3 + 1}")
    return parse_period(str(end.year))


def due_date(period_end: dt.date, due_day: int) -> dt.date:
    """The due_day of the month after the period ends, clamped to that month's length."""
    first_of_next = period_end + dt.timedelta(days=1)
    last = calendar.monthrange(first_of_next.year, first_of_next.month)[1]
    return first_of_next.replace(day=max(1, min(due_day, last)))


def _previous_month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def _months_back(end: dt.date, months: int) -> dt.date:
    index = end.year * 12 + end.month - 1 - months
    return month_end(index // 12, index % 12 + 1)


def latest_due_period_ends(today: dt.date) -> dict[tuple[str, bool], dt.date]:
    """End of the latest period whose figure was due before `today`, by frequency.

    Keyed by (frequency, due_day < today.day): the due day falls in the first month after
    the period, so whether this cycle's period is already overdue depends only on whether
    today is past the due day (for quarterly/annual: only in the first month of a cycle).
    """
    last_month = _previous_month_end(today)
    before_last = _previous_month_end(last_month)
    quarter_start_month = (today.month - 1) // 3 * 3 + 1
    last_quarter = _previous_month_end(today.replace(month=quarter_start_month, day=1))
    prior_quarter = _months_back(last_quarter, 3)
    first_month_of_quarter = today.month == quarter_start_month
    last_year = dt.date(today.year - 1, 12, 31)
    prior_year = dt.date(today.year - 2, 12, 31)
    in_january = today.month == 1
    return {
        (MONTHLY, True): last_month,
        (MONTHLY, False): before_last,
        (QUARTERLY, True): last_quarter,
        (QUARTERLY, False): prior_quarter if first_month_of_quarter else last_quarter,
        (ANNUAL, True): last_year,
        (ANNUAL, False): prior_year if in_january else last_year,
    }
