"""Server-side SVG charts for the console: horizontal bars, a line with reference lines, a
milestone timeline.

Hand-written SVG, no script and no network: labels are real <text> nodes, so the browser
draws the Chinese with the machine's CJK font (fonts-wqy-zenhei from `make deps-system`,
or whatever CJK font the reader's system has) and tests can read them from the page.
Every function returns markup that is safe to put inline in a template.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FONT_FAMILY = (
    "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', "
    "'PingFang SC', sans-serif"
)
WIDTH_PX = 760
FONT_PX = 12
TITLE_FONT_PX = 14
BAR_ROW_PX = 22
BAR_PX = 14
LINE_HEIGHT_PX = 300
TIMELINE_HEIGHT_PX = 116

RED, YELLOW, GREEN, GREY, BLUE = "#d64545", "#e0a800", "#2e8b57", "#9aa5b1", "#3b73b9"
FLAG_COLOURS = {"red": RED, "yellow": YELLOW, "green": GREEN}
STATUS_COLOURS = {"on_track": GREEN, "at_risk": YELLOW, "off_track": RED, "not_assessed": GREY}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str = BLUE
    text: str | None = None  # shown after the bar; default: the value


@dataclass(frozen=True)
class LineSeries:
    name: str
    points: Sequence[tuple[dt.date, float]]
    colour: str = BLUE


@dataclass(frozen=True)
class RefLine:
    """A horizontal reference line (a target)."""

    label: str
    value: float
    colour: str = RED


@dataclass(frozen=True)
class Marker:
    """A single labelled point (the baseline)."""

    label: str
    day: dt.date
    value: float
    colour: str = GREY


@dataclass(frozen=True)
class TimelineItem:
    label: str
    day: dt.date
    state: str  # "done" | "overdue" | "open"


TIMELINE_COLOURS = {"done": GREEN, "overdue": RED, "open": GREY}


def text_width(text: str, size: int = FONT_PX) -> float:
    """Approximate rendered width: CJK and full-width characters are square, Latin ~0.6."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def fit(text: str, max_px: float, size: int = FONT_PX) -> str:
    """`text`, cut with an ellipsis so that it fits in `max_px`."""
    if text_width(text, size) <= max_px:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > max_px:
            break
        out += ch
    return out + "…"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (0, 20, 40 … rather than 0, 17.3 …)."""
    if high <= low:
        high = low + 1
    raw_step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def number(value: float) -> str:
    """12.0 → "12", 12.345 → "12.3", 1234567 → "1234567"."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}" if abs(value) < 1000 else f"{value:.0f}"


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = FONT_PX,
    css: str = "",
    fill: str | None = None,
) -> str:
    fill_attr = f' fill="{fill}"' if fill else ""
    css_attr = f' class="{css}"' if css else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
        f"{css_attr}{fill_attr}>{escape(text)}</text>"
    )


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'data-chart="{escape(chart_id)}" viewBox="0 0 {WIDTH_PX} {height:.0f}" '
        f'width="{WIDTH_PX}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" font-family="{FONT_FAMILY}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
    )
    heading = _text(8, 20, title, size=TITLE_FONT_PX, css="chart-title")
    return mark_safe(head + heading + "".join(body) + "</svg>")


