"""领导批示 over REST: a task's instructions (GET; POST by a district leader) and the lead
department's response. Additive to the contract."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks_app.api.permissions import WorkflowPermission, visible_task_or_404
from tasks_app.api.tasks_serializers import NullableUserField
from tasks_app.models import LeaderInstruction
from tasks_app.org.visibility import tasks_visible_to
from tasks_app.supervision.instructions import instruction_create, instruction_respond


class InstructionSerializer(serializers.ModelSerializer):
    author = NullableUserField()
    responded_by = NullableUserField()

    class Meta:
        model = LeaderInstruction
        fields = [
            "id",
            "task",
            "author",
            "text",
            "respond_by",
            "response",
            "responded_by",
            "responded_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InstructionTextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class TaskInstructionListView(APIView):
    """GET the task's leader instructions, newest first; POST one (district leaders)."""

    permission_classes = [WorkflowPermission]  # names the 403 in the schema
    parser_classes = [JSONParser]

    @extend_schema(responses=InstructionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        rows = LeaderInstruction.objects.filter(task=task).select_related("author", "responded_by")
        return Response(InstructionSerializer(rows, many=True).data)

    @extend_schema(request=InstructionTextSerializer, responses={201: InstructionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        task = visible_task_or_404(request.user, pk)
        data = InstructionTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = instruction_create(
            task=task, actor=request.user, text=data.validated_data["text"]
        )
        return Response(InstructionSerializer(created).data, status=status.HTTP_201_CREATED)


class InstructionResponseView(APIView):
    """The lead department answers an instruction: {"text"}; 409 when already answered."""

    permission_classes = [WorkflowPermission]
    parser_classes = [JSONParser]

    @extend_schema(request=InstructionTextSerializer, responses=InstructionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        visible = LeaderInstruction.objects.filter(task__in=tasks_visible_to(request.user))
        instruction = get_object_or_404(visible, pk=pk)
        data = InstructionTextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answered = instruction_respond(
            instruction=instruction, actor=request.user, text=data.validated_data["text"]
        )
        return Response(InstructionSerializer(answered).data)
