"""Measure the department suggestions against hand assignments, leave-one-measure-out.

For each measure of the plan, the suggestion model is built from the assignments of every
OTHER measure only; each task of the held-out measure is then suggested and compared with
its hand assignment. A held-out task's own lead and co-departments are never seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tasks_app.plans.suggestions import (
    CO_MIN_SCORE,
    DEFAULT_WEIGHTS,
    Assignment,
    DepartmentInfo,
    SuggestionModel,
    Weights,
)

TOP_K = 3


@dataclass(frozen=True)
class TaskOutcome:
    """One held-out task: its hand assignment and what was suggested for it."""

    code: str
    lead: str
    suggested_leads: tuple[str, ...]
    co: tuple[str, ...]
    suggested_co: tuple[str, ...]
    # The baseline to beat: the department that led most of the other measures' tasks.
    most_frequent_lead: str = ""

    @property
    def top1(self) -> bool:
        return self.suggested_leads[:1] == (self.lead,)

    @property
    def top3(self) -> bool:
        return self.lead in self.suggested_leads[:TOP_K]


@dataclass
class Evaluation:
    """Agreement of suggested with hand assignments over all held-out tasks."""

    outcomes: list[TaskOutcome] = field(default_factory=list)

    @property
    def tasks(self) -> int:
        return len(self.outcomes)

    @property
    def top1_count(self) -> int:
        return sum(o.top1 for o in self.outcomes)

    @property
    def top3_count(self) -> int:
        return sum(o.top3 for o in self.outcomes)

    @property
    def baseline_count(self) -> int:
        return sum(o.most_frequent_lead == o.lead for o in self.outcomes)

    def _co_counts(self) -> tuple[int, int, int]:
        hits = sum(len(set(o.co) & set(o.suggested_co)) for o in self.outcomes)
        suggested = sum(len(o.suggested_co) for o in self.outcomes)
        actual = sum(len(o.co) for o in self.outcomes)
        return hits, suggested, actual

    def as_dict(self) -> dict[str, object]:
        hits, suggested, actual = self._co_counts()
        n = self.tasks or 1
        return {
            "method": "leave-one-measure-out",
            "tasks": self.tasks,
            "top1": {"agree": self.top1_count, "share": round(self.top1_count / n, 4)},
            "top3": {"agree": self.top3_count, "share": round(self.top3_count / n, 4)},
            "baseline_most_frequent_lead": {
                "agree": self.baseline_count,
                "share": round(self.baseline_count / n, 4),
            },
            "co_departments": {
                "suggested": suggested,
                "actual": actual,
                "correct": hits,
                "precision": round(hits / suggested, 4) if suggested else 0.0,
                "recall": round(hits / actual, 4) if actual else 0.0,
            },
            "outcomes": [
                {
                    "code": o.code,
                    "lead": o.lead,
                    "suggested_leads": list(o.suggested_leads),
                    "co": list(o.co),
                    "suggested_co": list(o.suggested_co),
                }
                for o in self.outcomes
            ],
        }


def _measure_key(assignment: Assignment) -> tuple[str, str]:
    return (assignment.chapter_title, assignment.measure_title)


def evaluate_leave_one_measure_out(
    *,
    departments: Sequence[DepartmentInfo],
    assignments: Sequence[Assignment],
    co_min_score: float = CO_MIN_SCORE,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Evaluation:
    """Suggest every task from the other measures' assignments and compare with its own.

    Co-departments are suggested for the top-1 SUGGESTED lead, so nothing of the held-out
    task's assignment goes in.
    """
    evaluation = Evaluation()
    measures = list(dict.fromkeys(_measure_key(a) for a in assignments))
    for measure in measures:
        history = [a for a in assignments if _measure_key(a) != measure]
        model = SuggestionModel(departments=departments, history=history, weights=weights)
        most_frequent = Counter(a.lead for a in history).most_common(1)
        for held_out in (a for a in assignments if _measure_key(a) == measure):
            leads = model.leads(
                sentence=held_out.text,
                measure_title=held_out.measure_title,
                chapter_title=held_out.chapter_title,
                limit=TOP_K,
            )
            co = model.co_departments(
                sentence=held_out.text,
                measure_title=held_out.measure_title,
                chapter_title=held_out.chapter_title,
                lead=leads[0].code if leads else "",
                min_score=co_min_score,
            )
            evaluation.outcomes.append(
                TaskOutcome(
                    code=held_out.code,
                    lead=held_out.lead,
                    suggested_leads=tuple(s.code for s in leads),
                    co=held_out.co,
                    suggested_co=tuple(s.code for s in co),
                    most_frequent_lead=most_frequent[0][0] if most_frequent else "",
                )
            )
    return evaluation
