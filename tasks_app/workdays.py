"""Working days by the official Chinese calendar (chinesecalendar), adjusted weekends included.

Outside the package's coverage we fall back to Monday–Friday and log a warning once per
year, never crash.
"""

import datetime as dt
import functools
import logging

import chinese_calendar

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
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + dt.timedelta(days=offset))
    )
