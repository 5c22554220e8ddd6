"""ETags for single objects: `If-None-Match` → 304 on GET, stale `If-Match` → 412 on writes.

The tag is derived from the object's `version` (tasks, bumped by every service write) or
its `updated_at`. Write services re-check the expected tag under a row lock, so two
concurrent writers holding the same tag cannot both succeed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from plantracker.api.exceptions import PreconditionFailed


def etag_for(obj: Model) -> str:
    marker = getattr(obj, "version", None)
    if marker is None:
        updated = getattr(obj, "updated_at", None)
        marker = updated.isoformat() if updated else "0"
    return f'W/"{obj._meta.model_name}-{obj.pk}-{marker}"'


def _tags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip() for tag in header.split(",") if tag.strip()}


def _weak_equal(left: str, right: str) -> bool:
    return left.removeprefix("W/") == right.removeprefix("W/")


def if_match_header(request: Request) -> str | None:
    return request.headers.get("If-Match")


def check_if_match(header: str | None, current_etag: str) -> None:
    """Raise 412 when an `If-Match` header is given and none of its tags match."""
    tags = _tags(header)
    if not tags or "*" in tags:
        return
    if not any(_weak_equal(tag, current_etag) for tag in tags):
        raise PreconditionFailed()


class ETagRetrieveMixin:
    """For RetrieveAPIView-style views: sets ETag, answers If-None-Match with 304."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        tag = etag_for(instance)
        wanted = _tags(request.headers.get("If-None-Match"))
        if any(_weak_equal(t, tag) or t == "*" for t in wanted):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = tag
        return response
