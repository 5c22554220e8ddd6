"""GET /api/v1/indicators/: the 21 seed indicators, filters, ETag, auth, constant queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators_app.models import IndicatorJudgement
from indicators_app.services import observation_create
from tests.indicators_app.conftest import FOOD, GDP, PM25, RECYCLING, REVENUE, UNEMPLOYMENT

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/"


def _all(client, query: str = "") -> list[dict]:
    response = client.get(f"{URL}?page_size=200{query}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_21_seed_indicators(plan, api, leader) -> None:
    rows = _all(api(leader))
    assert len(rows) == 21
    assert [r["code"] for r in rows] == [f"2025-IND-{n:02d}" for n in range(1, 22)]
    categories = [r["category"] for r in rows]
    assert (categories.count("expected"), categories.count("binding")) == (12, 9)
    by_name = {r["name"]: r for r in rows}
    assert {r["group_no"] for r in rows} == {1, 2, 3, 4}
    assert by_name[GDP]["group"] == "持续提升经济发展效益"
    assert by_name[PM25]["group"] == "持续提升环境发展质量"
    assert all(r["status"] == "not_assessed" and r["latest_observation"] is None for r in rows)


def test_targets_and_baselines(plan, api, leader) -> None:
    by_name = {r["name"]: r for r in _all(api(leader))}
    gdp = by_name[GDP]
    assert gdp["target"] == {
        "comparator": ">=", "value": 5.0, "unit": "%", "text": "增长5%", "is_growth_rate": True
    }  # fmt: skip
    assert gdp["baseline"]["year"] == 2024
    assert gdp["baseline"]["value"] == 1334.8 and gdp["baseline"]["unit"] == "亿元"
    assert gdp["baseline"]["growth_pct"] == 5.2
    assert gdp["responsible_department"]["code"] == "tjj"
    assert (gdp["frequency"], gdp["due_day"]) == ("quarterly", 25)
    unemployment = by_name[UNEMPLOYMENT]["target"]
    assert (unemployment["comparator"], unemployment["value"], unemployment["unit"]) == (
        "<=",
        5,
        "%",
    )
    assert (by_name[FOOD]["target"]["comparator"], by_name[FOOD]["target"]["value"]) == (">=", 98.5)
    drugs = by_name["药品安全监测抽验合格率"]["target"]
    assert (drugs["comparator"], drugs["value"]) == (">=", 99)
    recycling = by_name[RECYCLING]
    assert (recycling["target"]["comparator"], recycling["target"]["value"]) == (">=", 40)
    assert (recycling["baseline"]["value"], recycling["baseline"]["unit"]) == (40, "%")
    pm = by_name[PM25]
    assert (pm["baseline"]["value"], pm["baseline"]["unit"]) == (34, "微克/立方米")
    assert pm["target"]["comparator"] == "qualitative"
    assert by_name["森林覆盖率"]["baseline"] is None


def test_filters(plan, api, leader, indicator, supervisor) -> None:
    client = api(leader)
    assert len(_all(client, "&category=binding")) == 9
    assert len(_all(client, "&category=expected")) == 12
    assert {r["name"] for r in _all(client, "&group=4")} >= {UNEMPLOYMENT, FOOD}
    assert len(_all(client, "&group=持续提升科技创新能力")) == 4
    assert {r["name"] for r in _all(client, "&department=scjgj")} == {
        FOOD, "药品安全监测抽验合格率"
    }  # fmt: skip
    dept_id = indicator(GDP).responsible_department_id
    assert GDP in {r["name"] for r in _all(client, f"&department={dept_id}")}
    observation_create(
        indicator=indicator(RECYCLING), actor=supervisor, period="2025-Q1", value=Decimal(41)
    )
    observation_create(
        indicator=indicator(FOOD), actor=supervisor, period="2025-Q1", value=Decimal(80)
    )
    assert [r["name"] for r in _all(client, "&status=on_track")] == [RECYCLING]
    assert [r["name"] for r in _all(client, "&status=off_track&category=binding")] == [FOOD]
    assert len(_all(client, "&status=not_assessed")) == 19


@pytest.mark.parametrize("query", ["category=both", "status=green", "updated_since=yesterday"])
def test_bad_filter_is_400_naming_the_field(plan, api, leader, query: str) -> None:
    response = api(leader).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == query.split("=")[0]


def test_unauthenticated_is_401(plan, api) -> None:
    assert api(None).get(URL).status_code == 401
    gdp_id = plan.indicators.get(name=GDP).id
    assert api(None).get(f"{URL}{gdp_id}/").status_code == 401
    assert api(None).post(f"{URL}{gdp_id}/observations/", {}).status_code == 401


def test_detail_with_etag_and_304(plan, api, outsider, indicator, supervisor) -> None:
    gdp = indicator(GDP)
    client = api(outsider)  # any authenticated user reads district-wide indicators
    first = client.get(f"{URL}{gdp.id}/")
    assert first.status_code == 200 and first.json()["name"] == GDP
    etag = first["ETag"]
    assert client.get(f"{URL}{gdp.id}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    observation_create(indicator=gdp, actor=supervisor, period="2025-Q1", value=Decimal("5.4"))
    second = client.get(f"{URL}{gdp.id}/", HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 200 and second["ETag"] != etag
    assert second.json()["latest_observation"]["value"] == 5.4
    assert second.json()["status"] == "on_track"
    assert client.get(f"{URL}999999/").status_code == 404


def test_gdp_figure_changes_the_etag_of_income_indicators(plan, api, leader, indicator, supervisor):
    income = indicator("城镇居民人均可支配收入")
    etag = api(leader).get(f"{URL}{income.id}/")["ETag"]
    observation_create(
        indicator=indicator(GDP), actor=supervisor, period="2025-Q1", value=Decimal("5")
    )
    assert api(leader).get(f"{URL}{income.id}/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def _count_queries(client, page_size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{URL}?page_size={page_size}")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def test_list_runs_constant_queries(plan, api, leader, indicator, supervisor) -> None:
    for name, value in [(GDP, "5.1"), (RECYCLING, "38"), ("城镇居民人均可支配收入", "5.3")]:
        observation_create(
            indicator=indicator(name), actor=supervisor, period="2025-Q1", value=Decimal(value)
        )
    IndicatorJudgement.objects.create(
        indicator=indicator(REVENUE), status="on_track", reason="同比增长6%", judged_by=supervisor
    )
    client = api(leader)
    small, small_rows = _count_queries(client, 10)
    large, large_rows = _count_queries(client, 100)
    assert (small_rows, large_rows) == (10, 21)
    assert small == large <= 5
    with CaptureQueriesContext(connection) as ctx:
        assert len(_all(client, "&status=on_track")) >= 1
    assert len(ctx.captured_queries) <= 9
