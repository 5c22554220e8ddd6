"""Calendar quarters: bounds, the quarter just closed, and the report periods due in one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tasks_app.workflow.cadence import next_period, period_due_date, period_of


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def report_periods(self) -> list[str]:
        """Monthly report periods whose due date falls inside the quarter (Q3: 06, 07, 08
        with the default due day 5), so each period is judged in exactly one quarter."""
        periods = []
        period = period_of(self.start - dt.timedelta(days=62))
        while period_due_date(period) <= self.end:
            if period_due_date(period) >= self.start:
                periods.append(period)
            period = next_period(period)
        return periods

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"
