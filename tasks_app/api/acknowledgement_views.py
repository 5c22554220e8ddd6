"""签收 and 退回 over REST: the lead department's lead acknowledges a task assigned to it
(optionally naming the owner) or returns it with a reason. Both answer with the task."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks_app.api.permissions import WorkflowPermission, visible_task_or_404
from tasks_app.api.tasks_inputs import (
    AcknowledgeSerializer,
    ReturnAssignmentSerializer,
    declare_errors,
)
from tasks_app.api.tasks_serializers import TaskDetailSerializer
from tasks_app.api.tasks_views import task_response, write_precondition
from tasks_app.supervision.acknowledgement import task_acknowledge, task_return_assignment


@declare_errors("acknowledge")
class TaskAcknowledgeView(APIView):
    """POST {"owner"?}: 签收 by the lead department's lead; 403 for anyone else who sees the
    task, 409 when the task is not awaiting 签收, 412 stale."""

    permission_classes = [WorkflowPermission]
    parser_classes = [JSONParser]
    if_match_methods = ("POST",)

    @extend_schema(request=AcknowledgeSerializer, responses=TaskDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_acknowledge(
            task=task,
            actor=request.user,
            owner=data.validated_data.get("owner"),
            if_match=write_precondition(request),
        )
        return task_response(request, task.pk)


@declare_errors("return_assignment")
class TaskReturnAssignmentView(APIView):
    """POST {"reason"}: 退回 of a wrongly assigned task by the lead department's lead; the
    supervision office is told and reassigns it (PATCH lead_department)."""

    permission_classes = [WorkflowPermission]
    parser_classes = [JSONParser]
    if_match_methods = ("POST",)

    @extend_schema(request=ReturnAssignmentSerializer, responses=TaskDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        data = ReturnAssignmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_return_assignment(
            task=task,
            actor=request.user,
            reason=data.validated_data["reason"],
            if_match=write_precondition(request),
        )
        return task_response(request, task.pk)
