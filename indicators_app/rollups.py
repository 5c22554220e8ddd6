"""Indicator attainment for rollups: counts by category and by assessed status.

Registered with tasks_app's rollup metric sources (tasks_app/rollups/sources.py) at
ready(). Statuses come from indicator_statuses(indicators, as_of=...) (a constant number
of queries for all indicators), judged at the rollup's `as_of`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from indicators_app.models import Indicator
from indicators_app.selectors import indicator_statuses
from tasks_app.rollups.metrics import PLAN_KEY, Table
from tasks_app.rollups.sources import register_metric_source

if TYPE_CHECKING:
    from tasks_app.rollups.metrics import Scope

STATUSES = ("on_track", "at_risk", "off_track", "not_assessed")


@register_metric_source
def indicator_metrics(scope: Scope, level: str) -> Table:
    """Per plan or responsible department (chapters hold no indicators): two queries+."""
    if level == "chapter":
        return {}
    indicators = list(Indicator.objects.filter(plan=scope.plan).order_by("id"))
    statuses = indicator_statuses(indicators, as_of=scope.as_of)
    table: Table = defaultdict(lambda: defaultdict(int))
    for indicator in indicators:
        key = PLAN_KEY if level == "plan" else indicator.responsible_department_id
        if key is None:
            continue
        row = table[key]
        row["indicators_total"] += 1
        row[f"indicators_{indicator.category}"] += 1
        status = statuses.get(indicator.id, "not_assessed")
        row[f"indicators_{status if status in STATUSES else 'not_assessed'}"] += 1
    return table
