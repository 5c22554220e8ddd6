"""Working-day arithmetic by the official calendar: prefix sums equal a walk over the days."""

from __future__ import annotations

import datetime as dt
import random

from tasks_app.workflow.workdays import add_working_days, is_working_day, working_days_between


def _walk(start: dt.date, end: dt.date) -> int:
    if end < start:
        return -_walk(end, start)
    days = (end - start).days
    return sum(is_working_day(start + dt.timedelta(days=n)) for n in range(1, days + 1))


def test_national_day_week_and_its_adjusted_saturday() -> None:
    # 2025-10-01..08 off; Saturday 2025-10-11 is an adjusted working day.
    assert working_days_between(dt.date(2025, 9, 30), dt.date(2025, 10, 8)) == 0
    assert working_days_between(dt.date(2025, 9, 30), dt.date(2025, 10, 9)) == 1
    assert working_days_between(dt.date(2025, 10, 10), dt.date(2025, 10, 11)) == 1
    assert working_days_between(dt.date(2025, 10, 9), dt.date(2025, 9, 30)) == -1
    assert working_days_between(dt.date(2025, 3, 3), dt.date(2025, 3, 3)) == 0


def test_whole_years_and_year_boundaries() -> None:
    assert working_days_between(dt.date(2024, 12, 31), dt.date(2025, 12, 31)) == _walk(
        dt.date(2024, 12, 31), dt.date(2025, 12, 31)
    )
    assert working_days_between(dt.date(2023, 12, 31), dt.date(2024, 1, 2)) == 1  # 1 Jan off


def test_equals_a_walk_over_the_days_for_random_spans() -> None:
    rng = random.Random(2025)
    for _ in range(500):
        start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 2550))
        end = start + dt.timedelta(days=rng.randrange(-700, 700))
        assert working_days_between(start, end) == _walk(start, end), (start, end)


def test_add_working_days_is_the_inverse() -> None:
    day = dt.date(2025, 9, 26)
    for count in range(0, 40):
        later = add_working_days(day, count)
        assert working_days_between(day, later) == count
