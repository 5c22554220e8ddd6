"""Tombstones: records of objects that left someone's view, for the API's offline sync.

A deleted or archived object cannot appear in a list, so writers record a `Tombstone`
(resource, object_id, task_id, department_ids) in the same transaction, via
`tombstone_record(...)`; a list's first `updated_since` page starts with the ones the
caller may know of (plantracker/api/sync.py, tasks_app/api/sync.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from tasks_app.models import TaskStatus, Tombstone, User
from tasks_app.org.visibility import sees_everything, tasks_visible_to, user_department_ids


def tombstone_record(
    *,
    resource: str,
    object_id: int,
    task_id: int | None = None,
    department_ids: Iterable[int] = (),
) -> None:
    """Upsert the tombstone of one object (call inside the deleting service's transaction)."""
    tombstones_record(resource=resource, rows=[(object_id, task_id, department_ids)])


def tombstones_record(
    *, resource: str, rows: Iterable[tuple[int, int | None, Iterable[int]]]
) -> int:
    """Upsert many tombstones in one statement: rows of (object_id, task_id, department_ids)."""
    objs = [
        Tombstone(
            resource=resource,
            object_id=object_id,
            task_id=task_id,
            department_ids=sorted({int(d) for d in department_ids}),
        )
        for object_id, task_id, department_ids in rows
    ]
    if not objs:
        return 0
    Tombstone.objects.bulk_create(
        objs,
        update_conflicts=True,
        unique_fields=["resource", "object_id"],
        update_fields=["task_id", "department_ids", "updated_at"],
    )
    return len(objs)


def tombstone_clear(*, resource: str, object_ids: Iterable[int]) -> int:
    """Forget tombstones of restored objects (e.g. a task taken out of the archive)."""
    stale = Tombstone.objects.filter(resource=resource, object_id__in=list(object_ids))
    deleted, _ = stale.delete()
    return deleted


def _departments_contain(department_ids: list[int]) -> Q:
    """Tombstone.department_ids shares an element with `department_ids`."""
    condition = Q(pk__in=[])
    if connection.vendor == "postgresql":
        for dep in department_ids:
            condition |= Q(department_ids__contains=[dep])
        return condition
    # SQLite (local `make run`): JSON is stored as text like "[3, 17]".
    for dep in department_ids:
        condition |= Q(department_ids_text__regex=rf"[\[ ,]{dep}[,\]]")
    return condition


def tombstones_visible_to(user: User, tombstones: QuerySet[Tombstone]) -> QuerySet[Tombstone]:
    """Tombstones whose departments include one of the user's, or whose task the user sees."""
    if sees_everything(user):
        return tombstones
    if connection.vendor != "postgresql":
        tombstones = tombstones.annotate(department_ids_text=Cast("department_ids", TextField()))
    visible_task = Q(task_id__in=tasks_visible_to(user).values("pk"))
    return tombstones.filter(visible_task | _departments_contain(user_department_ids(user)))


def tombstone_ids_since(tombstones: QuerySet[Tombstone], cutoff: dt.datetime) -> list[int]:
    """The object ids of the tombstones stamped at or after `cutoff`, oldest first (one query)."""
    ids = (
        tombstones.filter(updated_at__gte=cutoff)
        .order_by("updated_at", "object_id")
        .values_list("object_id", flat=True)
    )
    return list(ids)


# A task that left one person's view (department taken off the task, lead department
# changed, membership ended, task deleted): written by database triggers (migration 0008),
# one row per person and task.
TASK_LEFT_PREFIX = "task:user:"


def task_left_resource(user_id: int) -> str:
    return f"{TASK_LEFT_PREFIX}{user_id}"


def tasks_left_view_since(user: User, cutoff: dt.datetime) -> list[int]:
    """Ids of tasks that left `user`'s view at or after `cutoff` and that the user does not
    see now (a task still seen through another department is not gone), oldest first."""
    ids = (
        Tombstone.objects.filter(resource=task_left_resource(user.pk), updated_at__gte=cutoff)
        .exclude(object_id__in=tasks_visible_to(user).values("pk"))
        .order_by("updated_at", "object_id")
        .values_list("object_id", flat=True)
    )
    return list(ids)


def tasks_withdrawn_since(user: User, cutoff: dt.datetime) -> list[int]:
    """Ids of tasks `user` may see that were withdrawn (已撤销: their sentence left the plan
    text at a re-import) at or after `cutoff`, oldest first. A withdrawn task is no longer
    anyone's work: an offline cache drops it (it stays readable by id, and listed with
    `?status=withdrawn`); a restored one comes back as a live row, its updated_at moved."""
    ids = (
        tasks_visible_to(user)
        .filter(status=TaskStatus.WITHDRAWN, updated_at__gte=cutoff)
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(ids)
