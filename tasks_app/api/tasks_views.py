"""Tasks: list, detail (ETag), PATCH, transitions, urge, and the supervision overdue list.

Thin: parse with an input serializer, call a selector or a service, render. Visibility is
a 404 (selectors.tasks_visible_to); what a visible caller may do is a 403 from services.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker import clock
from plantracker.api.concurrency import ETagRetrieveMixin, etag_for, if_match_header
from plantracker.api.filtering import FilterBackend
from plantracker.api.idempotency import parse_then_create
from plantracker.api.pagination import StandardCursorPagination
from plantracker.api.search import SearchFilter
from plantracker.api.sync import StableOrderingFilter, UpdatedSinceFilter, sync_cutoff
from tasks_app.api.permissions import WorkflowPermission, visible_task_or_404
from tasks_app.api.sync import SyncListMixin
from tasks_app.api.task_embeds import screen_digest
from tasks_app.api.tasks_filters import TaskFilter
from tasks_app.api.tasks_inputs import (
    TaskPatchSerializer,
    TransitionSerializer,
    UrgeSerializer,
    declare_errors,
)
from tasks_app.api.tasks_nested_serializers import SupervisionNoticeSerializer
from tasks_app.api.tasks_serializers import (
    SCREEN_FIELDS,
    OverdueItemSerializer,
    TaskDetailSerializer,
    TaskSerializer,
)
from tasks_app.models import Task, TaskStatus
from tasks_app.org.tombstones import tasks_left_view_since, tasks_withdrawn_since
from tasks_app.supervision.urge import task_urge
from tasks_app.workflow.selectors import overdue_items, task_visible_or_404, tasks_for_api
from tasks_app.workflow.services.task_transition import task_transition
from tasks_app.workflow.services.task_update import task_update

TASK_FILTER_BACKENDS = [FilterBackend, SearchFilter, StableOrderingFilter, UpdatedSinceFilter]


# A task's representation changes with the day (flag, expected progress, report status)
# even when nothing is written, and with what the detail embeds (a co-department's
# report, a 督办单's answer) without the version moving; so its ETag carries the day and a
# digest of the embeds: W/"task-<id>-<version>-<day>-<digest>" (task_embeds.screen_digest).
# Writes compare versions only: a tag from an earlier day or screen is not stale for
# If-Match as long as nobody wrote to the task meanwhile.
_DAY_SUFFIX = re.compile(r'-\d{8}(?:-[0-9a-f]{8})?"$')


def task_etag(task: Task, today: dt.date, screen: str | None = None) -> str:
    suffix = f"-{today:%Y%m%d}" + (f"-{screen}" if screen else "")
    return f'{etag_for(task)[:-1]}{suffix}"'


def detail_etag(task: Task, today: dt.date, data: dict[str, Any]) -> str:
    """The tag of a rendered detail: version, day and the digest of its embeds."""
    return task_etag(task, today, screen_digest({k: data[k] for k in SCREEN_FIELDS}))


def write_precondition(request: Request) -> str | None:
    """The If-Match header with day suffixes dropped, as services compare it."""
    header = if_match_header(request)
    if not header:
        return header
    return ", ".join(_DAY_SUFFIX.sub('"', tag.strip()) for tag in header.split(","))


def task_response(request: Request, task_id: int, *, status_code: int = 200) -> Response:
    """The annotated detail of a task just written, with its new ETag."""
    today = clock.today()
    task = task_visible_or_404(user=request.user, task_id=task_id, today=today)
    data = TaskDetailSerializer(task, context={"request": request, "today": today}).data
    response = Response(data, status=status_code)
    response["ETag"] = detail_etag(task, today, data)
    return response


class TaskListView(SyncListMixin, ListAPIView):
    """Tasks you may see; filters of the contract; `search` in code, title and text."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    filter_backends = TASK_FILTER_BACKENDS
    search_fields = ["code", "title", "text"]
    ordering_fields = ["due_date", "updated_at", "progress", "code"]
    sync_resource = "task"

    def sync_deleted_ids(self, cutoff: dt.datetime) -> list[int]:
        """Deleted tasks, tasks that left the caller's view, and withdrawn tasks
        (tasks_app/org/tombstones.py)."""
        deleted = super().sync_deleted_ids(cutoff)
        left = tasks_left_view_since(self.request.user, cutoff)
        withdrawn = tasks_withdrawn_since(self.request.user, cutoff)
        return list(dict.fromkeys([*deleted, *left, *withdrawn]))

    def get_queryset(self) -> QuerySet[Task]:
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        tasks = tasks_for_api(user=self.request.user, today=clock.today())
        # In a sync a withdrawn task is a tombstone, not a row (unless asked for by status).
        asked = self.request.query_params.get("status") == TaskStatus.WITHDRAWN
        if sync_cutoff(self.request) is not None and not asked:
            tasks = tasks.exclude(status=TaskStatus.WITHDRAWN)
        return tasks


