"""Metric sources other apps add to a rollup, registered at their AppConfig.ready().

A source is `source(scope, level) -> Table` (tasks_app.rollups.metrics): per level key,
counts named as rollup columns (tasks_app.rollups.columns). indicators_app registers its
attainment counts here, so tasks_app's rollup build imports no other app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tasks_app.rollups.metrics import Scope, Table

MetricSource = Callable[["Scope", str], "Table"]

_sources: dict[str, MetricSource] = {}


def register_metric_source(source: MetricSource) -> MetricSource:
    """Add a source (idempotent by qualified name); usable as a decorator."""
    _sources[f"{source.__module__}.{source.__qualname__}"] = source
    return source


def metric_sources() -> list[MetricSource]:
    return list(_sources.values())
