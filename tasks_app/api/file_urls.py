"""Absolute URLs of evidence for API responses: the signed links of
tasks_app/workflow/file_links.py, and an attachment rendered with them as a plain dict
(reports and the task detail embed these without a serializer per row)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request

from tasks_app.models import Attachment
from tasks_app.workflow.file_links import FILE, link_path, thumbnail_path

# Keys whose values change with every rendering (a fresh signature and expiry): left out
# of what a representation's ETag is computed from.
SIGNED_KEYS = frozenset({"file_url", "thumbnail_url"})


def absolute(request: Request | None, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def signed_file_url(request: Request | None, attachment_id: int) -> str:
    return absolute(request, link_path(attachment_id=attachment_id, kind=FILE))


def signed_thumbnail_url(
    request: Request | None, attachment_id: int, content_type: str
) -> str | None:
    path = thumbnail_path(attachment_id=attachment_id, content_type=content_type)
    return None if path is None else absolute(request, path)


_DATETIME = serializers.DateTimeField()


def attachment_json(attachment: Attachment, request: Request | None) -> dict[str, Any]:
    """One attachment, embedded where it is referred to (a report, the task detail);
    its schema is task_embed_schemas.EMBEDDED_ATTACHMENT_SCHEMA."""
    download = reverse(
        "task-attachment-file", kwargs={"pk": attachment.task_id, "aid": attachment.pk}
    )
    return {
        "id": attachment.pk,
        "original_name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "download_url": absolute(request, download),
        "file_url": signed_file_url(request, attachment.pk),
        "thumbnail_url": signed_thumbnail_url(request, attachment.pk, attachment.content_type),
        "created_at": _DATETIME.to_representation(attachment.created_at),
    }
