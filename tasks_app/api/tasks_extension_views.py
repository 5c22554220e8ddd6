"""Extension requests (延期申请): per task (GET, POST), across tasks (GET), and decisions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker.api.filtering import FilterBackend
from plantracker.api.idempotency import parse_then_create
from plantracker.api.sync import UpdatedSinceFilter
from tasks_app.api.permissions import WorkflowPermission
from tasks_app.api.sync import SyncListMixin
from tasks_app.api.tasks_filters import ExtensionRequestFilter
from tasks_app.api.tasks_inputs import (
    ExtensionDecisionSerializer,
    ExtensionRequestCreateSerializer,
    declare_errors,
)
from tasks_app.api.tasks_nested_serializers import ExtensionRequestSerializer
from tasks_app.api.tasks_nested_views import NewestFirstPagination, TaskNestedListView
from tasks_app.models import ExtensionRequest, Task
from tasks_app.workflow.selectors import extension_requests_visible_to, task_extension_requests
from tasks_app.workflow.services.extensions import (
    extension_request_create,
    extension_request_decide,
)


@declare_errors("extension_request")
class TaskExtensionRequestListView(TaskNestedListView):
    """GET the task's requests; POST one (lead department's lead; Idempotency-Key)."""

    permission_classes = [WorkflowPermission]

    serializer_class = ExtensionRequestSerializer
    parser_classes = [JSONParser]
    sync_resource = "extension_request"
    idempotency_key_methods = ("POST",)

    def task_queryset(self, task: Task) -> QuerySet:
        return task_extension_requests(task)

    @extend_schema(request=ExtensionRequestCreateSerializer, responses={201: serializer_class})
    def post(self, request: Request, pk: int) -> Response:
        task = self.get_task()

        def create(values: dict[str, Any]) -> Response:
            created = extension_request_create(
                task=task,
                actor=request.user,
                new_due_date=values["new_due_date"],
                reason=values["reason"],
                milestone_id=values.get("milestone"),
            )
            return self.created(ExtensionRequestSerializer(created).data)

        return parse_then_create(request, ExtensionRequestCreateSerializer, create)


class ExtensionRequestListView(SyncListMixin, ListAPIView):
    """Additive to the contract: requests on every task you may see (`?status=pending`)."""

    serializer_class = ExtensionRequestSerializer
    pagination_class = NewestFirstPagination
    filter_backends = [FilterBackend, UpdatedSinceFilter]
    filterset_class = ExtensionRequestFilter
    sync_resource = "extension_request"

    def get_queryset(self) -> QuerySet[ExtensionRequest]:
        if getattr(self, "swagger_fake_view", False):
            return ExtensionRequest.objects.none()
        return extension_requests_visible_to(self.request.user)


@declare_errors("extension_decision")
class ExtensionDecisionView(APIView):
    """Supervisor: {"approve": bool, "comment"}; approving moves the date (history keeps
    the original); 409 when already decided."""

    permission_classes = [WorkflowPermission]

    parser_classes = [JSONParser]

    @extend_schema(request=ExtensionDecisionSerializer, responses=ExtensionRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        target = get_object_or_404(extension_requests_visible_to(request.user), pk=pk)
        data = ExtensionDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        extension_request_decide(
            extension_request=target,
            actor=request.user,
            approve=data.validated_data["approve"],
            comment=data.validated_data.get("comment", ""),
        )
        decided = extension_requests_visible_to(request.user).get(pk=target.pk)
        return Response(ExtensionRequestSerializer(decided).data)