@declare_errors("task_patch", methods=("patch",))
class TaskDetailView(ETagRetrieveMixin, RetrieveAPIView):
    """GET with ETag (If-None-Match → 304); PATCH owner, title, co_departments, due_date."""

    permission_classes = [WorkflowPermission]

    serializer_class = TaskDetailSerializer
    parser_classes = [JSONParser]
    if_match_methods = ("PATCH",)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        today = clock.today()
        task = task_visible_or_404(user=request.user, task_id=self.kwargs["pk"], today=today)
        data = self.get_serializer(task, context={"request": request, "today": today}).data
        tag = detail_etag(task, today, data)
        wanted = {
            t.strip().removeprefix("W/")
            for t in request.headers.get("If-None-Match", "").split(",")
        }
        if tag.removeprefix("W/") in wanted or "*" in wanted:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        response = Response(data)
        response["ETag"] = tag
        return response

    @extend_schema(request=TaskPatchSerializer, responses=TaskDetailSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        data = TaskPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        task_update(
            task=task,
            actor=request.user,
            changes=dict(data.validated_data),
            if_match=write_precondition(request),
        )
        return task_response(request, task.pk)


@declare_errors("transition")
class TaskTransitionView(APIView):
    """POST {"action", "comment"}: 403 role, 409 status (allowed actions named), 412 stale."""

    permission_classes = [WorkflowPermission]

    parser_classes = [JSONParser]
    if_match_methods = ("POST",)

    @extend_schema(request=TransitionSerializer, responses=TaskDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_transition(
            task=task,
            actor=request.user,
            action=data.validated_data["action"],
            reason=data.validated_data.get("comment", ""),
            if_match=write_precondition(request),
            no_evidence_reason=data.validated_data.get("no_evidence_reason", ""),
        )
        return task_response(request, task.pk)


@declare_errors("urge")
class TaskUrgeView(APIView):
    """Supervisor: 催办 ({"notice": false}) or 督办单 ({"notice": true}) with a comment."""

    permission_classes = [WorkflowPermission]

    parser_classes = [JSONParser]
    idempotency_key_methods = ("POST",)

    @extend_schema(request=UrgeSerializer, responses={201: SupervisionNoticeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)

        def create(values: dict[str, Any]) -> Response:
            notice = task_urge(
                task=task,
                actor=request.user,
                comment=values["comment"],
                notice=values["notice"],
            )
            return Response(
                SupervisionNoticeSerializer(notice).data, status=status.HTTP_201_CREATED
            )

        return parse_then_create(request, UrgeSerializer, create)


class OverduePagination(StandardCursorPagination):
    ordering = ("-days_overdue", "flag_rank", "-behind_points", "first_missed", "id")


class SupervisionOverdueView(ListAPIView):
    """Red and yellow tasks you may see, most overdue first (days in working days)."""

    serializer_class = OverdueItemSerializer
    pagination_class = OverduePagination
    filter_backends = [FilterBackend]
    filterset_class = TaskFilter

    def get_queryset(self) -> QuerySet[Task]:
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        # Departments and owners by id in two queries: joined, the planner misjudges the
        # flag filter's selectivity and nested-loops them over every overdue task.
        items = overdue_items(user=self.request.user, today=clock.today())
        return items.select_related(None).prefetch_related("lead_department", "owner")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": clock.today()}
