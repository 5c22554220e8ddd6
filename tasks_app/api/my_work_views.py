"""GET /me/work/: what the caller must act on today, grouped, in one call (tasks_app/
workflow/my_work.py decides the groups; this parses, calls and renders)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker import clock
from tasks_app.api.plan_filters import PLAN_HELP
from tasks_app.api.tasks_serializers import DepartmentBriefSerializer, date_json
from tasks_app.models import Task, TaskStatus
from tasks_app.org.plan_scope import default_plan_id
from tasks_app.workflow.cadence import REPORT_STATUSES
from tasks_app.workflow.flags import FLAGS
from tasks_app.workflow.my_work import (
    ITEMS_PER_GROUP_DEFAULT,
    ITEMS_PER_GROUP_MAX,
    my_work,
)

ID_MAX = 2**63 - 1
# What an integer query parameter can say (max_string_length: a number of over 1000 digits).
INTEGER_CODES = ["invalid", "min_value", "max_value", "max_string_length"]


class MyWorkQuerySerializer(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ITEMS_PER_GROUP_MAX,
        default=ITEMS_PER_GROUP_DEFAULT,
    )


class WorkItemSerializer(serializers.Serializer):
    """A task in brief, with what the group asks of it."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    flag = serializers.ChoiceField(choices=[(f, f) for f in FLAGS])
    due_date = serializers.DateField()
    is_overdue = serializers.BooleanField()
    days_overdue = serializers.IntegerField(
        help_text="Calendar days past the earliest missed date."
    )
    report_status = serializers.ChoiceField(choices=[(s, s) for s in REPORT_STATUSES])
    lead_department = DepartmentBriefSerializer()
    respond_by = serializers.DateField(
        allow_null=True,
        help_text="The notice's or instruction's response deadline; null in other groups.",
    )
    reason = serializers.CharField(
        allow_null=True,
        help_text="Why it is here: the return reason, the notice's reason or the "
        "instruction's text; null in other groups.",
    )


class WorkGroupSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    items = WorkItemSerializer(many=True)


class MyWorkSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The day the groups are computed for.")
    plan = serializers.IntegerField(allow_null=True, help_text="The plan shown (null: none).")
    overdue = WorkGroupSerializer()
    due_this_week = WorkGroupSerializer()
    reports_owed = WorkGroupSerializer()
    returned_claims = WorkGroupSerializer()
    open_notices = WorkGroupSerializer()
    instructions_to_answer = WorkGroupSerializer()


def work_item(task: Task) -> dict[str, Any]:
    lead = task.lead_department
    return {
        "id": task.pk,
        "code": task.code,
        "title": task.title,
        "status": task.status,
        "flag": task.flag,
        "due_date": date_json(task.due_date),
        "is_overdue": bool(task.is_overdue),
        "days_overdue": int(task.days_overdue),
        "report_status": task.report_status,
        "lead_department": {"id": lead.pk, "code": lead.code, "name": lead.name},
        "respond_by": date_json(getattr(task, "respond_by", None)),
        "reason": getattr(task, "reason", None),
    }


@extend_validation_errors(INTEGER_CODES, field_name="plan", methods=["get"])
@extend_validation_errors(INTEGER_CODES, field_name="limit", methods=["get"])
class MyWorkView(APIView):
    """Overdue, due this week, reports owed, returned claims, open 督办单 and leader
    instructions to answer: each a count and the first `limit` tasks, in the caller's
    view of one plan (default: their current plan)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", int, description=str(PLAN_HELP)),
            OpenApiParameter(
                "limit", int, description=f"Tasks per group (1–{ITEMS_PER_GROUP_MAX})."
            ),
        ],
        responses=MyWorkSerializer,
    )
    def get(self, request: Request) -> Response:
        query = MyWorkQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = clock.today()
        plan = query.validated_data.get("plan") or default_plan_id(request.user, today=today)
        groups = my_work(
            user=request.user, plan=plan, today=today, limit=query.validated_data["limit"]
        )
        data: dict[str, Any] = {"date": today.isoformat(), "plan": plan}
        for group in groups:
            data[group.name] = {"count": group.count, "items": [work_item(t) for t in group.items]}
        return Response(data)
