"""ETags for single objects: `If-None-Match` → 304 on GET, stale `If-Match` → 412 on writes.

The tag is derived from the object's `version` (tasks, bumped by every service write) or
its `updated_at`. Write services re-check the expected tag under a row lock, so two
concurrent writers holding the same tag cannot both succeed.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from plantracker.etags import check_if_match, etag_for, etags_match, parse_etags

__all__ = ["ETagRetrieveMixin", "check_if_match", "etag_for", "if_match_header"]


def if_match_header(request: Request) -> str | None:
    return request.headers.get("If-Match")


class ETagRetrieveMixin:
    """For RetrieveAPIView-style views: sets ETag, answers If-None-Match with 304."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        tag = etag_for(instance)
        wanted = parse_etags(request.headers.get("If-None-Match"))
        if any(etags_match(t, tag) or t == "*" for t in wanted):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = tag
        return response
