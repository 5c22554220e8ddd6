"""The list's direct rendering (plain dicts, no serializer per row) equals DRF's generic one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from indicators_app.api.serializers import (
    BaselineSerializer,
    DepartmentRefSerializer,
    IndicatorSerializer,
    ObservationSerializer,
    TargetSerializer,
    baseline_data,
    department_data,
    has_baseline,
    observation_data,
    target_data,
)
from indicators_app.selectors import indicator_assessments, indicator_list
from indicators_app.services import indicator_judge, observation_create, observation_verify
from tests.indicators_app.conftest import GDP, PM25, RECYCLING, REVENUE, URBAN_INCOME

pytestmark = pytest.mark.django_db


def _json(data: object) -> bytes:
    return JSONRenderer().render(data)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_direct_rendering_matches_the_declared_fields(plan, indicator, supervisor, language):
    gdp = observation_create(
        indicator=indicator(GDP), actor=supervisor, period="2025-Q1", value=Decimal("5.1")
    ).observation
    observation_verify(observation=gdp, actor=supervisor, action="verify", comment="ok")
    for name, value in [(URBAN_INCOME, "5.3"), (RECYCLING, "38.5"), (PM25, "30")]:
        observation_create(
            indicator=indicator(name), actor=supervisor, period="2025-Q1", value=Decimal(value)
        )
    indicator_judge(
        indicator=indicator(REVENUE), actor=supervisor, status="on_track", reason="同比增长6%"
    )
    indicators = list(indicator_list())
    with translation.override(language):
        assessments = indicator_assessments(indicators)
        context = {"assessments": assessments}
        serializer = IndicatorSerializer(indicators, many=True, context=context)
        direct = _json(serializer.data)
        child = serializer.child
        generic = _json([serializers.Serializer.to_representation(child, i) for i in indicators])
        assert direct == generic
        latest = [a.latest for a in assessments.values() if a.latest is not None]
        assert len(latest) == 4 and any(o.verified_by_id for o in latest)
        assert any(a.judgement for a in assessments.values())
        for obs in latest:
            assert _json(observation_data(obs)) == _json(ObservationSerializer(obs).data)
        for item in indicators:
            assert _json(target_data(item)) == _json(TargetSerializer(item).data)
            if has_baseline(item):
                assert _json(baseline_data(item)) == _json(BaselineSerializer(item).data)
            department = item.responsible_department
            expected = DepartmentRefSerializer(department).data if department else None
            assert _json(department_data(department)) == _json(expected)
