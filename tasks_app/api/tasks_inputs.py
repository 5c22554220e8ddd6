"""Input serializers: parse and type-check request bodies; the rules live in services.

Every input is strict: a key the endpoint does not take is a 400 naming that key, so a
client never believes a field was written when it was silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.settings import api_settings

from plantracker.api.filtering import DB_INT_MAX
from tasks_app.api.tasks_serializers import TaskDetailSerializer
from tasks_app.models import Department, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.cadence import PERIOD_RE

V = TypeVar("V")

# Keys of the task representation that PATCH refuses by name (status moves by
# transitions, progress by reports, the flag is computed, the rest is the plan's): every
# key of the detail representation but the ones PATCH takes.
PATCHABLE_TASK_FIELDS = frozenset(
    {"title", "co_departments", "owner", "due_date", "lead_department"}
)
READ_ONLY_TASK_FIELDS = frozenset(TaskDetailSerializer.Meta.fields) - PATCHABLE_TASK_FIELDS


UNKNOWN_FIELD, READ_ONLY = "unknown_field", "read_only"


class StrictSerializer(serializers.Serializer):
    """Rejects keys it does not take instead of ignoring them.

    A known read-only key (`read_only_keys`) is a 400 on that attribute (code read_only);
    any other unknown key is a 400 on non_field_errors (code unknown_field) whose message
    names the keys — the schema can only enumerate attributes it knows.
    """

    read_only_keys: frozenset[str] = frozenset()
    read_only_message = _("该字段为只读。")

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in set(data) - set(self.fields))
            errors: dict[str, list] = {
                key: [serializers.ErrorDetail(str(self.read_only_message), code=READ_ONLY)]
                for key in unknown
                if key in self.read_only_keys
            }
            others = [key for key in unknown if key not in self.read_only_keys]
            if others:
                message = _("不支持的字段：%(fields)s。") % {"fields": ", ".join(others)}
                errors[api_settings.NON_FIELD_ERRORS_KEY] = [
                    serializers.ErrorDetail(str(message), code=UNKNOWN_FIELD)
                ]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class FlatListField(serializers.ListField):
    """A list whose item errors are reported on the list itself ("第2项 value：…").

    drf-standardized-errors documents item errors as `field.INDEX.key` while the server
    says `field.1.key`; keeping them on `field` keeps every answer inside the schema.
    """

    def to_internal_value(self, data: Any) -> list:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError(_flat_item_errors(exc.detail)) from None


class FlatDictField(serializers.DictField):
    """A dict whose value errors are reported on the dict itself ("urge：…"), for the
    same reason as FlatListField (the schema says `field.KEY`, the server `field.urge`)."""

    def to_internal_value(self, data: Any) -> dict:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            flat = []
            for key, messages in exc.detail.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    text = _("%(key)s：%(msg)s") % {"key": key, "msg": message}
                    code = getattr(message, "code", "invalid")
                    flat.append(serializers.ErrorDetail(text, code=code))
            raise serializers.ValidationError(flat) from None


def _flat_item_errors(detail: dict) -> list[serializers.ErrorDetail]:
    flat = []
    for index in sorted(detail):
        item = detail[index]
        pairs = item.items() if isinstance(item, dict) else [("", item)]
        for key, messages in pairs:
            label = f"{key}" if key and key != api_settings.NON_FIELD_ERRORS_KEY else ""
            for message in messages if isinstance(messages, list) else [messages]:
                text = _("第%(n)d项%(key)s：%(msg)s") % {
                    "n": int(index) + 1,
                    "key": f" {label}" if label else "",
                    "msg": message,
                }
                flat.append(serializers.ErrorDetail(text, code=getattr(message, "code", "invalid")))
    return flat


class TaskPatchSerializer(StrictSerializer):
    """PATCH /tasks/{id}/: owner, title, co_departments (lead or supervisor), due_date
    (supervisor). Status moves by transitions, progress by reports, flag is computed."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    title = serializers.CharField(max_length=200, required=False)
    co_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False
    )
    due_date = serializers.DateField(required=False)
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        help_text="Supervisors: reassign the task (重新交办); it is then awaiting 签收.",
    )

    read_only_keys = READ_ONLY_TASK_FIELDS
    read_only_message = _("该字段为只读（状态通过流转操作、进度通过进展报告修改，灯色自动计算）。")


class TransitionSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=workflow.TRANSITION_ACTIONS)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required for return, suspend and cancel.",
    )
    no_evidence_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="submit: why the claim has no evidence attachment (else one is required).",
    )


