"""The per-task children of an import: co-departments, key results and milestones.

Bulk writes keyed by (task, order/sequence); reported actuals and completed
milestones are kept whatever the file says.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from tasks_app.models import Department, KeyResult, Milestone, Task
from tasks_app.plans.enrichment import Enrichment, MilestoneSpec
from tasks_app.plans.parser import ParsedPlan

if TYPE_CHECKING:
    from tasks_app.plans.importer import ImportResult

QUARTER_ENDS = ((3, 31), (6, 30), (9, 30))


def default_milestones(*, year: int, due: dt.date) -> list[MilestoneSpec]:
    """Quarter-end checkpoints before the deadline, then the deadline itself."""
    specs = [
        MilestoneSpec(due=dt.date(year, month, day), title=f"第{index}季度进展节点")
        for index, (month, day) in enumerate(QUARTER_ENDS, start=1)
        if dt.date(year, month, day) < due
    ]
    specs.append(MilestoneSpec(due=due, title="完成时限"))
    return specs


def _co_departments_sync(
    enrichment: Enrichment, tasks: dict[str, Task], departments: dict[str, Department]
) -> tuple[int, int]:
    link = Task.co_departments.through
    current = set(
        link.objects.filter(task__in=tasks.values()).values_list("task_id", "department_id")
    )
    wanted = {
        (tasks[code].pk, departments[dep].pk)
        for code, spec in enrichment.tasks.items()
        if code in tasks
        for dep in spec.co
        if dep != spec.lead
    }
    stale = current - wanted
    for task_id, dep_id in stale:  # few rows; each a keyed delete
        link.objects.filter(task_id=task_id, department_id=dep_id).delete()
    added = sorted(wanted - current)
    link.objects.bulk_create([link(task_id=t, department_id=d) for t, d in added])
    return len(added), len(stale)


def _key_results_sync(parsed: ParsedPlan, tasks: dict[str, Task]) -> tuple[int, int]:
    existing = {(k.task_id, k.order): k for k in KeyResult.objects.filter(task__in=tasks.values())}
    new, changed, keep = [], [], set()
    for pt in (t for c in parsed.chapters for m in c.measures for t in m.tasks):
        task = tasks[pt.code]
        for order, kr in enumerate(pt.key_results, start=1):
            keep.add((task.pk, order))
            row = existing.get((task.pk, order))
            values = {
                "value": kr.value,
                "unit": kr.unit,
                "label": kr.label[:100],
                "raw": kr.raw[:100],
            }
            if row is None:
                new.append(KeyResult(task=task, order=order, **values))
            elif any(getattr(row, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(row, f, v)
                changed.append(row)
    stale = [k.pk for key, k in existing.items() if key not in keep]
    KeyResult.objects.filter(pk__in=stale).delete()
    KeyResult.objects.bulk_create(new)
    KeyResult.objects.bulk_update(changed, ["value", "unit", "label", "raw"])
    return len(new), len(changed) + len(stale)


def _milestones_sync(year: int, enrichment: Enrichment, tasks: dict[str, Task]) -> tuple[int, int]:
    existing = {
        (m.task_id, m.sequence): m for m in Milestone.objects.filter(task__in=tasks.values())
    }
    new, changed, keep = [], [], set()
    for code, task in tasks.items():
        spec = enrichment.tasks.get(code)
        wanted = (spec.milestones if spec and spec.milestones else None) or default_milestones(
            year=year, due=task.due_date
        )
        wanted = sorted(wanted, key=lambda m: m.due)
        if wanted[-1].due != task.due_date:
            wanted.append(MilestoneSpec(due=task.due_date, title="完成时限"))
        for seq, ms in enumerate(wanted, start=1):
            keep.add((task.pk, seq))
            is_final = seq == len(wanted)
            row = existing.get((task.pk, seq))
            if row is None:
                new.append(
                    Milestone(
                        task=task,
                        sequence=seq,
                        title=ms.title,
                        due_date=ms.due,
                        original_due_date=ms.due,
                        is_final=is_final,
                    )
                )
            elif row.completed_at is None and (row.title, row.due_date, row.is_final) != (
                ms.title,
                ms.due,
                is_final,
            ):
                row.title, row.due_date, row.is_final = ms.title, ms.due, is_final
                row.updated_at = timezone.now()  # bulk_update skips auto_now
                changed.append(row)
    stale = [m.pk for key, m in existing.items() if key not in keep and m.completed_at is None]
    Milestone.objects.filter(pk__in=stale).delete()
    Milestone.objects.bulk_create(new)
    Milestone.objects.bulk_update(changed, ["title", "due_date", "is_final", "updated_at"])
    return len(new), len(changed) + len(stale)


def children_sync(
    *,
    parsed: ParsedPlan,
    enrichment: Enrichment,
    tasks: dict[str, Task],
    departments: dict[str, Department],
    result: ImportResult,
) -> None:
    result.created["co_departments"], result.updated["co_departments"] = _co_departments_sync(
        enrichment, tasks, departments
    )
    result.created["key_results"], result.updated["key_results"] = _key_results_sync(parsed, tasks)
    result.created["milestones"], result.updated["milestones"] = _milestones_sync(
        parsed.year, enrichment, tasks
    )
