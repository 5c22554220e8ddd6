"""Supervisor actions: verify/question a figure, judge qualitative targets; GDP-relative incomes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators_app.models import IndicatorJudgement, Observation
from indicators_app.services import observation_create
from tests.indicators_app.conftest import (
    GDP,
    PM25,
    RECYCLING,
    REVENUE,
    RURAL_INCOME,
    URBAN_INCOME,
)

pytestmark = pytest.mark.django_db


def _detail(client, indicator) -> dict:
    response = client.get(f"/api/v1/indicators/{indicator.id}/")
    assert response.status_code == 200
    return response.json()


def _verify_url(obs: Observation) -> str:
    return f"/api/v1/indicators/{obs.indicator_id}/observations/{obs.id}/verify/"


@pytest.fixture
def recycling_figure(indicator, reporter) -> Observation:
    return observation_create(
        indicator=indicator(RECYCLING), actor=reporter(RECYCLING), period="2025-Q1",
        value=Decimal(39),
    ).observation  # fmt: skip


def test_supervisor_verifies_and_questions(api, supervisor, recycling_figure, leader) -> None:
    client = api(supervisor)
    verified = client.post(_verify_url(recycling_figure), {"action": "verify"}, format="json")
    assert verified.status_code == 200, verified.content
    body = verified.json()
    assert body["verified"] is True and body["verified_by"]["id"] == supervisor.id
    no_comment = client.post(_verify_url(recycling_figure), {"action": "question"}, format="json")
    assert no_comment.status_code == 400
    assert no_comment.json()["errors"][0]["attr"] == "comment"
    questioned = client.post(
        _verify_url(recycling_figure),
        {"action": "question", "comment": "与季报不符"},
        format="json",
    )
    assert questioned.json()["verification_status"] == "questioned"
    latest = _detail(api(leader), recycling_figure.indicator)["latest_observation"]
    assert (latest["verification_status"], latest["verification_comment"]) == (
        "questioned", "与季报不符"
    )  # fmt: skip


def test_only_supervisors_verify(api, reporter, leader, recycling_figure) -> None:
    for user in (reporter(RECYCLING, "dept_lead"), leader):
        response = api(user).post(
            _verify_url(recycling_figure), {"action": "verify"}, format="json"
        )
        assert response.status_code == 403
    bad = api(reporter(RECYCLING)).post(
        _verify_url(recycling_figure), {"action": "x"}, format="json"
    )
    assert bad.status_code == 403  # permission before input


def test_verify_of_another_indicators_figure_is_404(api, supervisor, indicator, recycling_figure):
    url = f"/api/v1/indicators/{indicator(GDP).id}/observations/{recycling_figure.id}/verify/"
    assert api(supervisor).post(url, {"action": "verify"}, format="json").status_code == 404


def _judge(client, indicator, **body):
    return client.post(f"/api/v1/indicators/{indicator.id}/judgement/", body, format="json")


def test_qualitative_target_judged_by_supervisor(api, supervisor, indicator, leader) -> None:
    revenue = indicator(REVENUE)  # 稳步增长
    assert _detail(api(leader), revenue)["status"] == "not_assessed"
    first = _judge(api(supervisor), revenue, status="at_risk", reason="一季度收入同比下降1.2%")
    assert first.status_code == 201, first.content
    _judge(api(supervisor), revenue, status="on_track", reason="上半年同比增长3.5%，稳步增长")
    detail = _detail(api(leader), revenue)
    assert detail["status"] == "on_track"
    assert detail["status_reason"] == "上半年同比增长3.5%，稳步增长"
    assert detail["judgement"]["judged_by"]["id"] == supervisor.id
    history = api(leader).get(f"/api/v1/indicators/{revenue.id}/judgement/").json()["results"]
    assert [h["status"] for h in history] == ["on_track", "at_risk"]


def test_judgement_refusals(api, supervisor, indicator, reporter, leader) -> None:
    pm = indicator(PM25)  # 达到市级要求
    for user in (reporter(PM25, "dept_lead"), leader):
        assert _judge(api(user), pm, status="on_track", reason="达标").status_code == 403
    missing = _judge(api(supervisor), pm, status="on_track", reason="  ")
    assert missing.status_code == 400 and missing.json()["errors"][0]["attr"] == "reason"
    wrong = _judge(api(supervisor), pm, status="green", reason="达标")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["attr"] == "status"
    computed = _judge(api(supervisor), indicator(RECYCLING), status="on_track", reason="达标")
    assert computed.status_code == 409  # numeric targets are computed, not judged
    income = _judge(api(supervisor), indicator(URBAN_INCOME), status="on_track", reason="x")
    assert income.status_code == 409
    assert IndicatorJudgement.objects.count() == 0


def test_judgement_idempotency(api, supervisor, indicator) -> None:
    client, pm = api(supervisor), indicator(PM25)
    url = f"/api/v1/indicators/{pm.id}/judgement/"
    body = {"status": "on_track", "reason": "PM2.5 累计浓度优于市级要求"}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="j-1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="j-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert IndicatorJudgement.objects.count() == 1


@pytest.mark.parametrize(
    ("income", "gdp", "status"),
    [("5.3", "5.2", "on_track"), ("4.8", "5.2", "at_risk"), ("4.0", "5.2", "off_track")],
)
def test_income_compared_with_gdp_growth(api, indicator, supervisor, leader, income, gdp, status):
    rural = indicator(RURAL_INCOME)
    assert _detail(api(leader), rural)["status"] == "not_assessed"
    observation_create(indicator=rural, actor=supervisor, period="2025-Q2", value=Decimal(income))
    before_gdp = _detail(api(leader), rural)
    assert before_gdp["status"] == "not_assessed"
    assert before_gdp["status_reason"] == "地区生产总值暂无增速数据"
    observation_create(
        indicator=indicator(GDP), actor=supervisor, period="2025-Q2", value=Decimal(gdp)
    )
    detail = _detail(api(leader), rural)
    assert detail["status"] == status
    assert f"地区生产总值增速{gdp}%（2025-Q2）" in detail["status_reason"]
