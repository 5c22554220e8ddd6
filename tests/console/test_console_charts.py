"""The console's SVG charts: well-formed, escaped, Chinese text as text (no database)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from indicators_app.assessment import Assessment
from indicators_app.models import Indicator, Observation
from plantracker.console import charts, figures
from plantracker.console.charts import Bar, LineSeries, Marker, RefLine, TimelineItem
from plantracker.console.selectors import IndicatorRow

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(markup: str) -> list[str]:
    return [node.text or "" for node in parse(markup).iter(f"{SVG}text")]


def test_bar_chart_writes_labels_as_escaped_text() -> None:
    svg = charts.bar_chart(
        [Bar("区发展改革委", 50), Bar("<script>alert(1)</script>", 10, charts.RED, "10项")],
        chart_id="t",
        title="各部门任务完成率（%）",
        max_value=100,
    )
    root = parse(svg)
    assert root.get("id") == "t"
    assert "WenQuanYi Zen Hei" in root.get("font-family")
    assert root.find(f"{SVG}title").text == "各部门任务完成率（%）"
    labels = texts(svg)
    assert "区发展改革委" in labels
    assert "<script>" not in str(svg)
    assert "10项" in labels
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(5 * widths[1])


def test_long_labels_are_cut_to_fit() -> None:
    label = "北京大兴国际机场临空经济区（大兴）管委会"
    cut = charts.fit(label, 120)
    assert cut.endswith("…")
    assert charts.text_width(cut) <= 120


def test_empty_charts_say_so() -> None:
    assert "暂无数据" in texts(charts.bar_chart([], chart_id="e", title="空"))
    empty_line = charts.line_chart(
        chart_id="l", title="空", unit="%", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    assert "暂无数据" in texts(empty_line)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0, 100, [0, 20, 40, 60, 80, 100]), (0, 19, [0, 5, 10, 15, 20]), (0, 1, None)],
)
def test_nice_ticks(low: float, high: float, expected: list[float] | None) -> None:
    ticks = charts.nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    if expected is not None:
        assert ticks == expected


def test_line_chart_has_series_target_and_baseline() -> None:
    svg = charts.line_chart(
        chart_id="s",
        title="地区生产总值：走势与目标",
        unit="%",
        start=dt.date(2024, 12, 1),
        end=dt.date(2025, 12, 31),
        series=[LineSeries("地区生产总值增速", [(dt.date(2025, 3, 31), 5.3)])],
        references=[RefLine("目标 5", 5.0)],
        markers=[Marker("2024年基期", dt.date(2024, 12, 31), 5.2)],
    )
    labels = texts(svg)
    assert {"地区生产总值增速", "目标 5", "2024年基期", "2024年基期 5.2", "5.3"} <= set(labels)
    assert "2025年1月" in labels
    root = parse(svg)
    assert root.find(f".//{SVG}line[@class='target']") is not None
    assert root.find(f".//{SVG}polyline[@class='series']") is not None


def test_timeline_colours_checkpoints_by_state() -> None:
    svg = charts.milestone_timeline(
        [
            TimelineItem("一季度", dt.date(2025, 3, 31), "overdue"),
            TimelineItem("二季度", dt.date(2025, 6, 30), "done"),
            TimelineItem("完成", dt.date(2025, 12, 31), "open"),
        ],
        chart_id="m",
        title="节点时间轴",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        today=dt.date(2025, 6, 16),
    )
    circles = {c.get("class"): c.get("fill") for c in parse(svg).iter(f"{SVG}circle")}
    assert circles == {
        "milestone overdue": charts.RED,
        "milestone done": charts.GREEN,
        "milestone open": charts.GREY,
    }
    assert "今天" in texts(svg)


def _row(comparator: str, target: str | None, value: str | None, status: str) -> IndicatorRow:
    indicator = Indicator(
        name="指标", target_comparator=comparator,
        target_value=Decimal(target) if target else None,
    )  # fmt: skip
    latest = Observation(value=Decimal(value), unit="%") if value else None
    return IndicatorRow(indicator, Assessment(status, "", latest=latest))


def test_attainment_is_higher_is_better_either_way() -> None:
    assert figures.attainment_pct(_row(">=", "98.5", "99.2", "on_track")) == pytest.approx(
        100.7, abs=0.1
    )
    assert figures.attainment_pct(_row("<=", "5", "3.1", "on_track")) == pytest.approx(
        161.3, abs=0.1
    )
    assert figures.attainment_pct(_row("qualitative", None, "31", "on_track")) is None
    assert figures.attainment_pct(_row(">=", "40", None, "not_assessed")) is None
    svg = figures.indicator_attainment([_row(">=", "40", "36.5", "at_risk")])
    assert charts.YELLOW in str(svg)
    assert "目标" in texts(svg)
