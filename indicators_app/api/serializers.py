"""Serializers of indicators_app's API: render indicators, observations, series; parse inputs.

Statuses are not read from the model: views pass `assessments` (indicator id → Assessment,
from indicators_app.selectors.indicator_assessments) in the serializer context.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators_app.api.openapi import NullableNested, nullable_object
from indicators_app.assessment import Assessment
from indicators_app.models import (
    AssessmentStatus,
    Indicator,
    IndicatorJudgement,
    Observation,
    ObservationRevision,
)

# Any precision in, stored values out unchanged (checks and rounding are in the services).
NUMBER = {"max_digits": None, "decimal_places": None, "coerce_to_string": False}


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user.display_name or user.username


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    comparator = serializers.CharField(source="target_comparator")
    value = serializers.DecimalField(source="target_value", allow_null=True, **NUMBER)
    unit = serializers.CharField(source="target_unit")
    text = serializers.CharField(source="target_text")
    is_growth_rate = serializers.BooleanField(source="target_is_growth_rate")


class BaselineSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="baseline_year", allow_null=True)
    value = serializers.DecimalField(source="baseline_value", allow_null=True, **NUMBER)
    unit = serializers.CharField(source="baseline_unit")
    text = serializers.CharField(source="baseline_text")
    growth_pct = serializers.DecimalField(source="baseline_growth_pct", allow_null=True, **NUMBER)


def has_baseline(indicator: Indicator) -> bool:
    return any(
        v is not None
        for v in (indicator.baseline_year, indicator.baseline_value, indicator.baseline_growth_pct)
    )


class RevisionSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(**NUMBER)
    reported_by = NullableNested(PersonSerializer)
    corrected_by = PersonSerializer()

    class Meta:
        model = ObservationRevision
        fields = [
            "id",
            "value",
            "unit",
            "source",
            "note",
            "verification_status",
            "reported_by",
            "reported_at",
            "corrected_by",
            "reason",
            "created_at",
        ]


class ObservationSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(**NUMBER)
    reported_value = serializers.DecimalField(allow_null=True, **NUMBER)
    reported_by = NullableNested(PersonSerializer)
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    verified_by = NullableNested(PersonSerializer)

    class Meta:
        model = Observation
        fields = [
            "id",
            "indicator",
            "period",
            "period_end",
            "value",
            "unit",
            "reported_value",
            "reported_unit",
            "source",
            "note",
            "reported_by",
            "verification_status",
            "verified",
            "verified_by",
            "verified_at",
            "verification_comment",
            "created_at",
            "updated_at",
        ]


class ObservationDetailSerializer(ObservationSerializer):
    """An observation with its correction history (earliest first)."""

    revisions = RevisionSerializer(many=True, read_only=True)

    class Meta(ObservationSerializer.Meta):
        fields = [*ObservationSerializer.Meta.fields, "revisions"]


class JudgementSerializer(serializers.ModelSerializer):
    judged_by = PersonSerializer()

    class Meta:
        model = IndicatorJudgement
        fields = ["id", "indicator", "status", "reason", "judged_by", "created_at"]


class IndicatorSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    baseline = serializers.SerializerMethodField()
    responsible_department = NullableNested(DepartmentRefSerializer)
    latest_observation = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    status_reason = serializers.SerializerMethodField()
    judgement = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "plan",
            "order",
            "name",
            "category",
            "group_no",
            "group",
            "unit",
            "target",
            "baseline",
            "latest_observation",
            "status",
            "status_reason",
            "judgement",
            "responsible_department",
            "frequency",
            "due_day",
            "updated_at",
        ]

    def _assessment(self, indicator: Indicator) -> Assessment:
        return self.context["assessments"][indicator.id]

    @extend_schema_field(TargetSerializer)
    def get_target(self, indicator: Indicator) -> dict[str, Any]:
        return TargetSerializer(indicator).data

    @extend_schema_field(nullable_object(BaselineSerializer))
    def get_baseline(self, indicator: Indicator) -> dict[str, Any] | None:
        return BaselineSerializer(indicator).data if has_baseline(indicator) else None

    @extend_schema_field(nullable_object(ObservationSerializer))
    def get_latest_observation(self, indicator: Indicator) -> dict[str, Any] | None:
        latest = self._assessment(indicator).latest
        return ObservationSerializer(latest).data if latest else None

    @extend_schema_field(serializers.ChoiceField(choices=AssessmentStatus.choices))
    def get_status(self, indicator: Indicator) -> str:
        return self._assessment(indicator).status

    def get_status_reason(self, indicator: Indicator) -> str:
        return self._assessment(indicator).reason

    @extend_schema_field(nullable_object(JudgementSerializer))
    def get_judgement(self, indicator: Indicator) -> dict[str, Any] | None:
        judgement = self._assessment(indicator).judgement
        return JudgementSerializer(judgement).data if judgement else None


class ObservationInputSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=20, help_text=_("2025、2025-Q1 或 2025-01"))
    value = serializers.DecimalField(**NUMBER)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text=_("更正已有期间数据时必填")
    )


class VerifyInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["verify", "question"])
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class JudgementInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    reason = serializers.CharField(max_length=2000)
