"""Output serializers of the task workflow API (read-only; writes go through services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plantracker import clock
from tasks_app.api.task_embed_schemas import (
    EMBEDDED_ATTACHMENT_SCHEMA,
    LAST_RETURN_SCHEMA,
    LATEST_REPORT_SCHEMA,
    OPEN_EXTENSION_REQUEST_SCHEMA,
    array_of,
)
from tasks_app.models import (
    Acknowledgement,
    Department,
    KeyResult,
    Task,
    TaskSource,
    TaskStatus,
    User,
)
from tasks_app.rollover.selectors import carry_links
from tasks_app.supervision.acknowledgement import acknowledgement_of
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.cadence import REPORT_STATUSES
from tasks_app.workflow.flags import FLAGS
from tasks_app.workflow.selectors import co_departments_of
from tasks_app.workflow.workdays import working_days_between


class DepartmentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]
        read_only_fields = fields


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "display_name"]
        read_only_fields = fields


# An inline nullable object: openapi-core (OAS 3.0) rejects null for `allOf: [$ref]` +
# `nullable`, which is what a nested serializer with allow_null=True generates.
NULLABLE_USER_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {
        "id": {"type": "integer"},
        "username": {"type": "string"},
        "display_name": {"type": "string"},
    },
    "required": ["id", "username", "display_name"],
}


@extend_schema_field(NULLABLE_USER_SCHEMA)
class NullableUserField(serializers.Field):
    """A person as {"id", "username", "display_name"}, or null."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: User) -> dict:
        # A plain dict, not a serializer per row: a list page renders up to 200 of these.
        return {"id": value.pk, "username": value.username, "display_name": value.display_name}


class KeyResultSerializer(serializers.ModelSerializer):
    """A quantity of the task's text: value in base units (1.9万亩 → 19000 亩)."""

    value = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=False)
    actual = serializers.DecimalField(
        source="actual_value",
        max_digits=24,
        decimal_places=4,
        coerce_to_string=False,
        allow_null=True,
    )

    class Meta:
        model = KeyResult
        fields = ["id", "value", "unit", "label", "actual"]
        read_only_fields = fields


TASK_FIELDS = [
    "id",
    "code",
    "title",
    "text",
    "plan",
    "chapter",
    "measure",
    "lead_department",
    "co_departments",
    "owner",
    "start_date",
    "due_date",
    "original_due_date",
    "status",
    "progress",
    "expected_progress",
    "flag",
    "is_overdue",
    "report_period",
    "report_status",
    "key_results",
    "acknowledgement",
    "assigned_at",
    "acknowledged_at",
    "source",
    "source_name",
    "source_date",
    "source_text",
    "evidence_requirement",
    "version",
    "updated_at",
]


class AcknowledgementField(serializers.ChoiceField):
    """签收 state; a task never put under 签收 (NULL) reads as acknowledged."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Acknowledgement.choices, source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return acknowledgement_of(value)


class TaskSourceField(serializers.ChoiceField):
    """Where the task comes from; a plan's sentence (NULL in the column) reads as plan."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=TaskSource.choices, source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return source_of(value)


def source_of(task: Task) -> str:
    return task.source or TaskSource.PLAN


class TaskSerializer(serializers.ModelSerializer):
    """A task as listed. Flag, expected progress, overdue and report status come from SQL
    annotations of selectors.tasks_for_api; report_* are about `report_period`, the
    latest monthly period whose due day has passed."""

    lead_department = DepartmentBriefSerializer(read_only=True)
    co_departments = DepartmentBriefSerializer(many=True, read_only=True)
    owner = NullableUserField()
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    expected_progress = serializers.IntegerField(read_only=True, help_text="序时进度 (%)")
    flag = serializers.ChoiceField(choices=[(f, f) for f in FLAGS], read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    report_period = serializers.CharField(read_only=True)
    report_status = serializers.ChoiceField(
        choices=[(s, s) for s in REPORT_STATUSES], read_only=True
    )
    key_results = KeyResultSerializer(many=True, read_only=True)
    acknowledgement = AcknowledgementField(
        help_text="签收: pending (未签收), acknowledged (已签收), returned (退回, awaiting "
        "reassignment by the supervision office)."
    )
    source = TaskSourceField(
        help_text="来源: plan (a sentence of the plan), meeting (会议议定事项), instruction "
        "(领导批示), major_project (重大项目), other (其他)."
    )
    source_name = serializers.CharField(
        read_only=True, allow_null=True, help_text="The meeting's name or the leader."
    )
    source_date = serializers.DateField(read_only=True, allow_null=True)
    source_text = serializers.CharField(
        read_only=True, allow_null=True, help_text="The instruction's or decision's words."
    )
    evidence_requirement = serializers.CharField(
        read_only=True, allow_null=True, help_text="佐证材料要求: what evidence completion needs."
    )

    class Meta:
        model = Task
        fields = TASK_FIELDS
        read_only_fields = fields

    def to_representation(self, instance: Task) -> dict[str, Any]:
        """The fields above, rendered directly (the same JSON as DRF's field-by-field walk).

        DRF's generic walk (field lookup, get_attribute, nested serializers per row) cost
        more than the query on a full page (`make bench`);
        tests/api/test_task_representation.py holds this to the generic rendering.
        """
        return render_task(instance)


# Field objects used for their to_representation only (decimal quantizing, time zones).
_DATETIME = serializers.DateTimeField()
_DECIMAL = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=False)


