"""Serializers of indicators_app's API: render indicators, observations, series; parse inputs.

Statuses are not read from the model: views pass `assessments` (indicator id → Assessment,
from indicators_app.selectors.indicator_assessments) in the serializer context.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import cached_property
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


def _number(value: Any) -> Decimal | None:
    """What DecimalField(**NUMBER) renders: the stored decimal unchanged, None as None."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value).strip())


def target_data(indicator: Indicator) -> dict[str, Any]:
    """TargetSerializer(indicator).data as a plain dict (no serializer built per row)."""
    return {
        "comparator": str(indicator.target_comparator),
        "value": _number(indicator.target_value),
        "unit": str(indicator.target_unit),
        "text": str(indicator.target_text),
        "is_growth_rate": bool(indicator.target_is_growth_rate),
    }


def baseline_data(indicator: Indicator) -> dict[str, Any]:
    """BaselineSerializer(indicator).data as a plain dict (no serializer built per row)."""
    year = indicator.baseline_year
    return {
        "year": None if year is None else int(year),
        "value": _number(indicator.baseline_value),
        "unit": str(indicator.baseline_unit),
        "text": str(indicator.baseline_text),
        "growth_pct": _number(indicator.baseline_growth_pct),
    }


def person_data(user: Any) -> dict[str, Any] | None:
    """PersonSerializer(user).data as a plain dict; None for no user (as NullableNested)."""
    if user is None:
        return None
    return {"id": int(user.id), "name": user.display_name or user.username}


def department_data(department: Any) -> dict[str, Any] | None:
    """DepartmentRefSerializer(department).data as a plain dict; None for no department."""
    if department is None:
        return None
    return {"id": int(department.id), "code": str(department.code), "name": str(department.name)}


_DATE = serializers.DateField()  # stateless: its to_representation is reused


def _date(value: Any) -> str | None:
    return None if value is None else _DATE.to_representation(value)


def datetime_renderer() -> Callable[[Any], str | None]:
    """DateTimeField().to_representation (None stays None), the time zone looked up once.

    For rendering many rows within one request (the current time zone does not change).
    """
    tz = timezone.get_current_timezone() if settings.USE_TZ else None
    render = serializers.DateTimeField(default_timezone=tz).to_representation
    return lambda value: None if value is None else render(value)


def observation_data(
    obs: Observation, render_datetime: Callable[[Any], str | None] | None = None
) -> dict[str, Any]:
    """ObservationSerializer(obs).data as a plain dict, for lists (no serializer per row).

    Same keys in the same order as ObservationSerializer.Meta.fields (a test compares both).
    """
    _datetime = render_datetime or datetime_renderer()
    return {
        "id": int(obs.id),
        "indicator": obs.indicator_id,
        "period": str(obs.period),
        "period_end": _date(obs.period_end),
        "value": _number(obs.value),
        "unit": str(obs.unit),
        "reported_value": _number(obs.reported_value),
        "reported_unit": str(obs.reported_unit),
        "source": str(obs.source),
        "note": str(obs.note),
        "reported_by": person_data(obs.reported_by),
        "verification_status": obs.verification_status,
        "verified": bool(obs.is_verified),
        "verified_by": person_data(obs.verified_by),
        "verified_at": _datetime(obs.verified_at),
        "verification_comment": str(obs.verification_comment),
        "created_at": _datetime(obs.created_at),
        "updated_at": _datetime(obs.updated_at),
    }


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

    # Rendering is direct (see to_representation): nested objects are plain dicts or one
    # serializer per IndicatorSerializer (a list has one child), never a serializer per row.
    # The declared fields and get_* methods stay the contract (schema, tests compare both).

    @cached_property
    def _assessments(self) -> dict[int, Assessment]:
        return self.context["assessments"]

    @cached_property
    def _judgement_serializer(self) -> JudgementSerializer:
        return JudgementSerializer()

    @cached_property
    def _render_datetime(self) -> Callable[[Any], str | None]:
        return datetime_renderer()

    def _assessment(self, indicator: Indicator) -> Assessment:
        return self._assessments[indicator.id]

    def to_representation(self, instance: Indicator) -> dict[str, Any]:
        """What the declared fields render, in Meta.fields order, without DRF's per-field
        machinery (a page renders many rows; tests compare it with the generic rendering)."""
        assessment = self._assessment(instance)
        return {
            "id": int(instance.id),
            "code": str(instance.code),
            "plan": instance.plan_id,
            "order": int(instance.order),
            "name": str(instance.name),
            "category": instance.category,
            "group_no": int(instance.group_no),
            "group": str(instance.group),
            "unit": str(instance.unit),
            "target": self.get_target(instance),
            "baseline": self.get_baseline(instance),
            "latest_observation": self.get_latest_observation(instance),
            "status": assessment.status,
            "status_reason": assessment.reason,
            "judgement": self.get_judgement(instance),
            "responsible_department": department_data(instance.responsible_department),
            "frequency": instance.frequency,
            "due_day": int(instance.due_day),
            "updated_at": self._render_datetime(instance.updated_at),
        }

    @extend_schema_field(TargetSerializer)
    def get_target(self, indicator: Indicator) -> dict[str, Any]:
        return target_data(indicator)

    @extend_schema_field(nullable_object(BaselineSerializer))
    def get_baseline(self, indicator: Indicator) -> dict[str, Any] | None:
        return baseline_data(indicator) if has_baseline(indicator) else None

    @extend_schema_field(nullable_object(ObservationSerializer))
    def get_latest_observation(self, indicator: Indicator) -> dict[str, Any] | None:
        latest = self._assessment(indicator).latest
        return observation_data(latest, self._render_datetime) if latest else None

    @extend_schema_field(serializers.ChoiceField(choices=AssessmentStatus.choices))
    def get_status(self, indicator: Indicator) -> str:
        return self._assessment(indicator).status

    def get_status_reason(self, indicator: Indicator) -> str:
        return self._assessment(indicator).reason

    @extend_schema_field(nullable_object(JudgementSerializer))
    def get_judgement(self, indicator: Indicator) -> dict[str, Any] | None:
        judgement = self._assessment(indicator).judgement
        return self._judgement_serializer.to_representation(judgement) if judgement else None


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
