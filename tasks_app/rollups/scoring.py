"""Department score and ranking, in the spirit of the district's assessment rules.

score = ROLLUP_SCORE_BASE
        − ROLLUP_DEDUCT_PER_RED_ITEM × red items
        − ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE × supervision notices (督办单) issued
        − ROLLUP_DEDUCT_PER_MISSING_REPORT × missing progress reports
never below 0. Departments that lead at least one task are ranked by score, highest
first; equal scores share a rank (1, 2, 2, 4).
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


def score_rules() -> dict[str, float]:
    return {name: float(settings.PLANTRACKER[name]) for name in SCORE_SETTINGS}


def department_score(metrics: dict[str, Any], rules: dict[str, float]) -> Decimal:
    score = (
        rules["ROLLUP_SCORE_BASE"]
        - rules["ROLLUP_DEDUCT_PER_RED_ITEM"] * metrics.get("red_items", 0)
        - rules["ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE"] * metrics.get("notices_issued", 0)
        - rules["ROLLUP_DEDUCT_PER_MISSING_REPORT"] * metrics.get("reports_missing", 0)
    )
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
