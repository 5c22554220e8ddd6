"""Working days by the official Chinese calendar (chinesecalendar), adjusted weekends included.

Outside the package's coverage we fall back to Monday–Friday and log a warning once per
year, never crash.
"""

import datetime as dt
import functools
import logging

import chinese_calendar
from django.conf import settings

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=64)
def _warn_uncovered(year: int) -> None:
    logger.warning("chinesecalendar has no data for %s; assuming Monday-Friday", year)


@functools.lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    """True on an official working day (including adjusted working weekends)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_uncovered(day.year)
        return day.weekday() < 5


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date `count` working days after `day` (before it when negative)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += dt.timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start.

    From per-year prefix sums (cached), not a walk over the days: the overdue list asks
    this for every row it renders. Touches the same years a walk would.
    """
    if end < start:
        return -working_days_between(end, start)
    whole_years = sum(_year_prefix(year)[-1] for year in range(start.year, end.year))
    return (
        whole_years
        + _year_prefix(end.year)[end.timetuple().tm_yday]
        - _year_prefix(start.year)[start.timetuple().tm_yday]
    )


@functools.lru_cache(maxsize=512)
def _year_prefix(year: int) -> tuple[int, ...]:
    """prefix[i] = working days among the first i days of `year` (prefix[0] = 0)."""
    counts = [0]
    day = dt.date(year, 1, 1)
    while day.year == year:
        counts.append(counts[-1] + is_working_day(day))
        day += dt.timedelta(days=1)
    return tuple(counts)


def warning_window_end(today: dt.date) -> dt.date:
    """The last day of the warning window (WARNING_WINDOW_WORKING_DAYS working days ahead):
    what flags call yellow and the reminder ladder calls due soon end here."""
    return add_working_days(today, settings.PLANTRACKER["WARNING_WINDOW_WORKING_DAYS"])
