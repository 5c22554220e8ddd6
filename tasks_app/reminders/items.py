"""What a reminder is about: a provider-neutral row the ladder escalates.

Providers (task deadlines, milestones, progress reports, indicator figures) each return
ReminderItems from one set-based query; the ladder in this package decides who hears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ReminderItem:
    kind: str  # "task_deadline" | "milestone" | "progress_report" | "indicator_observation"
    object_id: int  # id of the task / milestone / task (for reports) / indicator
    period: str  # "" or the report / observation period ("2025-03", "2025-Q1")
    title: str  # short Chinese description for digests
    due_date: dt.date
    department_id: int  # the accountable (lead / responsible) department
    owner_id: int | None  # the person accountable, when one is assigned
    task_id: int | None = None  # for links and notices; None for indicators

    @property
    def key(self) -> str:
        """Stable identity of the item across runs (part of the never-twice key)."""
        return f"{self.kind}:{self.object_id}:{self.period}"