def date_json(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def datetime_json(value: dt.datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _key_result_row(row: dict[str, Any]) -> dict[str, Any]:
    """A key result as loaded by selectors.tasks_for_api (JSON: numbers already numbers)."""
    return {
        "id": row["id"],
        "value": row["value"],
        "unit": row["unit"],
        "label": row["label"],
        "actual": row["actual"],
    }


def render_task(task: Task) -> dict[str, Any]:
    """TaskSerializer's JSON for one annotated task (selectors.tasks_for_api)."""
    owner, lead = task.owner, task.lead_department
    return {
        "id": task.pk,
        "code": task.code,
        "title": task.title,
        "text": task.text,
        "plan": task.plan_id,
        "chapter": task.chapter_id,
        "measure": task.measure_id,
        "lead_department": {"id": lead.pk, "code": lead.code, "name": lead.name},
        "co_departments": co_departments_of(task),
        "owner": None
        if owner is None
        else {"id": owner.pk, "username": owner.username, "display_name": owner.display_name},
        "start_date": date_json(task.start_date),
        "due_date": date_json(task.due_date),
        "original_due_date": date_json(task.original_due_date),
        "status": task.status,
        "progress": task.progress,
        "expected_progress": int(task.expected_progress),
        "flag": task.flag,
        "is_overdue": bool(task.is_overdue),
        "report_period": task.report_period,
        "report_status": task.report_status,
        "key_results": [_key_result_row(row) for row in task.key_result_rows],
        "acknowledgement": acknowledgement_of(task),
        "assigned_at": datetime_json(task.assigned_at),
        "acknowledged_at": datetime_json(task.acknowledged_at),
        "source": source_of(task),
        "source_name": task.source_name,
        "source_date": date_json(task.source_date),
        "source_text": task.source_text,
        "evidence_requirement": task.evidence_requirement,
        "version": task.version,
        "updated_at": datetime_json(task.updated_at),
    }


# The other end of a year rollover (结转): the task in the earlier or later plan, or null
# (inline and nullable, for the reason given at NULLABLE_USER_SCHEMA).
NULLABLE_CARRIED_TASK_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "plan": {"type": "integer"},
        "year": {"type": "integer"},
    },
    "required": ["id", "code", "plan", "year"],
}


# What the detail embeds for the task screen (tasks_app/api/task_embeds.py), added after
# the contract's fields: one call instead of four.
SCREEN_FIELDS = [
    "milestones",
    "latest_report",
    "open_extension_request",
    "last_return",
    "open_notices",
    "recent_attachments",
]


