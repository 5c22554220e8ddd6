"""Series for charts, overdue-figure reminder items, bulk assessment (as_of) and the admin list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators_app.models import Indicator, Observation
from indicators_app.reminders import observation_reminder_items, overdue_observation_items
from indicators_app.selectors import indicator_assessments, indicator_statuses
from indicators_app.services import observation_create
from tasks_app.reminders.registry import registered_providers
from tests.indicators_app.conftest import GDP, PM25, RECYCLING, URBAN_INCOME

pytestmark = pytest.mark.django_db


def _report(indicator, actor, period: str, value: str) -> Observation:
    return observation_create(
        indicator=indicator, actor=actor, period=period, value=Decimal(value)
    ).observation


def test_gdp_series_is_ordered_with_target_line_and_baseline(api, indicator, supervisor, leader):
    gdp = indicator(GDP)
    for period, value in [("2025-Q3", "5.0"), ("2025-Q1", "4.6"), ("2025-Q2", "4.9")]:
        _report(gdp, supervisor, period, value)
    response = api(leader).get(f"/api/v1/indicators/{gdp.id}/series/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["measure"], body["unit"]) == ("growth_pct", "%")
    assert [(p["period"], p["value"]) for p in body["points"]] == [
        ("2025-Q1", 4.6), ("2025-Q2", 4.9), ("2025-Q3", 5.0)
    ]  # fmt: skip
    assert [p["period_end"] for p in body["points"]] == ["2025-03-31", "2025-06-30", "2025-09-30"]
    assert body["target_line"] == [
        {"date": "2025-01-01", "value": 5.0}, {"date": "2025-12-31", "value": 5.0}
    ]  # fmt: skip
    assert body["target"]["comparator"] == ">=" and body["target"]["is_growth_rate"] is True
    assert body["baseline_point"] == {"date": "2024-12-31", "value": 5.2}
    assert (body["baseline"]["year"], body["baseline"]["value"]) == (2024, 1334.8)
    assert body["status"] == "on_track" and body["reference"] is None


def test_income_series_carries_the_gdp_reference(api, indicator, supervisor, leader) -> None:
    _report(indicator(GDP), supervisor, "2025-Q1", "5.1")
    _report(indicator(URBAN_INCOME), supervisor, "2025-Q1", "5.0")
    body = api(leader).get(f"/api/v1/indicators/{indicator(URBAN_INCOME).id}/series/").json()
    assert body["target_line"] == [] and body["baseline_point"] is None
    assert body["reference"]["name"] == GDP
    assert [p["value"] for p in body["reference"]["points"]] == [5.1]


def test_level_series_converts_the_baseline(api, indicator, supervisor, leader) -> None:
    pm = indicator(PM25)
    _report(pm, supervisor, "2025-01", "41")
    body = api(leader).get(f"/api/v1/indicators/{pm.id}/series/").json()
    assert (body["measure"], body["unit"]) == ("value", "微克/立方米")
    assert body["baseline_point"] == {"date": "2024-12-31", "value": 34.0}


def _items(today: str) -> dict[str, tuple[str, str, int]]:
    items = overdue_observation_items(today=dt.date.fromisoformat(today))
    by_id = {i.id: i.name for i in Indicator.objects.all()}
    return {by_id[i.object_id]: (i.period, i.due_date.isoformat(), i.department_id) for i in items}


def test_overdue_figures_by_frequency_and_due_day(plan, indicator, supervisor) -> None:
    with CaptureQueriesContext(connection) as ctx:
        overdue_observation_items(today=dt.date(2025, 4, 26))
    assert len(ctx.captured_queries) == 1
    items = _items("2025-04-26")
    gdp = indicator(GDP)  # quarterly, due day 25: Q1 due 2025-04-25
    assert items[GDP] == ("2025-Q1", "2025-04-25", gdp.responsible_department_id)
    assert items[PM25][:2] == ("2025-03", "2025-04-10")  # monthly, due day 10
    assert items["固定资产投资"][:2] == ("2025-03", "2025-04-20")
    assert items[RECYCLING][:2] == ("2025-Q1", "2025-04-20")
    assert "森林覆盖率" not in items  # annual: nothing of 2025 is due yet
    assert "城镇登记失业率" in items  # quarterly, due day 15
    assert len(items) == 14  # 21 − 7 annual indicators
    item = overdue_observation_items(today=dt.date(2025, 4, 26))[0]
    assert (item.kind, item.owner_id, item.task_id) == ("indicator_observation", None, None)
    assert item.title.endswith("数据未报送")


def test_a_figure_covering_the_period_clears_the_item(plan, indicator, supervisor) -> None:
    _report(indicator(GDP), supervisor, "2025-Q1", "5")
    _report(indicator(RECYCLING), supervisor, "2025-03", "40")  # month figure covers Q1
    _report(indicator(PM25), supervisor, "2025-02", "35")  # not March: still missing
    items = _items("2025-04-26")
    assert GDP not in items and RECYCLING not in items
    assert items[PM25][0] == "2025-03"


def test_before_the_due_day_the_previous_period_is_chased(plan) -> None:
    items = _items("2025-04-24")  # GDP's Q1 is due on the 25th
    assert GDP not in items  # Q4 2024 is not a period of the 2025 plan
    assert items[PM25][0] == "2025-03"  # due on the 10th: passed


def test_after_the_plan_year_the_last_period_is_chased(plan, indicator, supervisor) -> None:
    items = _items("2026-03-01")
    assert items[GDP][:2] == ("2025-Q4", "2026-01-25")
    assert items["森林覆盖率"][:2] == ("2025", "2026-01-31")
    _report(indicator(GDP), supervisor, "2025", "5.1")  # the annual figure covers Q4
    assert GDP not in _items("2026-03-01")


def test_registered_provider_adds_figures_due_soon(plan, indicator, supervisor) -> None:
    assert observation_reminder_items in registered_providers()
    today, warn_until = dt.date(2025, 4, 21), dt.date(2025, 4, 28)
    with CaptureQueriesContext(connection) as ctx:
        items = observation_reminder_items(today=today, warn_until=warn_until)
    assert len(ctx.captured_queries) == 2
    by_key = {(i.object_id, i.period): i.due_date for i in items}
    gdp, pm = indicator(GDP), indicator(PM25)
    assert by_key[(gdp.id, "2025-Q1")] == dt.date(2025, 4, 25)  # due soon
    assert by_key[(pm.id, "2025-03")] == dt.date(2025, 4, 10)  # overdue
    assert (pm.id, "2025-04") not in by_key  # due 2025-05-10: outside the window
    assert len(items) == len({i.key for i in items})
    overdue_only = {(i.object_id, i.period) for i in overdue_observation_items(today=today)}
    assert (gdp.id, "2025-Q1") not in overdue_only


def test_bulk_assessment_constant_queries_and_as_of(plan, indicator, supervisor) -> None:
    gdp, income = indicator(GDP), indicator(URBAN_INCOME)
    _report(gdp, supervisor, "2025-Q1", "5.0")
    _report(gdp, supervisor, "2025-Q2", "4.0")
    _report(income, supervisor, "2025-Q1", "4.7")
    indicators = list(Indicator.objects.filter(plan=plan))
    with CaptureQueriesContext(connection) as ctx:
        assessments = indicator_assessments(indicators)
    assert len(ctx.captured_queries) == 3
    assert assessments[gdp.id].status == "off_track"  # 4.0 is 20 % short of 5
    assert assessments[income.id].status == "on_track"  # 4.7 ≥ 4.0 − 2 %
    as_of_q1 = indicator_statuses(indicators, as_of=dt.date(2025, 3, 31))
    assert (as_of_q1[gdp.id], as_of_q1[income.id]) == ("on_track", "at_risk")


def test_admin_list_shows_the_status(client, plan, indicator, supervisor) -> None:
    supervisor.is_superuser = True
    supervisor.save()
    _report(indicator(RECYCLING), supervisor, "2025-Q1", "35")
    client.force_login(supervisor)
    response = client.get("/admin/indicators_app/indicator/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "滞后" in page and "未评估" in page
    assert client.get("/admin/indicators_app/observation/").status_code == 200
    obs = Observation.objects.get()
    assert client.get(f"/admin/indicators_app/observation/{obs.id}/change/").status_code == 200
    change = client.get(f"/admin/indicators_app/indicator/{obs.indicator_id}/change/")
    assert change.status_code == 200 and "2025-Q1" in change.content.decode()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/admin/indicators_app/indicator/").status_code == 200
    _report(indicator(PM25), supervisor, "2025-01", "30")
    _report(indicator(GDP), supervisor, "2025-Q1", "5")
    with CaptureQueriesContext(connection) as again:
        client.get("/admin/indicators_app/indicator/")
    assert len(again.captured_queries) == len(ctx.captured_queries)  # no query per row
