"""GET /indicators/{id}/series/: baseline, target line and observations, ready to plot.

- measure: "growth_pct" when observations are year-on-year growth in % (growth-rate and
  与经济增长基本同步 targets), else "value" (in `unit`).
- baseline_point: last year's figure in the series' measure (the baseline growth for
  growth series, else the baseline value converted to the series unit), dated Dec 31.
- target_line: two points (Jan 1 and Dec 31 of the plan year) at the target value; empty
  for qualitative and GDP-relative targets, whose reference is the GDP growth series.
- points: observations ordered by period end, then id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from indicators_app.api.openapi import NullableNested
from indicators_app.api.serializers import (
    NUMBER,
    BaselineSerializer,
    TargetSerializer,
    has_baseline,
)
from indicators_app.assessment import is_growth_measured
from indicators_app.models import AssessmentStatus, Indicator, Observation
from indicators_app.selectors import Series
from indicators_app.services.validation import observation_unit
from indicators_app.units import UnitError, convert


class PointSerializer(serializers.Serializer):
    period = serializers.CharField()
    period_end = serializers.DateField()
    value = serializers.DecimalField(**NUMBER)
    unit = serializers.CharField()
    verification_status = serializers.CharField(required=False)


class LinePointSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.DecimalField(**NUMBER)


class ReferenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    points = PointSerializer(many=True)


class SeriesIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    frequency = serializers.CharField()


class SeriesSerializer(serializers.Serializer):
    indicator = SeriesIndicatorSerializer()
    measure = serializers.ChoiceField(choices=["growth_pct", "value"])
    unit = serializers.CharField()
    target = TargetSerializer(source="indicator_obj")
    target_line = LinePointSerializer(many=True)
    baseline = NullableNested(BaselineSerializer, source="baseline_obj")
    baseline_point = NullableNested(LinePointSerializer)
    points = PointSerializer(many=True)
    reference = NullableNested(ReferenceSerializer)
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    status_reason = serializers.CharField()


def _point(obs: Observation) -> dict[str, Any]:
    return {
        "period": obs.period,
        "period_end": obs.period_end,
        "value": obs.value,
        "unit": obs.unit,
        "verification_status": obs.verification_status,
    }


def _baseline_value(indicator: Indicator, unit: str) -> Decimal | None:
    if is_growth_measured(indicator):
        return indicator.baseline_growth_pct
    if indicator.baseline_value is None:
        return None
    try:
        return convert(indicator.baseline_value, indicator.baseline_unit, unit).value
    except UnitError:
        return None


def _baseline_point(indicator: Indicator, unit: str) -> dict[str, Any] | None:
    value = _baseline_value(indicator, unit)
    if value is None or indicator.baseline_year is None:
        return None
    return {"date": dt.date(indicator.baseline_year, 12, 31), "value": value}


def _target_line(indicator: Indicator, year: int) -> list[dict[str, Any]]:
    if indicator.target_comparator == "qualitative" or indicator.target_value is None:
        return []
    value = indicator.target_value
    return [
        {"date": dt.date(year, 1, 1), "value": value},
        {"date": dt.date(year, 12, 31), "value": value},
    ]


def series_payload(series: Series) -> dict[str, Any]:
    """The series as a plain dict for SeriesSerializer."""
    ind = series.indicator
    unit = observation_unit(ind)
    reference = None
    if series.reference_name:
        reference = {
            "name": series.reference_name,
            "points": [_point(o) for o in series.reference_points],
        }
    return {
        "indicator": {"id": ind.id, "code": ind.code, "name": ind.name, "frequency": ind.frequency},
        "measure": "growth_pct" if is_growth_measured(ind) else "value",
        "unit": unit,
        "indicator_obj": ind,
        "target_line": _target_line(ind, ind.plan.year),
        "baseline_obj": ind if has_baseline(ind) else None,
        "baseline_point": _baseline_point(ind, unit),
        "points": [_point(o) for o in series.points],
        "reference": reference,
        "status": series.assessment.status,
        "status_reason": series.assessment.reason,
    }
