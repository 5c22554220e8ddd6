"""Reads of the year rollover: which tasks would be carried, and a task's carry links."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from tasks_app.models import Plan, Task, TaskStatus
from tasks_app.workflow.rules import OPEN_STATUSES


def tasks_to_carry(plan: Plan) -> QuerySet[Task]:
    """The plan's unfinished tasks (not started, in progress, pending review, suspended),
    not archived and not carried yet, in plan order."""
    return (
        Task.objects.filter(plan=plan, is_archived=False, status__in=OPEN_STATUSES)
        .filter(carried_to__isnull=True)
        .select_related("lead_department", "chapter", "measure")
        .order_by("chapter__number", "measure__number", "sentence_no", "pk")
    )


def _link(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "code": row["code"], "plan": row["plan_id"], "year": row["year"]}


def carry_links(task: Task) -> dict[str, dict[str, Any] | None]:
    """{"carried_from": …, "carried_to": …}: the task this one continues and the task that
    continues it ({id, code, plan, year} or None). One query."""
    # Only a carried-over task continues elsewhere, and only a task with carried_from
    # continues one: for every other task there is nothing to look up.
    if task.pk is None or (task.carried_from_id is None and task.status != TaskStatus.CARRIED_OVER):
        return {"carried_from": None, "carried_to": None}
    rows = Task.objects.filter(Q(pk=task.carried_from_id) | Q(carried_from_id=task.pk)).values(
        "id", "code", "plan_id", "carried_from_id", year=F("plan__year")
    )
    links: dict[str, dict[str, Any] | None] = {"carried_from": None, "carried_to": None}
    for row in rows:
        if row["id"] == task.carried_from_id:
            links["carried_from"] = _link(row)
        elif row["carried_from_id"] == task.pk:
            links["carried_to"] = _link(row)
    return links
