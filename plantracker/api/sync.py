"""Offline sync for cached lists: `updated_since` with an overlap window, and tombstones.

Why an overlap window. `updated_at` is stamped when a row is written, not when its
transaction commits. A transaction that writes at 10:00:00 and commits at 10:00:07 is
invisible to a client that synced at 10:00:05 and got rows up to 10:00:04; if the next
sync asked for `updated_at > 10:00:05`, the 10:00:00 row would never be sent. So the
filter looks back `settings.PLANTRACKER["SYNC_OVERLAP_SECONDS"]` (default 300) before
the client's cursor: any transaction shorter than the window (and any clock skew between
web processes smaller than it) is caught on the next sync. The price is that rows
changed inside the window come again; clients upsert by `id`, so duplicates are
harmless. Long batch writes (imports, reminder runs) must commit in chunks shorter than
the window, or the window must be raised.

Tombstones. A deleted or archived object cannot appear in a list, so the app records
its deletions (tasks_app: `Tombstone` rows, tasks_app/org/tombstones.py) and its list
views answer `sync_deleted_ids(cutoff)`. When `updated_since` is given, the FIRST page of
a list (no `cursor` parameter) starts with `{"id": <object id>, "deleted": true}` for
every such object gone since the overlapped cursor and visible to the caller. They come
before the live rows, so a client applying results in order ends with the right state
even when an object was tombstoned and later restored.

Which time to send next: every sync response carries `X-Server-Time` (the server's
time when the request began); send it back as `updated_since` next time.

Use in a list view (see `SyncListMixin`):

    class MilestoneListView(SyncListMixin, ListAPIView):
        sync_resource = "milestone"      # Tombstone.resource of this list
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from plantracker.api.pagination import StandardCursorPagination

PARAM = "updated_since"
SERVER_TIME_HEADER = "X-Server-Time"
TOMBSTONE_SCHEMA = {
    "type": "object",
    "description": "A deleted or no longer visible object: remove it from the local cache.",
    "properties": {
        "id": {"type": "integer"},
        "deleted": {"type": "boolean", "enum": [True]},
    },
    "required": ["id", "deleted"],
}
TOMBSTONE_REF = "#/components/schemas/Tombstone"
# "+08:00" sent unencoded in a query string arrives as " 08:00": accept it.
_SPACE_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


def overlap() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PLANTRACKER["SYNC_OVERLAP_SECONDS"])


def parse_updated_since(raw: str | None) -> dt.datetime | None:
    """The client's cursor as an aware datetime, or None when absent; 400 when malformed."""
    if raw is None or raw == "":
        return None
    text = _SPACE_OFFSET.sub(r"+\1", raw.strip())
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    invalid = ValidationError(
        {PARAM: [_("时间格式无效，应为带时区偏移的 ISO 8601，如 2025-03-01T08:00:00+08:00。")]},
        code="invalid",
    )
    if value is None:
        raise invalid
    if timezone.is_naive(value):
        raise ValidationError(
            {PARAM: [_("时间必须包含时区偏移，如 +08:00 或 Z。")]}, code="invalid"
        )
    try:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows (500 before).
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+08:00 is before year 1 in UTC
        raise invalid from None


def sync_cutoff(request: Request) -> dt.datetime | None:
    """The overlapped lower bound for `updated_at`, or None when no `updated_since`."""
    since = parse_updated_since(request.query_params.get(PARAM))
    if since is None:
        return None
    try:
        return since - overlap()
    except OverflowError:  # within the overlap of year 1: everything
        return dt.datetime.min.replace(tzinfo=dt.UTC)


class UpdatedSinceFilter(BaseFilterBackend):
    """`?updated_since=<ISO 8601 with offset>`: rows changed since then, minus the overlap."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        cutoff = sync_cutoff(request)
        if cutoff is None:
            return queryset
        field = getattr(view, "sync_updated_field", "updated_at")
        return queryset.filter(**{f"{field}__gte": cutoff})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": PARAM,
                "required": False,
                "in": "query",
                "description": (
                    "Only rows changed since this time (ISO 8601 with offset), looking back "
                    "SYNC_OVERLAP_SECONDS; the first page then starts with tombstones "
                    '{"id", "deleted": true}. Send back the X-Server-Time header next time.'
                ),
                "schema": {"type": "string", "format": "date-time"},
            }
        ]

    def get_schema_validation_errors(self, view: Any) -> dict[str, set[str]]:
        """Hook read by plantracker.api.schema: this backend may fail `updated_since`."""
        return {PARAM: {"invalid"}}


class SyncCursorPagination(StandardCursorPagination):
    """Cursor pagination whose result items may also be tombstones (schema only)."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        wrapped = super().get_paginated_response_schema(schema)
        results = wrapped["properties"]["results"]
        # the named component "Tombstone" (plantracker.api.schema.postprocess_tombstone)
        results["items"] = {"oneOf": [results["items"], {"$ref": TOMBSTONE_REF}]}
        return wrapped


class StableOrderingFilter(OrderingFilter):
    """`?ordering=` with `id` appended as a tie-breaker.

    Cursor pagination pages by the first ordering field; when many rows share its value
    (milestones on a quarter's last day), rows with equal values must come in the same
    order on every query, or pages repeat and skip rows.
    """

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or {"id", "-id", "pk", "-pk"} & set(ordering):
            return ordering
        return [*ordering, "-id" if ordering[0].startswith("-") else "id"]


SYNC_FILTER_BACKENDS = [
    StableOrderingFilter if backend is OrderingFilter else backend
    for backend in api_settings.DEFAULT_FILTER_BACKENDS
] + [UpdatedSinceFilter]


class SyncListMixin:
    """For ListAPIView subclasses: `updated_since`, first-page tombstones, X-Server-Time.

    Set `sync_resource` (the Tombstone.resource); override `sync_tombstones()` when the
    default visibility (the caller's departments, or a task the caller sees) is wrong for
    the resource. A view that sets its own `filter_backends` must keep UpdatedSinceFilter.
    """

    sync_resource: str = ""
    sync_updated_field: str = "updated_at"
    pagination_class = SyncCursorPagination
    filter_backends = SYNC_FILTER_BACKENDS

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if UpdatedSinceFilter not in cls.filter_backends:
            raise TypeError(f"{cls.__name__}.filter_backends must include UpdatedSinceFilter")

    def sync_deleted_ids(self, cutoff: dt.datetime) -> list[int]:
        """Ids of this resource's objects that left the caller's view since `cutoff`.

        Generic plumbing knows no records of deletions: the app's mixin answers this
        (tasks_app.api.sync.SyncListMixin reads its tombstones).
        """
        return []

    def get_sync_resource(self) -> str:
        return self.sync_resource

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        started = timezone.now()
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(self.get_serializer(page if page is not None else queryset, many=True).data)
        cutoff = sync_cutoff(request)
        cursor_param = getattr(self.paginator, "cursor_query_param", "cursor")
        first_page = not request.query_params.get(cursor_param)
        if cutoff is not None and first_page:
            deleted = [{"id": pk, "deleted": True} for pk in self.sync_deleted_ids(cutoff)]
            rows = deleted + rows
        response = self.get_paginated_response(rows) if page is not None else Response(rows)
        response[SERVER_TIME_HEADER] = started.isoformat()
        return response
