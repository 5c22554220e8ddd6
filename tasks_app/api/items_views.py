"""Supervision items from other sources over REST (督办事项: 会议议定事项, 领导批示, 重大项目,
其他): the supervision office registers one; it answers with the task it became, which then
lives under /tasks/ like any other (list it with ?plan=<the ledger's id>)."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker import clock
from tasks_app.api.permissions import IsSupervisor
from tasks_app.api.tasks_inputs import (
    STRICT_ERRORS,
    FlatListField,
    MilestoneCreateSerializer,
    StrictSerializer,
)
from tasks_app.api.tasks_serializers import TaskDetailSerializer
from tasks_app.api.tasks_views import task_response
from tasks_app.models import Department, IssuingBody, LeaderInstruction, TaskSource
from tasks_app.org.plan_scope import own_body
from tasks_app.org.visibility import tasks_visible_to
from tasks_app.supervision.items import (
    MAX_MILESTONES,
    MilestoneInput,
    instruction_to_item,
    supervision_item_create,
)


class ItemCreateSerializer(StrictSerializer):
    source = serializers.ChoiceField(
        choices=TaskSource.choices,
        help_text="meeting (会议议定事项), instruction (领导批示), major_project (重大项目), "
        "other (其他); plan is refused (plan tasks come from a plan).",
    )
    year = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        required=False,
        help_text="The ledger's year (督办事项台账); default: this year.",
    )
    source_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The meeting's name (会议) or the leader (批示); required for those two.",
    )
    source_date = serializers.DateField(
        required=False, allow_null=True, help_text="The meeting's date; required for meetings."
    )
    source_text = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="The decision's or instruction's words; required for instructions.",
    )
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=5000)
    lead_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    co_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False
    )
    due_date = serializers.DateField()
    milestones = FlatListField(
        child=MilestoneCreateSerializer(),
        required=False,
        max_length=MAX_MILESTONES,
        help_text="Dated checkpoints before the deadline; the final one is the deadline.",
    )
    evidence_requirement = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="佐证材料要求."
    )


class InstructionItemSerializer(StrictSerializer):
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Default: the task's deadline (today if it has passed).",
    )


# Raised by the service beyond the serializer (tasks_app/supervision/items.py).
ITEM_ERRORS = {
    **STRICT_ERRORS,
    "body": ["invalid"],
    "source": ["invalid_choice"],
    "year": ["invalid"],
    "source_name": ["required", "max_length"],
    "source_date": ["required", "invalid"],
    "source_text": ["required", "max_length"],
    "title": ["required", "max_length"],
    "text": ["required", "max_length"],
    "evidence_requirement": ["max_length"],
    "lead_department": ["invalid"],
    "co_departments": ["invalid"],
    "due_date": ["invalid"],
    # item errors are named on the list ("第2项 due_date：…", FlatListField)
    "milestones": [
        "invalid",
        "required",
        "null",
        "blank",
        "max_length",
        "unknown_field",
        "date",
        "null_characters_not_allowed",
        "surrogate_characters_not_allowed",
    ],
}


def _declare(view: type[APIView], errors: dict[str, list[str]]) -> type[APIView]:
    for field, codes in errors.items():
        view = extend_validation_errors(codes, field_name=field, methods=["post"])(view)
    return view


class SupervisionItemCreateView(APIView):
    """POST: the supervision office registers an item (立项交办); 201 with the task, at
    未签收 for its lead department (docs/supervision-procedure.md)."""

    permission_classes = [IsSupervisor]
    parser_classes = [JSONParser]

    @extend_schema(request=ItemCreateSerializer, responses={201: TaskDetailSerializer})
    def post(self, request: Request) -> Response:
        data = ItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        body = IssuingBody.objects.filter(pk=own_body(request.user)).first()
        if body is None:  # (no body at all: nothing to register an item for)
            body = IssuingBody.objects.order_by("pk").first()
        task = supervision_item_create(
            actor=request.user,
            body=body,
            year=given.get("year") or clock.today().year,
            source=given["source"],
            source_name=given.get("source_name", ""),
            source_date=given.get("source_date"),
            source_text=given.get("source_text", ""),
            title=given["title"],
            text=given["text"],
            lead_department=given["lead_department"],
            co_departments=given.get("co_departments", []),
            due_date=given["due_date"],
            milestones=[
                MilestoneInput(title=m["title"], due_date=m["due_date"])
                for m in given.get("milestones", [])
            ],
            evidence_requirement=given.get("evidence_requirement", ""),
        )
        return task_response(request, task.pk, status_code=201)


class InstructionItemView(APIView):
    """POST: turn a leader's instruction (领导批示) on a task into an item of its own; 201
    with the new task; 409 when the instruction already is one."""

    permission_classes = [IsSupervisor]
    parser_classes = [JSONParser]

    @extend_schema(request=InstructionItemSerializer, responses={201: TaskDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        visible = LeaderInstruction.objects.filter(
            Q(task__in=tasks_visible_to(request.user))
        ).select_related("author")
        instruction = get_object_or_404(visible, pk=pk)
        data = InstructionItemSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = instruction_to_item(
            actor=request.user,
            instruction=instruction,
            due_date=data.validated_data.get("due_date"),
        )
        return task_response(request, task.pk, status_code=201)


SupervisionItemCreateView = _declare(SupervisionItemCreateView, ITEM_ERRORS)
InstructionItemView = _declare(
    InstructionItemView, {**STRICT_ERRORS, "due_date": ["invalid"], "body": ["invalid"]}
)
