"""Assessment of one indicator against its target: on_track / at_risk / off_track / not_assessed.

Computed on every read from the latest observation, never stored as truth. Rules:
- No observation → not_assessed (except qualitative targets, judged by a supervisor).
- Numeric targets (comparator >=, <=, =, ~) compare the latest value T being the target:
    >=  on_track when value ≥ T;   <=  on_track when value ≤ T;
    =   on_track when value = T;   ~   on_track when |value − T| ≤ TOLERANCE % of |T|.
  Otherwise the miss is measured relative to the threshold (|T|, or 1 when T is 0):
  within AT_RISK_BAND % of it on the wrong side → at_risk, beyond → off_track.
  For ~ the threshold is T ± TOLERANCE %, so at_risk up to TOLERANCE + BAND %.
- Growth-rate targets (target_is_growth_rate, e.g. 地区生产总值增长5%): an observation of such
  an indicator IS the year-on-year growth in % (unit "%"), compared with the rules above.
- "与经济增长基本同步" (the two income indicators): observations are growth in %, compared
  with the latest growth of the plan's 地区生产总值: threshold = GDP growth − TOLERANCE % of
  |GDP growth|; on_track at or above it, at_risk within BAND % below it, else off_track;
  not_assessed when either figure is missing.
- Other qualitative targets (稳步增长, 达到市级要求, 进一步提升): the latest supervisor
  judgement's status and reason (no observation needed), else not_assessed.
TOLERANCE and AT_RISK_BAND are PLANTRACKER["INDICATOR_TOLERANCE_PCT"] and
["INDICATOR_AT_RISK_BAND_PCT"] (relative percentages).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from indicators_app.models import AssessmentStatus

if TYPE_CHECKING:
    from indicators_app.models import Indicator, IndicatorJudgement, Observation

GDP_INDICATOR_NAME = "地区生产总值"
GDP_SYNC_MARK = "与经济增长"  # "…与经济增长基本同步"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Assessment:
    """Status of one indicator with a human (Chinese) reason and what it was based on."""

    status: str
    reason: str
    latest: Observation | None = None
    judgement: IndicatorJudgement | None = None
    reference: Observation | None = None  # the GDP figure a sync target was compared with


def is_gdp_sync(indicator: Indicator) -> bool:
    return GDP_SYNC_MARK in indicator.target_text and "同步" in indicator.target_text


def is_growth_measured(indicator: Indicator) -> bool:
    """Observations of this indicator are year-on-year growth in %."""
    return indicator.target_is_growth_rate or is_gdp_sync(indicator)


def is_judged(indicator: Indicator) -> bool:
    """Qualitative targets assessed by a supervisor's judgement (not GDP-relative)."""
    return indicator.target_comparator == "qualitative" and not is_gdp_sync(indicator)


def fmt(value: Decimal | None) -> str:
    """A decimal without trailing zeros: 5.2000 → "5.2", 40.0000 → "40"."""
    if value is None:
        return "-"
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _miss_pct(miss: Decimal, threshold: Decimal) -> Decimal:
    return miss / (abs(threshold) or Decimal(1)) * HUNDRED


def compare(
    comparator: str, value: Decimal, target: Decimal, *, tolerance_pct: Decimal, band_pct: Decimal
) -> tuple[str, Decimal]:
    """(status, miss in % of the threshold) of `value` against `comparator target`."""
    if comparator == ">=":
        miss = _miss_pct(target - value, target)
    elif comparator == "<=":
        miss = _miss_pct(value - target, target)
    elif comparator == "~":
        miss = _miss_pct(abs(value - target), target) - tolerance_pct
    else:  # "="
        miss = _miss_pct(abs(value - target), target)
    if miss <= 0:
        return AssessmentStatus.ON_TRACK.value, Decimal(0)
    if miss <= band_pct:
        return AssessmentStatus.AT_RISK.value, miss
    return AssessmentStatus.OFF_TRACK.value, miss


def _status_phrase(status: str, miss: Decimal) -> str:
    if status == AssessmentStatus.ON_TRACK:
        return _("达到目标")
    if status == AssessmentStatus.AT_RISK:
        return _("未达目标，偏差%(miss)s%%，处于预警区间") % {"miss": fmt(round(miss, 1))}
    return _("未达目标，偏差%(miss)s%%") % {"miss": fmt(round(miss, 1))}


def _assess_numeric(ind: Indicator, latest: Observation, **limits: Decimal) -> Assessment:
    status, miss = compare(ind.target_comparator, latest.value, ind.target_value, **limits)
    unit = ind.target_unit or latest.unit
    params: dict[str, Any] = {
        "label": _("增速") if ind.target_is_growth_rate else _("最新值"),
        "value": fmt(latest.value),
        "unit": latest.unit,
        "period": latest.period,
        "target": f"{ind.target_comparator}{fmt(ind.target_value)}{unit}",
        "verdict": _status_phrase(status, miss),
    }
    reason = _("%(label)s%(value)s%(unit)s（%(period)s），目标%(target)s，%(verdict)s") % params
    return Assessment(status, reason, latest=latest)


def _assess_gdp_sync(
    ind: Indicator, latest: Observation, gdp: Observation | None, **limits: Decimal
) -> Assessment:
    if gdp is None:
        return Assessment(
            AssessmentStatus.NOT_ASSESSED.value, _("地区生产总值暂无增速数据"), latest=latest
        )
    threshold = gdp.value - abs(gdp.value) * limits["tolerance_pct"] / HUNDRED
    status, miss = compare(">=", latest.value, threshold, **limits)
    params = {
        "value": fmt(latest.value),
        "period": latest.period,
        "gdp": fmt(gdp.value),
        "gdp_period": gdp.period,
        "verdict": _("与经济增长基本同步")
        if status == AssessmentStatus.ON_TRACK
        else _status_phrase(status, miss),
    }
    reason = _(
        "增速%(value)s%%（%(period)s），地区生产总值增速%(gdp)s%%（%(gdp_period)s），%(verdict)s"
    )
    return Assessment(status, reason % params, latest=latest, reference=gdp)


def assess(
    indicator: Indicator,
    *,
    latest: Observation | None,
    judgement: IndicatorJudgement | None = None,
    gdp_latest: Observation | None = None,
    tolerance_pct: Decimal,
    band_pct: Decimal,
) -> Assessment:
    """Assess one indicator from its latest observation (and judgement / GDP figure)."""
    if is_judged(indicator):
        if judgement is None or judgement.status == AssessmentStatus.NOT_ASSESSED:
            reason = judgement.reason if judgement else _("定性目标，待督查室研判")
            return Assessment(
                AssessmentStatus.NOT_ASSESSED.value, reason, latest=latest, judgement=judgement
            )
        return Assessment(judgement.status, judgement.reason, latest=latest, judgement=judgement)
    if latest is None:
        return Assessment(AssessmentStatus.NOT_ASSESSED.value, _("暂无数据"))
    limits = {"tolerance_pct": tolerance_pct, "band_pct": band_pct}
    if is_gdp_sync(indicator):
        return _assess_gdp_sync(indicator, latest, gdp_latest, **limits)
    if indicator.target_value is None:
        return Assessment(AssessmentStatus.NOT_ASSESSED.value, _("目标无数值"), latest=latest)
    return _assess_numeric(indicator, latest, **limits)
