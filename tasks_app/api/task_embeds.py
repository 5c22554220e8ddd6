"""The task detail's embedded screen (tasks_app/workflow/task_screen.py) rendered as plain
dicts, and the digest of it the detail's ETag carries.

A report, a notice or an attachment can change without the task's version moving (a
co-department's report, a 督办单's answer), so the detail's tag includes a digest of what
is embedded; the signed links, fresh at every rendering, are left out of it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from tasks_app.api.file_urls import SIGNED_KEYS, attachment_json
from tasks_app.api.tasks_nested_serializers import (
    SupervisionNoticeSerializer,
    TaskMilestoneSerializer,
)
from tasks_app.models import ExtensionRequest, HistoryEvent, User
from tasks_app.workflow.task_screen import TaskScreen

_DATETIME = serializers.DateTimeField()
_DECIMAL = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=False)


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


def _report(screen: TaskScreen, request: Request | None) -> dict[str, Any] | None:
    report = screen.latest_report
    if report is None:
        return None
    department = report.department
    attachments = screen.latest_report_attachments
    return {
        "id": report.pk,
        "period": report.period,
        "percent": report.percent,
        "narrative": report.narrative,
        "red_reason": report.red_reason,
        "department": {"id": department.pk, "code": department.code, "name": department.name},
        "author": _person(report.author),
        "moves_task": bool(report.moves_task),
        "key_result_values": [
            {"key_result": v.key_result_id, "value": _DECIMAL.to_representation(v.value)}
            for v in screen.latest_report_values
        ],
        "attachments": [a.pk for a in attachments],
        "attachment_files": [attachment_json(a, request) for a in attachments],
        "created_at": _DATETIME.to_representation(report.created_at),
    }


def _extension(extension: ExtensionRequest | None) -> dict[str, Any] | None:
    if extension is None:
        return None
    return {
        "id": extension.pk,
        "milestone": extension.milestone_id,
        "old_due_date": extension.old_due_date.isoformat(),
        "new_due_date": extension.new_due_date.isoformat(),
        "reason": extension.reason,
        "is_late": extension.is_late,
        "requested_by": _person(extension.requested_by),
        "created_at": _DATETIME.to_representation(extension.created_at),
    }


def _last_return(event: HistoryEvent | None) -> dict[str, Any] | None:
    if event is None:
        return None
    return {
        "reason": event.reason,
        "at": _DATETIME.to_representation(event.at),
        "actor": _person(event.actor),
    }


def render_task_screen(screen: TaskScreen, request: Request | None) -> dict[str, Any]:
    """The detail's added fields, in the order the schema lists them."""
    return {
        "milestones": TaskMilestoneSerializer(screen.milestones, many=True).data,
        "latest_report": _report(screen, request),
        "open_extension_request": _extension(screen.open_extension_request),
        "last_return": _last_return(screen.last_return),
        "open_notices": SupervisionNoticeSerializer(screen.open_notices, many=True).data,
        "recent_attachments": [attachment_json(a, request) for a in screen.recent_attachments],
    }


def _without_signed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_signed(v) for k, v in value.items() if k not in SIGNED_KEYS}
    if isinstance(value, list):
        return [_without_signed(v) for v in value]
    return value


def screen_digest(embedded: dict[str, Any]) -> str:
    """Eight hex digits that change whenever what is embedded changes (links aside)."""
    text = json.dumps(_without_signed(embedded), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