def _empty(chart_id: str, title: str) -> SafeString:
    return _svg(chart_id, title, 80, [_text(WIDTH_PX / 2, 55, _("暂无数据"), anchor="middle")])


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    max_value: float | None = None,
    reference: RefLine | None = None,
) -> SafeString:
    """Horizontal bars, one row per item, the value written after each bar."""
    if not bars:
        return _empty(chart_id, title)
    label_px = min(240.0, max(text_width(b.label) for b in bars) + 12)
    left, right, top = label_px + 8, WIDTH_PX - 70, 40
    high = max([max_value or 0, *(b.value for b in bars), reference.value if reference else 0])
    ticks = nice_ticks(0, high or 1)
    scale = (right - left) / (ticks[-1] or 1)
    height = top + len(bars) * BAR_ROW_PX + 30
    body = _axis_grid(ticks, left, scale, top, height - 30)
    for index, bar in enumerate(bars):
        y = top + index * BAR_ROW_PX
        width = max(0.0, bar.value) * scale
        body.append(_text(left - 8, y + BAR_PX - 2, fit(bar.label, label_px - 8), anchor="end"))
        body.append(
            f'<rect class="bar" x="{left:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{BAR_PX}" fill="{bar.colour}"><title>{escape(bar.label)}</title></rect>'
        )
        label = bar.text if bar.text is not None else number(bar.value)
        body.append(_text(left + width + 4, y + BAR_PX - 2, label, size=11))
    if reference is not None:
        x = left + reference.value * scale
        body.append(_vline(x, top - 6, height - 30, reference.colour))
        body.append(
            _text(x, top - 8, reference.label, anchor="middle", size=11, fill=reference.colour)
        )
    return _svg(chart_id, title, height, body)


def _axis_grid(
    ticks: list[float], left: float, scale: float, top: float, bottom: float
) -> list[str]:
    parts = []
    for tick in ticks:
        x = left + tick * scale
        parts.append(
            f'<line class="grid" x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" '
            f'y2="{bottom:.1f}" stroke="#ccc" stroke-width="0.5"/>'
        )
        parts.append(_text(x, bottom + 14, number(tick), anchor="middle", size=10))
    return parts


def _vline(x: float, y1: float, y2: float, colour: str) -> str:
    return (
        f'<line x1="{x:.1f}" y1="{y1:.1f}" x2="{x:.1f}" y2="{y2:.1f}" stroke="{colour}" '
        'stroke-width="1.5" stroke-dasharray="5,3"/>'
    )


@dataclass(frozen=True)
class _Frame:
    """Maps dates and values onto the plot area of a line chart."""

    start: dt.date
    end: dt.date
    low: float
    high: float
    left: float = 56
    right: float = WIDTH_PX - 24
    top: float = 66
    bottom: float = LINE_HEIGHT_PX - 36

    def x(self, day: dt.date) -> float:
        span = max(1, (self.end - self.start).days)
        return self.left + (day - self.start).days / span * (self.right - self.left)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)


def _month_ticks(frame: _Frame, *, grid: bool = True) -> list[str]:
    """Quarter-month labels (2025年1月, 4月, 7月, 10月) along the date axis."""
    parts, day = [], dt.date(frame.start.year, frame.start.month, 1)
    while day <= frame.end:
        if day >= frame.start and day.month in (1, 4, 7, 10):
            x = frame.x(day)
            label = f"{day.year}年{day.month}月" if day.month == 1 else f"{day.month}月"
            if grid:
                parts.append(
                    f'<line class="grid" x1="{x:.1f}" y1="{frame.top:.1f}" x2="{x:.1f}" '
                    f'y2="{frame.bottom:.1f}" stroke="#ccc" stroke-width="0.5"/>'
                )
            parts.append(_text(x, frame.bottom + 16, label, anchor="middle", size=10))
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return parts


