"""ETags of single objects, and the stale-write check services make under the row lock.

The tag is derived from the object's `version` (tasks, bumped by every service write) or
its `updated_at`. Domain code: the API (plantracker/api/concurrency.py) adds the HTTP side.
"""

from __future__ import annotations

from django.db.models import Model

from plantracker.errors import PreconditionFailed


def etag_for(obj: Model) -> str:
    marker = getattr(obj, "version", None)
    if marker is None:
        updated = getattr(obj, "updated_at", None)
        marker = updated.isoformat() if updated else "0"
    return f'W/"{obj._meta.model_name}-{obj.pk}-{marker}"'


def parse_etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip() for tag in header.split(",") if tag.strip()}


def etags_match(left: str, right: str) -> bool:
    return left.removeprefix("W/") == right.removeprefix("W/")


def check_if_match(header: str | None, current_etag: str) -> None:
    """Raise 412 when an `If-Match` header is given and none of its tags match."""
    tags = parse_etags(header)
    if not tags or "*" in tags:
        return
    if not any(etags_match(tag, current_etag) for tag in tags):
        raise PreconditionFailed()
