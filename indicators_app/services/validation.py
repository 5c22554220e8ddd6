"""Checks of a reported figure; each failure is a 400 naming the field (period, value, unit).

- period: "2025", "2025-Q1".."Q4" or "2025-01".."12", in the plan year, already ended
  (its last day is before today, Asia/Shanghai: a period ends at the close of its last
  day, so on 2025-06-30 "2025-06" and "2025-Q2" are still in the future) — see
  indicators_app.periods.
- unit: empty means the indicator's unit; otherwise it must be the indicator's unit or
  convert to it (indicators_app.units). Growth-measured indicators (growth-rate targets
  and 与经济增长基本同步) take growth in "%", whatever their nominal unit.
- value: a finite number; stored in the indicator's unit rounded to 4 decimal places.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from indicators_app.assessment import is_growth_measured
from indicators_app.models import Indicator
from indicators_app.periods import Period, PeriodError, parse_period
from indicators_app.units import Converted, UnitError, convert, is_known, normalize_unit
from plantracker.errors import ValidationError

STORED_PLACES = Decimal("0.0001")
MAX_ABS_VALUE = Decimal(10) ** 20  # Observation.value: 24 digits, 4 after the point
REPORTED_PLACES = 10  # Observation.reported_value keeps the figure as given, to 10 places
GROWTH_UNIT = "%"


def _too_large(value: Decimal) -> bool:
    """|value| ≥ MAX_ABS_VALUE, decided from the exponent: abs() of 1E+999999999 rounds to
    the decimal context and raises decimal.Overflow (a 500 before). Also true for a
    non-zero value below REPORTED_PLACES' last place (1E-999999999: PostgreSQL refused it
    with "value overflows numeric format", a 500; stored it would silently become 0)."""
    if value == 0:
        return False
    return value.adjusted() >= MAX_ABS_VALUE.adjusted() or value.adjusted() < -REPORTED_PLACES


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [message]}, code=code)


def clean_period(indicator: Indicator, text: str, *, today: dt.date) -> Period:
    try:
        period = parse_period(text)
    except PeriodError:
        raise _invalid("period", _("期间格式应为 YYYY、YYYY-Q1…YYYY-Q4 或 YYYY-MM。")) from None
    year = indicator.plan.year
    if period.year != year:
        raise _invalid("period", _("期间须在计划年度（%(year)s年）内。") % {"year": year})
    if period.end >= today:
        message = _("期间尚未结束（%(end)s结束），不能报送。") % {"end": period.end.isoformat()}
        raise _invalid("period", message, code="future")
    return period


def observation_unit(indicator: Indicator) -> str:
    """The unit observations of this indicator are stored in."""
    return GROWTH_UNIT if is_growth_measured(indicator) else normalize_unit(indicator.unit)


def clean_value(indicator: Indicator, value: Decimal, unit: str | None) -> Converted:
    """The value in the indicator's unit, rounded for storage; 400 on unit or range errors."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise _invalid("value", _("请填写有效的数值。"))
    if _too_large(value):  # also bounds Observation.reported_value
        raise _invalid("value", _("数值超出范围。"), code="out_of_range")
    target = observation_unit(indicator)
    given = normalize_unit(unit or "")
    if given and not is_known(given) and given != target:
        raise _invalid("unit", _("未知单位“%(unit)s”。") % {"unit": unit}, code="unknown_unit")
    try:
        converted = convert(value, given, target)
    except UnitError:
        message = _("单位“%(unit)s”无法换算为该指标的单位“%(target)s”。") % {
            "unit": unit,
            "target": target or _("（无）"),
        }
        raise _invalid("unit", message, code="unit_mismatch") from None
    if _too_large(converted.value):
        raise _invalid("value", _("数值超出范围。"), code="out_of_range")
    return Converted(converted.value.quantize(STORED_PLACES, ROUND_HALF_UP), converted.unit)