class KeyResultValueInput(StrictSerializer):
    key_result = serializers.IntegerField(min_value=1, max_value=DB_INT_MAX)
    value = serializers.DecimalField(max_digits=24, decimal_places=4, min_value=0)


class ProgressReportCreateSerializer(StrictSerializer):
    percent = serializers.IntegerField(min_value=0, max_value=100)
    narrative = serializers.CharField(max_length=5000)
    red_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    key_result_values = FlatListField(child=KeyResultValueInput(), required=False, max_length=50)
    attachments = FlatListField(
        child=serializers.IntegerField(min_value=1, max_value=DB_INT_MAX),
        required=False,
        max_length=50,
    )
    period = serializers.RegexField(
        PERIOD_RE,
        required=False,
        help_text="YYYY-MM; default: the current month (or last "
        "month within its grace window while it has no report).",
    )


class CommentCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=5000)


class AttachmentUploadSerializer(serializers.Serializer):
    """multipart/form-data with one `file` (JPEG/PNG/WebP/PDF/DOCX/XLSX)."""

    file = serializers.FileField()


class ExtensionRequestCreateSerializer(StrictSerializer):
    milestone = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=DB_INT_MAX
    )
    new_due_date = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class ExtensionDecisionSerializer(StrictSerializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Required to reject."
    )


class UrgeSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=2000)
    notice = serializers.BooleanField(
        default=False, help_text="true: a formal supervision notice (督办单); false: 催办."
    )


class AcknowledgeSerializer(StrictSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="Optional: name the owner (a member of the lead department) at once.",
    )


class ReturnAssignmentSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class MilestoneCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


# --- Error codes raised beyond the serializers (by services, the idempotency helper),
# declared so the OpenAPI schema lists every attribute and code a client can receive.
ITEM_CODES = ["invalid", "required", "null", "min_value", "max_value", "max_string_length"]
IDEMPOTENCY_ERRORS = {"Idempotency-Key": ["idempotency_key_reused", "max_length"]}
STRICT_ERRORS = {api_settings.NON_FIELD_ERRORS_KEY: [UNKNOWN_FIELD]}
SERVICE_ERRORS: dict[str, dict[str, list[str]]] = {
    "task_patch": {
        **STRICT_ERRORS,
        **{key: [READ_ONLY] for key in READ_ONLY_TASK_FIELDS},
        **{key: ["invalid", "not_allowed_for_role"] for key in workflow.PATCH_FIELDS},
    },
    "transition": {
        **STRICT_ERRORS,
        "comment": ["required"],
        "action": ["invalid_choice"],
        # the completion claim's evidence rule (workflow.services.completion_claims)
        "progress": ["incomplete"],
        "evidence": ["required"],
        "no_evidence_reason": ["max_length"],
    },
    "progress_report": {
        **STRICT_ERRORS,
        **IDEMPOTENCY_ERRORS,
        "percent": ["out_of_range"],
        "key_result_values": [
            *ITEM_CODES,
            "max_digits",
            "max_decimal_places",
            "max_whole_digits",
            UNKNOWN_FIELD,
        ],
        "attachments": ITEM_CODES,
        "period": ["invalid", "out_of_range"],
        "red_reason": ["required"],
    },
    "comment": {**STRICT_ERRORS, **IDEMPOTENCY_ERRORS, "body": ["blank", "max_length"]},
    "attachment": {**IDEMPOTENCY_ERRORS, "file": ["unsupported_file_type", "empty"]},
    "extension_request": {
        **STRICT_ERRORS,
        **IDEMPOTENCY_ERRORS,
        "milestone": ["invalid", "completed"],
        "new_due_date": ["invalid"],
        "reason": ["required", "max_length"],
    },
    "extension_decision": {**STRICT_ERRORS, "comment": ["required", "max_length"]},
    "urge": {**STRICT_ERRORS, **IDEMPOTENCY_ERRORS, "comment": ["required", "max_length"]},
    "acknowledge": {**STRICT_ERRORS, "owner": ["invalid"]},
    "return_assignment": {**STRICT_ERRORS, "reason": ["required", "max_length"]},
    "milestone": {
        **STRICT_ERRORS,
        **IDEMPOTENCY_ERRORS,
        "title": ["invalid"],
        "due_date": ["out_of_range"],
    },
}


def declare_errors(name: str, *, methods: tuple[str, ...] = ("post",)) -> Callable[[V], V]:
    """Class decorator: add SERVICE_ERRORS[name] to the view's documented 400s."""

    def wrap(view: V) -> V:
        for field, codes in SERVICE_ERRORS[name].items():
            view = extend_validation_errors(codes, field_name=field, methods=list(methods))(view)
        return view

    return wrap
