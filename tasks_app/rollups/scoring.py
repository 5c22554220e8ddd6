"""Department score and ranking, in the spirit of the district's assessment rules.

deductions = ROLLUP_DEDUCT_PER_RED_ITEM × red items
           + ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE × supervision notices (督办单) issued
           + ROLLUP_DEDUCT_PER_MISSING_REPORT × missing progress reports
ROLLUP_SCORE_FORMULA "per_task_mean" (default): the mean of the per-task scores,
        score = ROLLUP_SCORE_BASE − deductions / tasks led (cancelled ones excluded),
    so a department leading 21 tasks is compared on the same scale as one leading 1;
ROLLUP_SCORE_FORMULA "total": score = ROLLUP_SCORE_BASE − deductions (the first round's).
Never below 0, one decimal. Departments that lead at least one task are ranked by score,
highest first; equal scores share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

SCORE_SETTINGS = (
    "ROLLUP_SCORE_BASE",
    "ROLLUP_DEDUCT_PER_RED_ITEM",
    "ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE",
    "ROLLUP_DEDUCT_PER_MISSING_REPORT",
)


PER_TASK_MEAN, TOTAL = "per_task_mean", "total"


def score_rules() -> dict[str, Any]:
    """The weights (and the formula) a rollup is scored with; frozen with the rollup."""
    rules: dict[str, Any] = {name: float(settings.PLANTRACKER[name]) for name in SCORE_SETTINGS}
    rules["ROLLUP_SCORE_FORMULA"] = settings.PLANTRACKER.get("ROLLUP_SCORE_FORMULA", PER_TASK_MEAN)
    return rules


def department_score(metrics: dict[str, Any], rules: dict[str, Any]) -> Decimal:
    deductions = (
        rules["ROLLUP_DEDUCT_PER_RED_ITEM"] * metrics.get("red_items", 0)
        + rules["ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE"] * metrics.get("notices_issued", 0)
        + rules["ROLLUP_DEDUCT_PER_MISSING_REPORT"] * metrics.get("reports_missing", 0)
    )
    if rules.get("ROLLUP_SCORE_FORMULA", PER_TASK_MEAN) == PER_TASK_MEAN:
        tasks = (metrics.get("tasks_total") or 0) - (metrics.get("tasks_cancelled") or 0)
        deductions /= max(1, tasks)
    score = rules["ROLLUP_SCORE_BASE"] - deductions
    return Decimal(str(round(max(0.0, score), 1)))


def competition_ranks(scores: dict[Any, Decimal]) -> dict[Any, int]:
    """key → rank by score descending; ties share the better rank."""
    ordered = sorted(scores.items(), key=lambda kv: -kv[1])
    ranks: dict[Any, int] = {}
    for position, (key, score) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        same = previous is not None and previous[1] == score
        ranks[key] = ranks[previous[0]] if same else position
    return ranks
