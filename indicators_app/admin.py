"""Admin for the plan's indicators, their observations, corrections and judgements.

The indicator list shows the computed status, evaluated for the whole page at once
(indicator_assessments: constant queries). Observations, revisions and judgements are
read-only here: figures are written through the API services so that corrections keep
their history and permissions are checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from indicators_app.models import (
    AssessmentStatus,
    Indicator,
    IndicatorJudgement,
    Observation,
    ObservationRevision,
)
from indicators_app.selectors import indicator_assessments
from tasks_app.admin_readonly import RecordReadOnlyMixin


class AssessedChangeList(ChangeList):
    """Computes the statuses of the page's indicators in bulk after the page is fetched."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        assessments = indicator_assessments(self.result_list)
        for indicator in self.result_list:
            indicator.assessment = assessments[indicator.id]


class ObservationInline(RecordReadOnlyMixin, admin.TabularInline):
    model = Observation
    extra = 0
    fields = ["period", "value", "unit", "source", "reported_by", "verification_status"]
    readonly_fields = fields
    ordering = ["period_end", "id"]


class JudgementInline(RecordReadOnlyMixin, admin.TabularInline):
    model = IndicatorJudgement
    extra = 0
    fields = ["created_at", "status", "reason", "judged_by"]
    readonly_fields = fields


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "group",
        "target_text",
        "responsible_department",
        "frequency",
        "status_display",
    ]
    list_filter = ["category", "group", "frequency", "responsible_department"]
    list_select_related = ["responsible_department"]
    search_fields = ["code", "name"]
    inlines = [ObservationInline, JudgementInline]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return AssessedChangeList

    @admin.display(description=_("状态"))
    def status_display(self, indicator: Indicator) -> str:
        assessment = getattr(indicator, "assessment", None)
        if assessment is None:
            return "-"
        label = AssessmentStatus(assessment.status).label
        return f"{label}：{assessment.reason}"


class RevisionInline(RecordReadOnlyMixin, admin.TabularInline):
    model = ObservationRevision
    extra = 0
    fk_name = "observation"
    fields = ["created_at", "value", "unit", "reported_by", "corrected_by", "reason"]
    readonly_fields = fields


@admin.register(Observation)
class ObservationAdmin(RecordReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "indicator",
        "period",
        "value",
        "unit",
        "source",
        "reported_by",
        "verification_status",
        "updated_at",
    ]
    list_filter = ["verification_status", "indicator__category", "period"]
    list_select_related = ["indicator", "reported_by"]
    search_fields = ["indicator__name", "source"]
    inlines = [RevisionInline]


@admin.register(IndicatorJudgement)
class IndicatorJudgementAdmin(RecordReadOnlyMixin, admin.ModelAdmin):
    list_display = ["indicator", "status", "reason", "judged_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["indicator", "judged_by"]
