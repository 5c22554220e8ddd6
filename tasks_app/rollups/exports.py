"""Rollup exports people open in Excel: XLSX (a sheet per level, native bar charts) and
CSV (UTF-8 with BOM so Excel shows the Chinese). Headers in Chinese by default.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tasks_app.models import Rollup, RollupLevel, RollupRow
from tasks_app.rollups.columns import (
    IDENTITY_COLUMNS,
    METRIC_COLUMNS,
    SCORE_COLUMNS,
    completion_rate,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SCORE_LABELS = {
    "ROLLUP_SCORE_BASE": gettext_lazy("部门得分基数"),
    "ROLLUP_DEDUCT_PER_RED_ITEM": gettext_lazy("每个红灯事项扣分"),
    "ROLLUP_DEDUCT_PER_SUPERVISION_NOTICE": gettext_lazy("每份督办单扣分"),
    "ROLLUP_DEDUCT_PER_MISSING_REPORT": gettext_lazy("每份未报送进展报告扣分"),
    "ROLLUP_SCORE_FORMULA": gettext_lazy("计分方式（per_task_mean：按任务平均）"),
}


def _headers(level: str) -> list[str]:
    columns = [*IDENTITY_COLUMNS, *METRIC_COLUMNS]
    headers = [str(label) for _field, label in columns] + [_("完成率(%)")]
    if level == RollupLevel.DEPARTMENT:
        headers += [str(label) for _field, label in SCORE_COLUMNS]
    return headers


def _values(row: RollupRow, level: str) -> list:
    fields = [f for f, _label in IDENTITY_COLUMNS] + [f for f, _label in METRIC_COLUMNS]
    values = [getattr(row, f) for f in fields] + [completion_rate(row)]
    if level == RollupLevel.DEPARTMENT:
        values += [row.score, row.rank]
    return [float(v) if isinstance(v, Decimal) else v for v in values]


def _by_level(rows: Iterable[RollupRow]) -> dict[str, list[RollupRow]]:
    grouped: dict[str, list[RollupRow]] = {level: [] for level in RollupLevel.values}
    for row in rows:
        grouped[row.level].append(row)
    for level_rows in grouped.values():
        level_rows.sort(key=lambda r: (r.position, r.id or 0))
    return grouped


def export_filename(rollup: Rollup, extension: str) -> str:
    return f"rollup-{rollup.year}Q{rollup.quarter}-v{rollup.version}.{extension}"


def _about_sheet(workbook: Workbook, rollup: Rollup) -> None:
    sheet = workbook.active
    sheet.title = _("说明")
    built_at = timezone.localtime(rollup.built_at).strftime("%Y-%m-%d %H:%M")
    lines = [
        (_("季度汇总"), f"{rollup.year}年第{rollup.quarter}季度"),
        (_("版本"), rollup.version),
        (_("统计截止日"), rollup.as_of.isoformat()),
        (_("生成时间"), built_at),
        *((str(SCORE_LABELS.get(key, key)), value) for key, value in rollup.settings_used.items()),
    ]
    for line in lines:
        sheet.append(list(line))
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 24


def _level_sheet(workbook: Workbook, title: str, level: str, rows: list[RollupRow]):
    sheet = workbook.create_sheet(title)
    sheet.append(_headers(level))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append(_values(row, level))
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 36
    for index in range(3, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 11
    return sheet


def _bar_chart(title: str, y_title: str, sheet, column: int, count: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long department names stay readable
    chart.title = title
    chart.y_axis.title = y_title
    chart.height = max(8.0, 0.5 * count)
    chart.width = 22.0
    chart.legend = None
    data = Reference(sheet, min_col=column, min_row=1, max_row=count + 1)
    names = Reference(sheet, min_col=2, min_row=2, max_row=count + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(names)
    return chart


def _charts_sheet(workbook: Workbook, departments_sheet, count: int) -> None:
    if not count:
        return
    sheet = workbook.create_sheet(_("图表"))
    headers = [cell.value for cell in departments_sheet[1]]
    rate_col = headers.index(_("完成率(%)")) + 1
    red_col = headers.index(str(dict(METRIC_COLUMNS)["red_items"])) + 1
    sheet.add_chart(
        _bar_chart(_("各部门任务完成率"), _("完成率(%)"), departments_sheet, rate_col, count), "A1"
    )
    anchor = f"A{int(max(8.0, 0.5 * count) * 2) + 4}"
    sheet.add_chart(
        _bar_chart(_("各部门红灯事项数"), _("红灯事项"), departments_sheet, red_col, count), anchor
    )


def rollup_xlsx(*, rollup: Rollup, rows: Iterable[RollupRow]) -> bytes:
    grouped = _by_level(rows)
    workbook = Workbook()
    _about_sheet(workbook, rollup)
    _level_sheet(workbook, _("全区汇总"), RollupLevel.PLAN, grouped[RollupLevel.PLAN])
    _level_sheet(workbook, _("分章节"), RollupLevel.CHAPTER, grouped[RollupLevel.CHAPTER])
    departments = grouped[RollupLevel.DEPARTMENT]
    sheet = _level_sheet(workbook, _("分部门"), RollupLevel.DEPARTMENT, departments)
    _charts_sheet(workbook, sheet, len(departments))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rollup_csv(*, rollup: Rollup, rows: Iterable[RollupRow]) -> bytes:
    """All levels in one table, a 层级 column first; UTF-8 with BOM, CRLF line ends."""
    labels = dict(RollupLevel.choices)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("层级"), *_headers(RollupLevel.DEPARTMENT)])
    for level, level_rows in _by_level(rows).items():
        for row in level_rows:
            values = _values(row, level)
            if level != RollupLevel.DEPARTMENT:
                values += ["", ""]
            writer.writerow([str(labels[level]), *values])
    return buffer.getvalue().encode("utf-8-sig")