def _value_ticks(frame: _Frame, ticks: list[float]) -> list[str]:
    parts = []
    for tick in ticks:
        y = frame.y(tick)
        parts.append(
            f'<line class="grid" x1="{frame.left:.1f}" y1="{y:.1f}" x2="{frame.right:.1f}" '
            f'y2="{y:.1f}" stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(_text(frame.left - 6, y + 4, number(tick), anchor="end", size=10))
    return parts


def _legend(entries: list[tuple[str, str, bool]]) -> list[str]:
    parts, x = [], 8.0
    for label, colour, dashed in entries:
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        parts.append(
            f'<line x1="{x:.1f}" y1="36" x2="{x + 18:.1f}" y2="36" stroke="{colour}" '
            f'stroke-width="2.5"{dash}/>'
        )
        parts.append(_text(x + 22, 40, label, size=11, css="legend"))
        x += 22 + text_width(label, 11) + 18
    return parts


def line_chart(
    *,
    chart_id: str,
    title: str,
    unit: str,
    start: dt.date,
    end: dt.date,
    series: Sequence[LineSeries] = (),
    references: Sequence[RefLine] = (),
    markers: Sequence[Marker] = (),
) -> SafeString:
    """Lines over a date axis with horizontal reference lines and labelled single points."""
    values = [v for s in series for _d, v in s.points]
    values += [r.value for r in references] + [m.value for m in markers]
    if not values:
        return _empty(chart_id, title)
    ticks = nice_ticks(min(0.0, min(values)), max(values))
    frame = _Frame(start=start, end=end, low=ticks[0], high=ticks[-1])
    body = _value_ticks(frame, ticks) + _month_ticks(frame)
    if unit:
        body.append(_text(frame.left - 6, frame.top - 8, unit, anchor="end", size=10))
    for ref in references:
        y = frame.y(ref.value)
        body.append(
            f'<line class="target" x1="{frame.left:.1f}" y1="{y:.1f}" x2="{frame.right:.1f}" '
            f'y2="{y:.1f}" stroke="{ref.colour}" stroke-width="1.5" stroke-dasharray="6,4"/>'
        )
    for line in series:
        body += _polyline(frame, line)
    for marker in markers:
        x, y = frame.x(marker.day), frame.y(marker.value)
        body.append(
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" '
            f'fill="{marker.colour}"><title>{escape(marker.label)}</title></rect>'
        )
        body.append(_text(x + 8, y - 8, f"{marker.label} {number(marker.value)}", size=10))
    legend = [(s.name, s.colour, False) for s in series]
    legend += [(r.label, r.colour, True) for r in references]
    legend += [(m.label, m.colour, False) for m in markers]
    return _svg(chart_id, title, LINE_HEIGHT_PX, body + _legend(legend))


def _polyline(frame: _Frame, line: LineSeries) -> list[str]:
    coords = [(frame.x(d), frame.y(v), v) for d, v in sorted(line.points)]
    if not coords:
        return []
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in coords)
    parts = [
        f'<polyline class="series" points="{path}" fill="none" stroke="{line.colour}" '
        'stroke-width="2"/>'
    ]
    for x, y, value in coords:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{line.colour}"/>')
        parts.append(_text(x, y - 8, number(value), anchor="middle", size=10))
    return parts


def milestone_timeline(
    items: Sequence[TimelineItem],
    *,
    chart_id: str,
    title: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
) -> SafeString:
    """Dated checkpoints on one axis: done green, overdue red, open grey; today dashed.

    Dates are written above the axis (alternating two heights so neighbours do not
    collide), months below it, "today" at the bottom.
    """
    if not items:
        return _empty(chart_id, title)
    axis_y = 66.0
    frame = _Frame(start=start, end=end, low=0, high=1, top=axis_y, bottom=axis_y)
    body = [
        f'<line x1="{frame.left:.1f}" y1="{axis_y}" x2="{frame.right:.1f}" y2="{axis_y}" '
        'stroke="#888" stroke-width="2"/>'
    ]
    body += _month_ticks(frame, grid=False)
    if start <= today <= end:
        x = frame.x(today)
        body.append(_vline(x, axis_y - 12, axis_y + 30, BLUE))
        body.append(_text(x, axis_y + 42, _("今天"), anchor="middle", size=10, fill=BLUE))
    for index, item in enumerate(sorted(items, key=lambda i: i.day)):
        x = frame.x(min(max(item.day, start), end))
        colour = TIMELINE_COLOURS.get(item.state, GREY)
        body.append(
            f'<circle class="milestone {item.state}" cx="{x:.1f}" cy="{axis_y}" r="7" '
            f'fill="{colour}"><title>{escape(item.label)}</title></circle>'
        )
        label_y = axis_y - 14 if index % 2 == 0 else axis_y - 28
        body.append(
            _text(x, label_y, f"{item.day.month}月{item.day.day}日", anchor="middle", size=10)
        )
    return _svg(chart_id, title, TIMELINE_HEIGHT_PX, body)
