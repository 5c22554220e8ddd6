"""Resources under one task: progress reports, comments, attachments (and their files),
history and milestones (extension requests: tasks_extension_views.py). The parent task is
resolved once: 404 when the caller may not see it, whatever the method."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker import clock
from plantracker.api.idempotency import parse_then_create
from plantracker.api.sync import SyncCursorPagination, UpdatedSinceFilter
from tasks_app.api.permissions import WorkflowPermission, visible_task_or_404
from tasks_app.api.sync import SyncListMixin
from tasks_app.api.tasks_inputs import (
    AttachmentUploadSerializer,
    CommentCreateSerializer,
    MilestoneCreateSerializer,
    ProgressReportCreateSerializer,
    declare_errors,
)
from tasks_app.api.tasks_nested_serializers import (
    AttachmentSerializer,
    CommentSerializer,
    HistoryEventSerializer,
    ProgressReportSerializer,
    TaskMilestoneSerializer,
)
from tasks_app.models import Attachment, Milestone, Task, Tombstone
from tasks_app.workflow.selectors import (
    task_attachments,
    task_comments,
    task_history,
    task_milestones,
    task_progress_reports,
)
from tasks_app.workflow.services.attachments import (
    ALLOWED_TYPES,
    FileTooLarge,
    attachment_create,
    max_bytes,
)
from tasks_app.workflow.services.comments import comment_create
from tasks_app.workflow.services.milestones import milestone_complete, milestone_create
from tasks_app.workflow.services.progress_reports import KeyResultValue, progress_report_create

# Multipart framing around the file; a body larger than this plus the limit is refused
# before it is parsed.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class NewestFirstPagination(SyncCursorPagination):
    ordering = ("-id",)


class OldestFirstPagination(SyncCursorPagination):
    ordering = ("id",)


class TaskNestedMixin:
    """The parent task of a nested route, checked for visibility once per request."""

    request: Request
    kwargs: dict[str, Any]

    def get_task(self) -> Task:
        if not hasattr(self, "_task"):
            self._task = visible_task_or_404(self.request.user, self.kwargs["pk"])
        return self._task


class TaskNestedListView(TaskNestedMixin, SyncListMixin, ListAPIView):
    """A paginated, syncable list of one task's children (tombstones of this task only)."""

    filter_backends = [UpdatedSinceFilter]
    pagination_class = NewestFirstPagination

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no task
            return self.get_serializer_class().Meta.model.objects.none()
        return self.task_queryset(self.get_task())

    def task_queryset(self, task: Task) -> QuerySet:
        raise NotImplementedError

    def sync_tombstones(self) -> QuerySet[Tombstone]:
        return super().sync_tombstones().filter(task_id=self.get_task().pk)

    def created(self, data: Any) -> Response:
        return Response(data, status=status.HTTP_201_CREATED)


@declare_errors("progress_report")
class ProgressReportListView(TaskNestedListView):
    """GET the task's reports (newest first); POST one (Idempotency-Key honoured)."""

    permission_classes = [WorkflowPermission]

    serializer_class = ProgressReportSerializer
    parser_classes = [JSONParser]
    sync_resource = "progress_report"
    idempotency_key_methods = ("POST",)

    def task_queryset(self, task: Task) -> QuerySet:
        return task_progress_reports(task)

    @extend_schema(request=ProgressReportCreateSerializer, responses={201: serializer_class})
    def post(self, request: Request, pk: int) -> Response:
        task = self.get_task()

        def create(values: dict[str, Any]) -> Response:
            report = progress_report_create(
                task=task,
                actor=request.user,
                percent=values["percent"],
                narrative=values["narrative"],
                red_reason=values.get("red_reason", ""),
                values=[
                    KeyResultValue(v["key_result"], v["value"])
                    for v in values.get("key_result_values", [])
                ],
                attachment_ids=values.get("attachments", []),
                period=values.get("period"),
            )
            report = task_progress_reports(task).get(pk=report.pk)
            return self.created(ProgressReportSerializer(report, context={"request": request}).data)

        return parse_then_create(request, ProgressReportCreateSerializer, create)


