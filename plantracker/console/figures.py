"""The console's charts, from domain data to plantracker.console.charts primitives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from indicators_app.models import AssessmentStatus
from plantracker.console import charts
from plantracker.console.charts import Bar, LineSeries, Marker, RefLine, TimelineItem
from plantracker.console.selectors import IndicatorRow
from tasks_app.models import Milestone, RollupRow
from tasks_app.rollups.columns import completion_rate

ATTAINMENT_CAP_PCT = 150.0  # longer bars are cut here (the label keeps the real figure)


def completion_by_department(rows: Sequence[RollupRow]) -> SafeString:
    """Completion rate (%) per department, in the rollup's ranking order."""
    bars = [
        Bar(
            row.name,
            completion_rate(row),
            charts.BLUE,
            f"{charts.number(completion_rate(row))}%（{row.tasks_completed}/{row.tasks_total}）",
        )
        for row in rows
        if row.tasks_total
    ]
    return charts.bar_chart(
        bars,
        chart_id="completion-by-department",
        title=_("各部门任务完成率（%）"),
        max_value=100,
    )


def red_items_by_chapter(rows: Sequence[RollupRow]) -> SafeString:
    bars = [Bar(row.name, row.red_items, charts.RED) for row in rows]
    return charts.bar_chart(bars, chart_id="red-by-chapter", title=_("各章节红灯事项数"))


def attainment_pct(row: IndicatorRow) -> float | None:
    """Latest value against a numeric target, in % (higher is better either way)."""
    indicator, latest = row.indicator, row.assessment.latest
    target = indicator.target_value
    if (
        latest is None
        or target in (None, Decimal(0))
        or indicator.target_comparator == "qualitative"
    ):
        return None
    value = float(latest.value)
    if indicator.target_comparator == "<=":
        return 100.0 * float(target) / value if value > 0 else ATTAINMENT_CAP_PCT
    return max(0.0, 100.0 * value / float(target))


def _attainment_bar(row: IndicatorRow) -> Bar:
    colour = charts.STATUS_COLOURS.get(row.assessment.status, charts.GREY)
    pct = attainment_pct(row)
    if pct is None:
        return Bar(row.indicator.name, 0, colour, _status_label(row.assessment.status))
    shown = min(pct, ATTAINMENT_CAP_PCT)
    return Bar(row.indicator.name, shown, colour, f"{charts.number(pct)}%")


def _status_label(status: str) -> str:
    return str(dict(AssessmentStatus.choices).get(status, status))


def indicator_attainment(rows: Iterable[IndicatorRow]) -> SafeString:
    """Each indicator's latest value as % of its target (100% = target), coloured by status."""
    bars = [_attainment_bar(row) for row in rows]
    return charts.bar_chart(
        bars,
        chart_id="indicator-attainment",
        title=_("主要指标达成情况（最新值/目标值，%）"),
        max_value=ATTAINMENT_CAP_PCT,
        reference=RefLine(_("目标"), 100.0, charts.RED),
    )


def _points(raw: Iterable[dict[str, Any]], key: str = "period_end") -> list[tuple[dt.date, float]]:
    return [(p[key], float(p["value"])) for p in raw]


def indicator_series(payload: dict[str, Any], *, year: int) -> SafeString:
    """One indicator's figures against its target line and the 2024 baseline.

    `payload` is indicators_app.api.series.series_payload(...) (the API's series data).
    """
    name = payload["indicator"]["name"]
    measure = _("增速") if payload["measure"] == "growth_pct" else ""
    series = [LineSeries(f"{name}{measure}", _points(payload["points"]), charts.BLUE)]
    if payload.get("reference"):
        reference = payload["reference"]
        series.append(
            LineSeries(f"{reference['name']}增速", _points(reference["points"]), "#7a5cb8")
        )
    references = []
    if payload["target_line"]:
        target = float(payload["target_line"][0]["value"])
        references.append(RefLine(f"{_('目标')} {charts.number(target)}", target, charts.RED))
    markers = []
    if payload.get("baseline_point"):
        base = payload["baseline_point"]
        markers.append(Marker(f"{base['date'].year}年基期", base["date"], float(base["value"])))
    return charts.line_chart(
        chart_id="indicator-series",
        title=f"{name}：{_('走势与目标')}",
        unit=payload["unit"],
        start=dt.date(year - 1, 12, 1),
        end=dt.date(year, 12, 31),
        series=series,
        references=references,
        markers=markers,
    )


def _milestone_state(milestone: Milestone) -> str:
    if milestone.completed_at is not None:
        return "done"
    return "overdue" if getattr(milestone, "is_overdue", False) else "open"


def milestone_timeline(milestones: Sequence[Milestone], *, year: int, today: dt.date) -> SafeString:
    items = [TimelineItem(m.title, m.due_date, _milestone_state(m)) for m in milestones]
    return charts.milestone_timeline(
        items,
        chart_id="milestone-timeline",
        title=_("节点时间轴"),
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        today=today,
    )