class TaskDetailSerializer(TaskSerializer):
    """One task: also what the caller may do now (transitions and other capabilities),
    and the task it was carried from / into at a year rollover (null when none); then
    what the task screen shows around it (SCREEN_FIELDS): milestones by date, the newest
    progress report with its attachments, the pending extension request, the last
    return (退回) of a completion claim, the open 督办单 (open or answered) and the
    newest attachments with their thumbnail links."""

    allowed_actions = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()
    carried_from = serializers.SerializerMethodField()
    carried_to = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    latest_report = serializers.SerializerMethodField()
    open_extension_request = serializers.SerializerMethodField()
    last_return = serializers.SerializerMethodField(
        help_text="The last time a completion claim was returned (退回), with the reason."
    )
    open_notices = serializers.SerializerMethodField()
    recent_attachments = serializers.SerializerMethodField(
        help_text="The newest attachments (up to 6), with signed file and thumbnail links."
    )

    class Meta:
        model = Task
        fields = [
            *TASK_FIELDS,
            "completed_at",
            "created_at",
            "allowed_actions",
            "capabilities",
            "carried_from",
            "carried_to",
            *SCREEN_FIELDS,
        ]
        read_only_fields = fields

    def to_representation(self, instance: Task) -> dict[str, Any]:
        data = render_task(instance)
        data["completed_at"] = datetime_json(instance.completed_at)
        data["created_at"] = datetime_json(instance.created_at)
        data["allowed_actions"] = self.get_allowed_actions(instance)
        data["capabilities"] = self.get_capabilities(instance)
        data["carried_from"] = self.get_carried_from(instance)
        data["carried_to"] = self.get_carried_to(instance)
        data.update(self._screen(instance))
        return data

    def _screen(self, task: Task) -> dict[str, Any]:
        # Imported here: the embeds render with the nested serializers, which import this.
        from tasks_app.api.task_embeds import render_task_screen
        from tasks_app.workflow.task_screen import task_screen

        if not hasattr(task, "_screen_fields"):
            today = self.context.get("today") or _today()
            screen = task_screen(task=task, today=today)
            task._screen_fields = render_task_screen(screen, self.context.get("request"))
        return task._screen_fields

    @extend_schema_field(array_of("TaskMilestone"))
    def get_milestones(self, task: Task) -> list:
        return self._screen(task)["milestones"]

    @extend_schema_field(LATEST_REPORT_SCHEMA)
    def get_latest_report(self, task: Task) -> dict | None:
        return self._screen(task)["latest_report"]

    @extend_schema_field(OPEN_EXTENSION_REQUEST_SCHEMA)
    def get_open_extension_request(self, task: Task) -> dict | None:
        return self._screen(task)["open_extension_request"]

    @extend_schema_field(LAST_RETURN_SCHEMA)
    def get_last_return(self, task: Task) -> dict | None:
        return self._screen(task)["last_return"]

    @extend_schema_field(array_of("SupervisionNotice"))
    def get_open_notices(self, task: Task) -> list:
        return self._screen(task)["open_notices"]

    @extend_schema_field({"type": "array", "items": EMBEDDED_ATTACHMENT_SCHEMA})
    def get_recent_attachments(self, task: Task) -> list:
        return self._screen(task)["recent_attachments"]

    def _carry_links(self, task: Task) -> dict[str, Any]:
        if not hasattr(task, "_carry_links"):
            task._carry_links = carry_links(task)  # one query for both directions
        return task._carry_links

    @extend_schema_field(NULLABLE_CARRIED_TASK_SCHEMA)
    def get_carried_from(self, task: Task) -> dict[str, Any] | None:
        return self._carry_links(task)["carried_from"]

    @extend_schema_field(NULLABLE_CARRIED_TASK_SCHEMA)
    def get_carried_to(self, task: Task) -> dict[str, Any] | None:
        return self._carry_links(task)["carried_to"]

    def _relations(self, task: Task) -> frozenset[workflow.Relation]:
        cache = self.context.setdefault("_relations", {})
        if task.pk not in cache:
            cache[task.pk] = workflow.relations(self.context["request"].user, task)
        return cache[task.pk]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=workflow.TRANSITION_ACTIONS))
    )
    def get_allowed_actions(self, task: Task) -> list[str]:
        return workflow.actions_for(self._relations(task), task.status)

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=[c.value for c in workflow.Capability])
        )
    )
    def get_capabilities(self, task: Task) -> list[str]:
        return workflow.capabilities_of(self._relations(task), task.status)


class OverdueItemSerializer(TaskSerializer):
    """A red or yellow task for supervision: how long overdue, in official working days."""

    overdue_since = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()
    behind_points = serializers.IntegerField(read_only=True)

    class Meta:
        model = Task
        fields = [*TASK_FIELDS, "overdue_since", "days_overdue", "behind_points"]
        read_only_fields = fields

    def to_representation(self, instance: Task) -> dict[str, Any]:
        data = render_task(instance)
        data["overdue_since"] = date_json(self.get_overdue_since(instance))
        data["days_overdue"] = self.get_days_overdue(instance)
        data["behind_points"] = int(instance.behind_points)
        return data

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_overdue_since(self, task: Task) -> dt.date | None:
        return task.first_missed if task.is_overdue else None

    def get_days_overdue(self, task: Task) -> int:
        """Working days since the earliest missed date (deadline or open milestone)."""
        if not task.is_overdue:
            return 0
        return working_days_between(task.first_missed, self.context.get("today") or _today())


def _today() -> dt.date:
    return clock.today()
