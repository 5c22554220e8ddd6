"""The per-task children of an import: co-departments, key results and milestones.

children_create writes them for new tasks from the file; children_apply writes the
merged changes (tasks_app.plans.merge) to existing ones: a milestone by its
sequence, a key result by its order, co-departments per department. Reported actuals,
completed milestones and milestones with extension requests never reach here as a change
(the merge reports them as conflicts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tasks_app.models import Department, KeyResult, Milestone, Task
from tasks_app.plans.merge import Change, default_milestones

__all__ = ["children_apply", "children_create", "default_milestones"]


def _milestone(task: Task, sequence: int, value: list[Any]) -> Milestone:
    due, title, is_final = value
    day = dt.date.fromisoformat(due)
    return Milestone(
        task=task,
        sequence=sequence,
        title=title,
        due_date=day,
        original_due_date=day,
        is_final=is_final,
    )


def _key_result(task: Task, order: int, value: list[Any]) -> KeyResult:
    amount, unit, label, raw = value
    return KeyResult(task=task, order=order, value=Decimal(amount), unit=unit, label=label, raw=raw)


def children_create(
    *, file: dict[str, Any], tasks: dict[str, Task], departments: dict[str, Department]
) -> None:
    link = Task.co_departments.through
    co, milestones, key_results = [], [], []
    for code, task in tasks.items():
        f = file["tasks"][code]
        co += [link(task_id=task.pk, department_id=departments[d].pk) for d in f["co_departments"]]
        milestones += [_milestone(task, i, m) for i, m in enumerate(f["milestones"], start=1)]
        key_results += [_key_result(task, i, k) for i, k in enumerate(f["key_results"], start=1)]
    link.objects.bulk_create(co)
    Milestone.objects.bulk_create(milestones)
    KeyResult.objects.bulk_create(key_results)


def _positions(changes: Iterable[Change], prefix: str, tasks: dict[str, Task]) -> list[tuple]:
    return [
        (tasks[c.code], int(c.field.split(":", 1)[1]), c.new)
        for c in changes
        if c.field.startswith(prefix + ":")
    ]


def _co_apply(changes: list[Change], tasks: dict[str, Task], departments: dict) -> None:
    link = Task.co_departments.through
    for change in (c for c in changes if c.field == "co_departments"):
        task = tasks[change.code]
        gone = set(change.old) - set(change.new)
        link.objects.filter(
            task_id=task.pk, department__code__in=gone
        ).delete()  # link rows only: the departments and the task stay
        link.objects.bulk_create(
            link(task_id=task.pk, department_id=departments[d].pk)
            for d in sorted(set(change.new) - set(change.old))
        )


def _milestones_apply(changes: list[Change], tasks: dict[str, Task]) -> None:
    rows = _positions(changes, "milestone", tasks)
    if not rows:
        return
    existing = {
        (m.task_id, m.sequence): m
        for m in Milestone.objects.filter(task__in={t.pk for t, _, _ in rows})
    }
    gone, changed, new = [], [], []
    stamp = timezone.now()
    for task, seq, value in rows:
        row = existing.get((task.pk, seq))
        if value is None:
            gone.append(row.pk)
        elif row is None:
            new.append(_milestone(task, seq, value))
        else:
            due, row.title, row.is_final = value
            row.due_date, row.updated_at = dt.date.fromisoformat(due), stamp
            changed.append(row)
    Milestone.objects.filter(pk__in=gone, completed_at__isnull=True).delete()
    Milestone.objects.bulk_update(changed, ["title", "due_date", "is_final", "updated_at"])
    Milestone.objects.bulk_create(new)


def _key_results_apply(changes: list[Change], tasks: dict[str, Task]) -> None:
    rows = _positions(changes, "key_result", tasks)
    if not rows:
        return
    existing = {
        (k.task_id, k.order): k
        for k in KeyResult.objects.filter(task__in={t.pk for t, _, _ in rows})
    }
    gone, changed, new = [], [], []
    for task, order, value in rows:
        row = existing.get((task.pk, order))
        if value is None:
            gone.append(row.pk)
        elif row is None:
            new.append(_key_result(task, order, value))
        else:
            amount, row.unit, row.label, row.raw = value
            row.value = Decimal(amount)
            changed.append(row)
    KeyResult.objects.filter(pk__in=gone, actual_value__isnull=True).delete()
    KeyResult.objects.bulk_update(changed, ["value", "unit", "label", "raw"])
    KeyResult.objects.bulk_create(new)


def children_apply(
    *, changes: list[Change], tasks: dict[str, Task], departments: dict[str, Department]
) -> None:
    _co_apply(changes, tasks, departments)
    _milestones_apply(changes, tasks)
    _key_results_apply(changes, tasks)
