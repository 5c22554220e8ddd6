"""POST/GET /api/v1/indicators/{id}/observations/: reporting, conversion, corrections, refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators_app.models import Observation, ObservationRevision
from tests.indicators_app.conftest import FOOD, GDP, PM25, RECYCLING, REVENUE, URBAN_INCOME

pytestmark = pytest.mark.django_db


def _url(indicator) -> str:
    return f"/api/v1/indicators/{indicator.id}/observations/"


def _post(client, indicator, **body):
    return client.post(_url(indicator), body, format="json")


def _error(response, field: str) -> dict:
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    matching = [e for e in errors if e["attr"] == field]
    assert matching, errors
    return matching[0]


def test_department_member_reports_a_figure(api, indicator, reporter) -> None:
    recycling = indicator(RECYCLING)
    user = reporter(RECYCLING)
    response = _post(
        api(user), recycling, period="2025-Q2", value=41.5, source="区城市管理委季报", note="初值"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["period"], body["period_end"], body["value"], body["unit"]) == (
        "2025-Q2", "2025-06-30", 41.5, "%"
    )  # fmt: skip
    assert body["reported_by"]["id"] == user.id and body["source"] == "区城市管理委季报"
    assert body["verification_status"] == "unverified" and body["verified"] is False
    assert body["revisions"] == []
    detail = api(user).get(f"/api/v1/indicators/{recycling.id}/").json()
    assert detail["latest_observation"]["period"] == "2025-Q2"
    assert detail["status"] == "on_track"
    assert "41.5%" in detail["status_reason"]


def test_any_period_form_of_the_plan_year(api, indicator, supervisor) -> None:
    pm = indicator(PM25)  # monthly indicator; annual and quarterly figures are accepted too
    client = api(supervisor)
    for period, end in [
        ("2025-03", "2025-03-31"),
        ("2025-q1", "2025-03-31"),
        ("2025", "2025-12-31"),
    ]:
        response = _post(client, pm, period=period, value=30)
        assert response.status_code == 201, response.content
        assert response.json()["period_end"] == end
    assert set(pm.observations.values_list("period", flat=True)) == {"2025-03", "2025-Q1", "2025"}


def test_unit_conversion_wan_yuan_to_yi_yuan(api, indicator, reporter) -> None:
    revenue = indicator(REVENUE)  # unit 亿元
    response = _post(api(reporter(REVENUE)), revenue, period="2025-03", value=312345, unit="万元")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["value"], body["unit"]) == (31.2345, "亿元")
    assert (body["reported_value"], body["reported_unit"]) == (312345, "万元")
    assert Observation.objects.get(pk=body["id"]).value == Decimal("31.2345")


def test_huge_reported_value_is_400_even_when_it_converts_small(api, indicator, reporter) -> None:
    revenue = indicator(REVENUE)
    response = _post(api(reporter(REVENUE)), revenue, period="2025-Q1", value="1e25", unit="元")
    assert _error(response, "value")["code"] == "out_of_range"


def test_permille_converts_to_percent(api, indicator, reporter) -> None:
    response = _post(api(reporter(FOOD)), indicator(FOOD), period="2025-Q1", value=990, unit="‰")
    assert response.status_code == 201
    assert (response.json()["value"], response.json()["unit"]) == (99, "%")


def test_growth_indicators_take_growth_in_percent(api, indicator, reporter) -> None:
    income = indicator(URBAN_INCOME)  # no nominal unit; observations are growth in %
    client = api(reporter(URBAN_INCOME))
    assert _post(client, income, period="2025-Q1", value=5.1).json()["unit"] == "%"
    refused = _post(client, income, period="2025-Q2", value=42000, unit="元")
    assert _error(refused, "unit")["code"] == "unit_mismatch"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"period": "2025-Q1", "value": "abc"}, "value", "invalid"),
        ({"period": "2025-Q1", "value": True}, "value", "invalid"),
        ({"period": "2025-Q1"}, "value", "required"),
        ({"period": "2025-Q1", "value": 1, "unit": "斤"}, "unit", "unknown_unit"),
        ({"period": "2025-Q1", "value": 1, "unit": "万元"}, "unit", "unit_mismatch"),
        ({"period": "Q1 2025", "value": 1}, "period", "invalid"),
        ({"period": "2025-13", "value": 1}, "period", "invalid"),
        ({"period": "2024-Q4", "value": 1}, "period", "invalid"),  # not the plan year
        ({"value": 1}, "period", "required"),
        ({"period": "2025-Q1", "value": "1e30"}, "value", "out_of_range"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, indicator, reporter, body, field, code) -> None:
    response = _post(api(reporter(RECYCLING)), indicator(RECYCLING), **body)
    assert _error(response, field)["code"] == code
    assert Observation.objects.count() == 0


def test_future_period_is_refused(api, indicator, reporter, time_machine) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    # 00:30 on 1 July in Shanghai is still 30 June in UTC: the district's date counts.
    time_machine.move_to(dt.datetime(2025, 7, 1, 0, 30, tzinfo=shanghai), tick=False)
    client = api(reporter(RECYCLING))
    assert _post(client, indicator(RECYCLING), period="2025-Q2", value=40).status_code == 201
    for period in ("2025-Q3", "2025-07", "2025"):
        response = _post(client, indicator(RECYCLING), period=period, value=40)
        assert _error(response, "period")["code"] == "future"
    time_machine.move_to(dt.datetime(2025, 6, 30, 23, 0, tzinfo=shanghai), tick=False)
    response = _post(client, indicator(RECYCLING), period="2025-06", value=40)
    assert _error(response, "period")["code"] == "future"


def test_correction_needs_a_reason_and_keeps_history(api, indicator, reporter, supervisor) -> None:
    gdp = indicator(GDP)
    first_author, corrector = reporter(GDP), reporter(GDP, "dept_lead")
    created = _post(api(first_author), gdp, period="2025-Q1", value=4.8, source="快报")
    assert created.status_code == 201
    oid = created.json()["id"]
    api(supervisor).post(f"{_url(gdp)}{oid}/verify/", {"action": "verify"}, format="json")
    no_reason = _post(api(corrector), gdp, period="2025-Q1", value=5.1)
    assert _error(no_reason, "reason")["code"] == "required"
    same = _post(api(corrector), gdp, period="2025-Q1", value=4.8)  # identical: a no-op
    assert same.status_code == 200 and same.json()["revisions"] == []
    corrected = _post(api(corrector), gdp, period="2025-Q1", value=5.1, reason="统计局终核数")
    assert corrected.status_code == 200, corrected.content
    body = corrected.json()
    assert body["id"] == oid and body["value"] == 5.1 and body["source"] == "快报"
    assert body["reported_by"]["id"] == corrector.id
    assert body["verification_status"] == "unverified"  # a corrected figure is verified anew
    [revision] = body["revisions"]
    assert (revision["value"], revision["reported_by"]["id"]) == (4.8, first_author.id)
    assert (revision["corrected_by"]["id"], revision["reason"]) == (corrector.id, "统计局终核数")
    assert revision["verification_status"] == "verified"
    assert Observation.objects.filter(indicator=gdp).count() == 1
    assert ObservationRevision.objects.count() == 1
    listed = api(first_author).get(_url(gdp)).json()["results"]
    assert listed[0]["value"] == 5.1 and len(listed[0]["revisions"]) == 1


def test_another_department_is_refused(api, indicator, reporter, outsider, leader) -> None:
    gdp = indicator(GDP)  # 区统计局
    other_department = reporter(REVENUE, "dept_lead")  # 区财政局
    for user in (other_department, outsider, leader):
        response = _post(api(user), gdp, period="2025-Q1", value=5)
        assert response.status_code == 403, response.content
        assert api(user).get(_url(gdp)).status_code == 200  # but they see it
    assert Observation.objects.count() == 0


def test_idempotency_key_replays_the_first_response(api, indicator, reporter) -> None:
    client = api(reporter(RECYCLING))
    first = client.post(
        _url(indicator(RECYCLING)), {"period": "2025-Q1", "value": 39},
        format="json", HTTP_IDEMPOTENCY_KEY="obs-1",
    )  # fmt: skip
    again = client.post(
        _url(indicator(RECYCLING)), {"period": "2025-Q1", "value": 39},
        format="json", HTTP_IDEMPOTENCY_KEY="obs-1",
    )  # fmt: skip
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Observation.objects.count() == 1


def _list_queries(client, url: str, page_size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{url}?page_size={page_size}")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


def test_observation_list_runs_constant_queries(api, indicator, supervisor, leader) -> None:
    pm = indicator(PM25)
    client = api(supervisor)
    for month in range(1, 13):
        assert _post(client, pm, period=f"2025-{month:02d}", value=30 + month).status_code == 201
    for month in (1, 2):
        _post(client, pm, period=f"2025-{month:02d}", value=40, reason="更正")
    reader = api(leader)
    small, small_rows = _list_queries(reader, _url(pm), 5)
    large, large_rows = _list_queries(reader, _url(pm), 100)
    assert (small_rows, large_rows) == (5, 12)
    assert small == large <= 4
    periods = [r["period"] for r in reader.get(_url(pm)).json()["results"]]
    assert periods == [f"2025-{m:02d}" for m in range(12, 0, -1)]  # newest first
