"""Exports people open in Excel: the XLSX reopens with openpyxl and holds its bar charts;
the CSV reads back with the Chinese intact (UTF-8 with BOM)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from tasks_app.models import IssuingBody
from tasks_app.rollups.build import rollup_build


@pytest.fixture
def rollup(mini):
    return rollup_build(year=2025, quarter=3, today=dt.date(2025, 10, 1))


@pytest.mark.django_db
def test_xlsx_has_a_sheet_per_level_chinese_headers_and_charts(rollup, supervisor, api):
    response = api(supervisor).get(f"/api/v1/rollups/{rollup.pk}/export/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="rollup-2025Q3-v1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明", "全区汇总", "分章节", "分部门", "图表"]
    about = dict(book["说明"].iter_rows(values_only=True))
    assert (about["季度汇总"], about["版本"], about["每份督办单扣分"]) == ("2025年第3季度", 1, 3)
    departments = book["分部门"]
    headers = [cell.value for cell in departments[1]]
    assert headers[:4] == ["代码", "名称", "任务总数", "未开始"]
    assert headers[-3:] == ["完成率(%)", "得分", "排名"]
    rows = [[cell.value for cell in row] for row in departments.iter_rows(min_row=2)]
    assert [row[1] for row in rows] == ["甲局", "乙局", "丙局"]
    assert rows[0][headers.index("红灯事项")] == 1 and rows[0][headers.index("完成率(%)")] == 50.0
    assert [row[1] for row in book["分章节"].iter_rows(min_row=2, values_only=True)] == [
        "（一）经济发展",
        "（二）民生保障",
    ]
    plan_row = next(book["全区汇总"].iter_rows(min_row=2, values_only=True))
    assert plan_row[1] == "测试计划2025" and plan_row[2] == 7
    charts = book["图表"]._charts
    assert len(charts) == 2 and all(isinstance(chart, BarChart) for chart in charts)
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in p.r) for c in charts]
    assert titles == ["各部门任务完成率", "各部门红灯事项数"]


@pytest.mark.django_db
def test_csv_reads_back_with_chinese_intact(rollup, leader, api):
    response = api(leader).get(f"/api/v1/rollups/{rollup.pk}/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["层级", "代码", "名称"] and rows[0][-1] == "排名"
    assert [(r[0], r[2]) for r in rows[1:]] == [
        ("全区", "测试计划2025"),
        ("章节", "（一）经济发展"),
        ("章节", "（二）民生保障"),
        ("部门", "甲局"),
        ("部门", "乙局"),
        ("部门", "丙局"),
    ]
    assert rows[4][rows[0].index("得分")] == "99.0"


@pytest.mark.django_db
def test_a_department_lead_exports_only_its_own_row(rollup, mini, make_member, api):
    """With 通报 off for the body (with it on, see test_rollups_circulation.py)."""
    IssuingBody.objects.filter(pk=mini.plan.body_id).update(circulate_rollups=False)
    lead = make_member(mini.b, "dept_lead")
    response = api(lead).get(f"/api/v1/rollups/{rollup.pk}/export/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["乙局"]
    book = load_workbook(io.BytesIO(api(lead).get(f"/api/v1/rollups/{rollup.pk}/export/").content))
    assert book["全区汇总"].max_row == 1 and book["分部门"].max_row == 2


@pytest.mark.django_db
def test_export_errors_are_json(rollup, mini, make_member, supervisor, api):
    bad = api(supervisor).get(f"/api/v1/rollups/{rollup.pk}/export/?format=pdf")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "format"
    assert api(supervisor).get("/api/v1/rollups/999999/export/?format=csv").status_code == 404
    staff = make_member(mini.a, "dept_staff")
    assert api(staff).get(f"/api/v1/rollups/{rollup.pk}/export/").status_code == 403
