"""indicators_app.assessment: every comparator, growth rates, at-risk band, GDP sync, judgements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators_app.assessment import assess, compare
from indicators_app.models import Indicator, IndicatorJudgement, Observation

LIMITS = {"tolerance_pct": Decimal(2), "band_pct": Decimal(10)}


def _status(comparator: str, value: str, target: str) -> str:
    return compare(comparator, Decimal(value), Decimal(target), **LIMITS)[0]


@pytest.mark.parametrize(
    ("comparator", "target", "value", "expected"),
    [
        (">=", "40", "40", "on_track"),
        (">=", "40", "45", "on_track"),
        (">=", "40", "36.01", "at_risk"),  # 9.975 % short: inside the 10 % band
        (">=", "40", "36", "at_risk"),  # exactly 10 % short: still in the band
        (">=", "40", "35.99", "off_track"),
        ("<=", "5", "5", "on_track"),
        ("<=", "5", "3.2", "on_track"),
        ("<=", "5", "5.4", "at_risk"),
        ("<=", "5", "5.6", "off_track"),
        ("=", "100", "100", "on_track"),
        ("=", "100", "95", "at_risk"),
        ("=", "100", "105", "at_risk"),
        ("=", "100", "111", "off_track"),
        ("~", "100", "102", "on_track"),  # within the 2 % tolerance
        ("~", "100", "98", "on_track"),
        ("~", "100", "110", "at_risk"),  # 10 % off = tolerance 2 + 8 of the band
        ("~", "100", "88", "at_risk"),  # 12 % off = 2 + 10: the band's edge
        ("~", "100", "87", "off_track"),  # 13 % off > 2 + 10
        (">=", "0", "-0.05", "at_risk"),  # zero threshold: measured against 1 unit
        (">=", "0", "-0.2", "off_track"),
    ],
)
def test_compare_every_comparator(comparator: str, target: str, value: str, expected: str) -> None:
    assert _status(comparator, value, target) == expected


def test_band_and_tolerance_come_from_the_arguments() -> None:
    wide = {"tolerance_pct": Decimal(5), "band_pct": Decimal(30)}
    assert compare(">=", Decimal(30), Decimal(40), **wide)[0] == "at_risk"
    assert compare("~", Decimal(105), Decimal(100), **wide)[0] == "on_track"
    narrow = {"tolerance_pct": Decimal(0), "band_pct": Decimal(1)}
    assert compare(">=", Decimal("39.5"), Decimal(40), **narrow)[0] == "off_track"


def _indicator(**fields) -> Indicator:
    defaults = {
        "id": 1,
        "plan_id": 1,
        "name": "x",
        "target_comparator": ">=",
        "target_value": Decimal(40),
        "target_unit": "%",
        "target_text": "达到40%",
        "target_is_growth_rate": False,
    }
    return Indicator(**{**defaults, **fields})


def _obs(value: str, period: str = "2025-Q2", unit: str = "%") -> Observation:
    return Observation(
        period=period, period_end=dt.date(2025, 6, 30), value=Decimal(value), unit=unit
    )


def test_no_observation_is_not_assessed() -> None:
    result = assess(_indicator(), latest=None, **LIMITS)
    assert result.status == "not_assessed"
    assert result.reason == "暂无数据"


def test_numeric_reason_names_value_period_and_target() -> None:
    result = assess(_indicator(), latest=_obs("37"), **LIMITS)
    assert result.status == "at_risk"
    assert "37%" in result.reason and "2025-Q2" in result.reason and ">=40%" in result.reason
    assert "7.5%" in result.reason  # the miss, relative to the threshold


def test_growth_rate_target_compares_the_reported_growth() -> None:
    gdp = _indicator(
        name="地区生产总值",
        target_value=Decimal(5),
        target_text="增长5%",
        target_is_growth_rate=True,
    )
    assert assess(gdp, latest=_obs("5.3"), **LIMITS).status == "on_track"
    at_risk = assess(gdp, latest=_obs("4.6"), **LIMITS)
    assert at_risk.status == "at_risk"  # 8 % short of 5
    assert at_risk.reason.startswith("增速4.6%")
    assert assess(gdp, latest=_obs("4.4"), **LIMITS).status == "off_track"  # 12 % short


def _income() -> Indicator:
    return _indicator(
        id=17, name="城镇居民人均可支配收入", target_comparator="qualitative",
        target_value=None, target_unit="", target_text="与经济增长基本同步",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("income", "gdp", "expected"),
    [
        ("5.2", "5.0", "on_track"),
        ("4.9", "5.0", "on_track"),  # threshold = 5 − 2 % of 5 = 4.9
        ("4.5", "5.0", "at_risk"),  # 8.2 % below 4.9
        ("4.3", "5.0", "off_track"),  # 12.2 % below 4.9
        ("-1.0", "-1.5", "on_track"),  # a shrinking economy: income shrinks less
    ],
)
def test_gdp_relative_income_target(income: str, gdp: str, expected: str) -> None:
    result = assess(_income(), latest=_obs(income), gdp_latest=_obs(gdp, "2025-Q1"), **LIMITS)
    assert result.status == expected
    assert "地区生产总值增速" in result.reason and "2025-Q1" in result.reason


def test_gdp_relative_needs_both_figures() -> None:
    assert assess(_income(), latest=None, gdp_latest=_obs("5"), **LIMITS).status == "not_assessed"
    missing_gdp = assess(_income(), latest=_obs("5"), gdp_latest=None, **LIMITS)
    assert missing_gdp.status == "not_assessed"
    assert missing_gdp.reason == "地区生产总值暂无增速数据"


def _qualitative() -> Indicator:
    return _indicator(
        target_comparator="qualitative", target_value=None, target_unit="", target_text="稳步增长"
    )


def test_qualitative_target_takes_the_judgement_with_its_reason() -> None:
    judgement = IndicatorJudgement(status="at_risk", reason="前三季度增速放缓")
    result = assess(_qualitative(), latest=_obs("3"), judgement=judgement, **LIMITS)
    assert (result.status, result.reason) == ("at_risk", "前三季度增速放缓")
    assert result.judgement is judgement


def test_qualitative_without_judgement_is_not_assessed_even_with_figures() -> None:
    result = assess(_qualitative(), latest=_obs("3"), judgement=None, **LIMITS)
    assert result.status == "not_assessed"
    assert result.reason == "定性目标，待督查室研判"