@declare_errors("comment")
class CommentListView(TaskNestedListView):
    """GET the task's comments (newest first); POST one (Idempotency-Key honoured)."""

    permission_classes = [WorkflowPermission]
    serializer_class = CommentSerializer
    parser_classes = [JSONParser]
    sync_resource = "comment"
    idempotency_key_methods = ("POST",)

    def task_queryset(self, task: Task) -> QuerySet:
        return task_comments(task)

    @extend_schema(request=CommentCreateSerializer, responses={201: serializer_class})
    def post(self, request: Request, pk: int) -> Response:
        task = self.get_task()

        def create(values: dict[str, Any]) -> Response:
            comment = comment_create(task=task, actor=request.user, body=values["body"])
            return self.created(CommentSerializer(comment).data)

        return parse_then_create(request, CommentCreateSerializer, create)


@declare_errors("attachment")
class AttachmentListView(TaskNestedListView):
    """GET evidence; POST multipart `file` (413 too large, 415 not an allowed type)."""

    permission_classes = [WorkflowPermission]

    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser]
    sync_resource = "attachment"
    idempotency_key_methods = ("POST",)

    def task_queryset(self, task: Task) -> QuerySet:
        return task_attachments(task)

    @extend_schema(request=AttachmentUploadSerializer, responses={201: serializer_class})
    def post(self, request: Request, pk: int) -> Response:
        task = self.get_task()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes() + MULTIPART_OVERHEAD_BYTES:
            raise FileTooLarge.for_limit()

        def create(values: dict[str, Any]) -> Response:
            attachment = attachment_create(task=task, actor=request.user, upload=values["file"])
            return self.created(AttachmentSerializer(attachment, context={"request": request}).data)

        return parse_then_create(request, AttachmentUploadSerializer, create)


class AttachmentFileView(TaskNestedMixin, APIView):
    """The evidence file itself, to callers who may see the task."""

    # application/octet-stream first: the type generated clients read as bytes
    @extend_schema(
        responses={
            (200, mime): OpenApiTypes.BINARY
            for mime in ("application/octet-stream", *ALLOWED_TYPES)
        }
    )
    def get(self, request: Request, pk: int, aid: int) -> FileResponse:
        attachment = get_object_or_404(Attachment, pk=aid, task=self.get_task())
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class HistoryListView(TaskNestedListView):
    """The append-only audit trail, oldest first. Read-only: no path writes or deletes it."""

    serializer_class = HistoryEventSerializer
    pagination_class = OldestFirstPagination
    sync_resource = "history"
    sync_updated_field = "at"

    def task_queryset(self, task: Task) -> QuerySet:
        return task_history(task)


class MilestonePagination(SyncCursorPagination):
    ordering = ("due_date", "sequence")


@declare_errors("milestone")
class TaskMilestoneListView(TaskNestedListView):
    """GET the task's checkpoints by date; POST one (lead or supervisor, within the year)."""

    permission_classes = [WorkflowPermission]

    serializer_class = TaskMilestoneSerializer
    pagination_class = MilestonePagination
    parser_classes = [JSONParser]
    sync_resource = "milestone"
    idempotency_key_methods = ("POST",)

    def task_queryset(self, task: Task) -> QuerySet:
        return task_milestones(task, today=clock.today())

    @extend_schema(request=MilestoneCreateSerializer, responses={201: serializer_class})
    def post(self, request: Request, pk: int) -> Response:
        task = self.get_task()

        def create(values: dict[str, Any]) -> Response:
            milestone = milestone_create(task=task, actor=request.user, **values)
            return self.created(TaskMilestoneSerializer(self._annotated(milestone)).data)

        return parse_then_create(request, MilestoneCreateSerializer, create)

    def _annotated(self, milestone: Milestone) -> Milestone:
        return self.task_queryset(self.get_task()).get(pk=milestone.pk)


class MilestoneCompleteView(TaskNestedMixin, APIView):
    """Additive to the contract: confirm a non-final checkpoint is met."""

    permission_classes = [WorkflowPermission]

    @extend_schema(
        request=None,
        responses={200: TaskMilestoneSerializer, 409: OpenApiResponse(description="Not open.")},
    )
    def post(self, request: Request, pk: int, mid: int) -> Response:
        task = self.get_task()
        milestone = get_object_or_404(Milestone, pk=mid, task=task)
        milestone_complete(task=task, actor=request.user, milestone=milestone)
        row = task_milestones(task, today=clock.today()).get(pk=milestone.pk)
        return Response(TaskMilestoneSerializer(row).data)
