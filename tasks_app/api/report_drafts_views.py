"""Report drafts over REST: a department's staff save drafts of a task's progress report
(seen only by that department), and the department's lead submits one, edited or not.

GET/POST /tasks/{id}/progress-reports/drafts/
POST     /tasks/{id}/progress-reports/drafts/{draft}/submit/  → 201, the report in effect
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker.errors import NotFound
from tasks_app.api.permissions import WorkflowPermission, visible_task_or_404
from tasks_app.api.tasks_inputs import ProgressReportCreateSerializer, declare_errors
from tasks_app.api.tasks_nested_serializers import ProgressReportSerializer
from tasks_app.api.tasks_serializers import DepartmentBriefSerializer, NullableUserField
from tasks_app.models import ReportDraft
from tasks_app.workflow.selectors import task_progress_reports
from tasks_app.workflow.services.progress_reports import KeyResultValue
from tasks_app.workflow.services.report_drafts import (
    DraftChanges,
    report_draft_create,
    report_draft_submit,
    report_drafts_visible_to,
)


class DraftValueSerializer(serializers.Serializer):
    key_result = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=False)


class ReportDraftSerializer(serializers.ModelSerializer):
    """A draft as its department sees it; `report` is the submitted report, once filed."""

    author = NullableUserField()
    submitted_by = NullableUserField()
    department = DepartmentBriefSerializer(read_only=True)
    key_result_values = DraftValueSerializer(many=True, read_only=True)
    attachments = serializers.ListField(
        source="attachment_ids", child=serializers.IntegerField(), read_only=True
    )
    period = serializers.CharField(
        read_only=True, help_text="YYYY-MM, or empty: the period is decided on submission."
    )

    class Meta:
        model = ReportDraft
        fields = [
            "id",
            "task",
            "department",
            "author",
            "period",
            "percent",
            "narrative",
            "red_reason",
            "key_result_values",
            "attachments",
            "status",
            "report",
            "submitted_by",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReportDraftSubmitSerializer(ProgressReportCreateSerializer):
    """Every field optional: what is given replaces the draft's value in the report."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


def _values(data: dict[str, Any]) -> list[KeyResultValue] | None:
    if "key_result_values" not in data:
        return None
    return [KeyResultValue(v["key_result"], v["value"]) for v in data["key_result_values"]]


@declare_errors("progress_report")
class ReportDraftListView(APIView):
    """GET the drafts of the caller's departments on this task (newest first; none for
    callers outside the task's departments); POST one (lead or co-department members)."""

    permission_classes = [WorkflowPermission]
    parser_classes = [JSONParser]

    @extend_schema(responses=ReportDraftSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        drafts = report_drafts_visible_to(request.user, task)
        return Response(ReportDraftSerializer(drafts, many=True).data)

    @extend_schema(request=ProgressReportCreateSerializer, responses={201: ReportDraftSerializer})
    def post(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        data = ProgressReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        draft = report_draft_create(
            task=task,
            actor=request.user,
            percent=values["percent"],
            narrative=values["narrative"],
            red_reason=values.get("red_reason", ""),
            values=_values(values) or [],
            attachment_ids=values.get("attachments", []),
            period=values.get("period"),
        )
        return Response(ReportDraftSerializer(draft).data, status=status.HTTP_201_CREATED)


@declare_errors("progress_report")
class ReportDraftSubmitView(APIView):
    """The department's lead files the draft as its report; body fields (all optional)
    replace the draft's values. 409 `draft_submitted` when already filed."""

    permission_classes = [WorkflowPermission]
    parser_classes = [JSONParser]

    @extend_schema(request=ReportDraftSubmitSerializer, responses={201: ProgressReportSerializer})
    def post(self, request: Request, pk: int, did: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        draft = report_drafts_visible_to(request.user, task).filter(pk=did).first()
        if draft is None:
            raise NotFound()
        data = ReportDraftSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        report = report_draft_submit(
            draft=draft,
            actor=request.user,
            changes=DraftChanges(
                percent=given.get("percent"),
                narrative=given.get("narrative"),
                red_reason=given.get("red_reason"),
                values=_values(given),
                attachment_ids=given.get("attachments"),
                period=given.get("period"),
            ),
        )
        report = task_progress_reports(task).get(pk=report.pk)
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)
