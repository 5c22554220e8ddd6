"""Output serializers of the resources nested under a task."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tasks_app.api.enums import HistoryAction
from tasks_app.api.file_urls import (
    absolute,
    attachment_json,
    signed_file_url,
    signed_thumbnail_url,
)
from tasks_app.api.task_embed_schemas import EMBEDDED_ATTACHMENT_SCHEMA
from tasks_app.api.tasks_serializers import (
    DepartmentBriefSerializer,
    NullableUserField,
    UserBriefSerializer,
)
from tasks_app.models import (
    Attachment,
    Comment,
    ExtensionRequest,
    HistoryEvent,
    Milestone,
    ProgressReport,
    ProgressReportValue,
    SupervisionNotice,
)
from tasks_app.supervision.timeline import is_prominent


class ReportValueSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=False)

    class Meta:
        model = ProgressReportValue
        fields = ["key_result", "value"]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer):
    """`moves_task`: a lead-department report (it set the task's progress and actuals);
    false for a co-department's report of its part."""

    author = UserBriefSerializer(read_only=True)
    department = DepartmentBriefSerializer(read_only=True)
    key_result_values = ReportValueSerializer(source="values", many=True, read_only=True)
    attachments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attachment_files = serializers.SerializerMethodField(
        help_text="The attachments embedded, with their links (same order as `attachments`)."
    )
    moves_task = serializers.BooleanField(read_only=True)
    drafted_by = NullableUserField(help_text="The staff member whose draft this report is.")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "period",
            "percent",
            "narrative",
            "red_reason",
            "department",
            "author",
            "drafted_by",
            "moves_task",
            "key_result_values",
            "attachments",
            "attachment_files",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": EMBEDDED_ATTACHMENT_SCHEMA})
    def get_attachment_files(self, report: ProgressReport) -> list[dict]:
        request = self.context.get("request")
        return [attachment_json(a, request) for a in report.attachments.all()]


class CommentSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "task", "author", "body", "created_at", "updated_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    """Evidence; `download_url` serves the file to callers who may see the task (with the
    Authorization header); `file_url` and `thumbnail_url` are short-lived signed links an
    image loader fetches without it (tasks_app/workflow/file_links.py)."""

    uploaded_by = UserBriefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField(
        help_text="Signed link to the file, valid for SIGNED_FILE_URL_MAX_AGE_SECONDS."
    )
    thumbnail_url = serializers.SerializerMethodField(
        help_text="Signed link to a PNG thumbnail (images only; null for other files)."
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "task",
            "report",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "download_url",
            "file_url",
            "thumbnail_url",
            "uploaded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment: Attachment) -> str:
        path = reverse(
            "task-attachment-file", kwargs={"pk": attachment.task_id, "aid": attachment.pk}
        )
        return absolute(self.context.get("request"), path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_file_url(self, attachment: Attachment) -> str:
        return signed_file_url(self.context.get("request"), attachment.pk)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail_url(self, attachment: Attachment) -> str | None:
        return signed_thumbnail_url(
            self.context.get("request"), attachment.pk, attachment.content_type
        )


class HistoryEventSerializer(serializers.ModelSerializer):
    """One append-only audit row: who, when, what (action, field), from → to, why."""

    actor = NullableUserField()
    action = serializers.ChoiceField(choices=HistoryAction.choices, read_only=True)
    from_value = serializers.JSONField(read_only=True)
    to_value = serializers.JSONField(read_only=True)
    prominent = serializers.SerializerMethodField(
        help_text="A leader instruction (领导批示) or its response: to show highlighted."
    )

    class Meta:
        model = HistoryEvent
        fields = [
            "id",
            "task",
            "at",
            "actor",
            "action",
            "field",
            "from_value",
            "to_value",
            "reason",
            "prominent",
        ]
        read_only_fields = fields

    def get_prominent(self, event: HistoryEvent) -> bool:
        return is_prominent(event.action)


class ExtensionRequestSerializer(serializers.ModelSerializer):
    requested_by = UserBriefSerializer(read_only=True)
    decided_by = NullableUserField()

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "task",
            "milestone",
            "old_due_date",
            "new_due_date",
            "reason",
            "is_late",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TaskMilestoneSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "task",
            "sequence",
            "title",
            "due_date",
            "original_due_date",
            "is_final",
            "completed_at",
            "is_overdue",
            "updated_at",
        ]
        read_only_fields = fields


class SupervisionNoticeSerializer(serializers.ModelSerializer):
    """催办 (kind urge) or 督办单 (kind notice) recorded against the lead department."""

    department = DepartmentBriefSerializer(read_only=True)
    issued_by = NullableUserField()
    answered_by = NullableUserField()

    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "task",
            "department",
            "kind",
            "reason",
            "issued_by",
            "created_at",
            # Additive: the notice's life (督办单 answered, accepted or sent back).
            "status",
            "respond_by",
            "answer",
            "answer_attachments",
            "answered_by",
            "answered_at",
            "review_comment",
            "closed_at",
        ]
        read_only_fields = fields
