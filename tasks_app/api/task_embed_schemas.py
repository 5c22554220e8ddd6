"""OpenAPI schemas of what the task detail embeds (tasks_app/api/task_embeds.py renders
them as plain dicts). Nullable objects are written inline: openapi-core (OAS 3.0) rejects
null for `allOf: [$ref]` + `nullable` (see tasks_serializers.NULLABLE_USER_SCHEMA)."""

from __future__ import annotations

from typing import Any


def _object(properties: dict[str, Any], *, nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
    }
    if nullable:
        schema["nullable"] = True
    return schema


INTEGER = {"type": "integer"}
STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
URI = {"type": "string", "format": "uri"}
DEPARTMENT = _object({"id": INTEGER, "code": STRING, "name": STRING})
USER = _object({"id": INTEGER, "username": STRING, "display_name": STRING})
NULLABLE_USER = _object({"id": INTEGER, "username": STRING, "display_name": STRING}, nullable=True)

EMBEDDED_ATTACHMENT_SCHEMA = _object(
    {
        "id": INTEGER,
        "original_name": STRING,
        "content_type": STRING,
        "size": INTEGER,
        "sha256": STRING,
        "download_url": URI,
        "file_url": URI,
        "thumbnail_url": {**URI, "nullable": True},
        "created_at": DATETIME,
    }
)

LATEST_REPORT_SCHEMA = _object(
    {
        "id": INTEGER,
        "period": STRING,
        "percent": INTEGER,
        "narrative": STRING,
        "red_reason": STRING,
        "department": DEPARTMENT,
        "author": USER,
        "moves_task": {"type": "boolean"},
        "key_result_values": {
            "type": "array",
            "items": _object({"key_result": INTEGER, "value": {"type": "number"}}),
        },
        "attachments": {"type": "array", "items": INTEGER},
        "attachment_files": {"type": "array", "items": EMBEDDED_ATTACHMENT_SCHEMA},
        "created_at": DATETIME,
    },
    nullable=True,
)

OPEN_EXTENSION_REQUEST_SCHEMA = _object(
    {
        "id": INTEGER,
        "milestone": {**INTEGER, "nullable": True},
        "old_due_date": DATE,
        "new_due_date": DATE,
        "reason": STRING,
        "is_late": {"type": "boolean"},
        "requested_by": USER,
        "created_at": DATETIME,
    },
    nullable=True,
)

LAST_RETURN_SCHEMA = _object(
    {"reason": STRING, "at": DATETIME, "actor": NULLABLE_USER},
    nullable=True,
)


def array_of(component: str) -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{component}"}}
