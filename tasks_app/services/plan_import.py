"""plan_import: load a plan text + enrichment file into the database, idempotently.

One transaction. Structure (chapters, measures, tasks, key results, milestones,
indicators) is upserted by stable keys with bulk writes; workflow state (status,
progress, owner, reports, history) is never touched, so re-running after an edit of
the enrichment file updates in place and loses nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from indicators_app.services import indicators_sync
from tasks_app.enrichment import Enrichment, EnrichmentError, TaskSpec
from tasks_app.models import Chapter, Department, HistoryEvent, IssuingBody, Measure, Plan, Task
from tasks_app.plan_parser import ParsedPlan, ParsedTask, parse_plan
from tasks_app.services.plan_identity import (
    body_departments,
    body_spec,
    check_plan_open,
    issuing_body_get_or_create,
    plan_kind,
)
from tasks_app.services.plan_import_children import children_sync

SYNCED_TASK_FIELDS = (
    "chapter",
    "measure",
    "sentence_no",
    "text",
    "title",
    "lead_department",
    "due_date",
)


@dataclass
class ImportResult:
    plan: Plan | None
    parsed: ParsedPlan
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    defaulted_tasks: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def _check_codes(parsed: ParsedPlan, enrichment: Enrichment) -> None:
    known = {t.code for c in parsed.chapters for m in c.measures for t in m.tasks}
    unknown = sorted(set(enrichment.tasks) - known)
    if unknown:
        raise EnrichmentError(f"tasks: codes not in the plan text: {', '.join(unknown)}", None)


def _departments_sync(
    body: IssuingBody, enrichment: Enrichment, result: ImportResult
) -> dict[str, Department]:
    existing = body_departments(body)
    new, changed = [], []
    for spec in enrichment.departments:
        kind = spec.get("kind", Department.Kind.BUREAU)
        dep = existing.get(spec["code"])
        if dep is None:
            new.append(Department(body=body, code=spec["code"], name=spec["name"], kind=kind))
        elif (dep.name, dep.kind) != (spec["name"], kind):
            dep.name, dep.kind, dep.updated_at = spec["name"], kind, timezone.now()
            changed.append(dep)
    Department.objects.bulk_create(new)
    Department.objects.bulk_update(changed, ["name", "kind", "updated_at"])
    result.created["departments"], result.updated["departments"] = len(new), len(changed)
    return body_departments(body)


def _plan_sync(
    body: IssuingBody, kind: str, parsed: ParsedPlan, enrichment: Enrichment, text: str
) -> Plan:
    title = enrichment.plan.get("title") or parsed.title
    plan, _ = Plan.objects.update_or_create(
        body=body,
        year=parsed.year,
        kind=kind,
        defaults={
            "title": title,
            "source": enrichment.plan.get("source", ""),
            "source_text": text,
            "imported_at": timezone.now(),
        },
    )
    return plan


def _structure_sync(plan: Plan, parsed: ParsedPlan) -> dict[tuple[int, int], Measure]:
    measures: dict[tuple[int, int], Measure] = {}
    for pc in parsed.chapters:
        chapter, _ = Chapter.objects.update_or_create(
            plan=plan, number=pc.number, defaults={"title": pc.title}
        )
        for pm in pc.measures:
            measure, _ = Measure.objects.update_or_create(
                chapter=chapter, number=pm.number, defaults={"title": pm.title, "text": pm.text}
            )
            measures[(pc.number, pm.number)] = measure
    return measures


def _default_lead(enrichment: Enrichment, departments: dict[str, Department]) -> Department:
    code = enrichment.plan.get("default_lead") or "fgw"
    return departments.get(code) or next(iter(departments.values()))


def _task_values(
    pt: ParsedTask,
    spec: TaskSpec,
    measure: Measure,
    departments: dict[str, Department],
    default_due: dt.date,
) -> dict[str, Any]:
    return {
        "chapter": measure.chapter,
        "measure": measure,
        "sentence_no": pt.sentence_no,
        "text": pt.text,
        "title": pt.title,
        "lead_department": departments[spec.lead],
        "due_date": spec.due or default_due,
    }


def _history(task: Task, action: str, field_name: str, old: Any, new: Any) -> HistoryEvent:
    return HistoryEvent(
        task=task,
        actor=None,
        action=action,
        field=field_name,
        from_value=old,
        to_value=new,
        reason="import_plan",
    )


def _tasks_sync(
    plan: Plan,
    parsed: ParsedPlan,
    enrichment: Enrichment,
    measures: dict[tuple[int, int], Measure],
    departments: dict[str, Department],
    result: ImportResult,
) -> dict[str, Task]:
    existing = {t.code: t for t in Task.objects.filter(plan=plan)}
    default_due = enrichment.default_due or dt.date(parsed.year, 12, 31)
    lead = _default_lead(enrichment, departments)
    new, changed, history = [], [], []
    for pt in (t for c in parsed.chapters for m in c.measures for t in m.tasks):
        spec = enrichment.tasks.get(pt.code)
        if spec is None:
            result.defaulted_tasks.append(pt.code)
            spec = TaskSpec(lead=lead.code)
        values = _task_values(
            pt, spec, measures[(pt.chapter_no, pt.measure_no)], departments, default_due
        )
        task = existing.get(pt.code)
        if task is None:
            new.append(
                Task(
                    plan=plan,
                    code=pt.code,
                    start_date=dt.date(parsed.year, 1, 1),
                    original_due_date=values["due_date"],
                    **values,
                )
            )
            continue
        diffs = [f for f in SYNCED_TASK_FIELDS if getattr(task, f) != values[f]]
        for name in diffs:
            old, value = getattr(task, name), values[name]
            if name in ("lead_department", "due_date"):
                history.append(_history(task, "import_update", name, str(old), str(value)))
            setattr(task, name, value)
        if diffs:
            task.version += 1
            task.updated_at = timezone.now()  # bulk_update skips auto_now
            changed.append(task)
    Task.objects.bulk_create(new)
    Task.objects.bulk_update(changed, [*SYNCED_TASK_FIELDS, "version", "updated_at"])
    history += [_history(t, "imported", "", None, t.code) for t in new]
    HistoryEvent.objects.bulk_create(history)
    result.created["tasks"], result.updated["tasks"] = len(new), len(changed)
    # The file's tasks only: tasks carried in from an earlier plan (结转) are not the
    # file's, so their co-departments, key results and milestones are left alone.
    return {t.code: t for t in Task.objects.filter(plan=plan, carried_from__isnull=True)}


@transaction.atomic
def plan_import(
    *, text: str, enrichment: Enrichment, body_code: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Parse `text`, apply `enrichment`, upsert everything. Raises PlanParseError.

    The plan is identified by (issuing body, year, kind): `body_code`, else the
    enrichment's `plan.body`, else the default body (tasks_app.services.plan_identity);
    nothing of another body is read or written.
    """
    parsed = parse_plan(text)
    _check_codes(parsed, enrichment)
    spec, kind = body_spec(enrichment=enrichment, code=body_code), plan_kind(enrichment)
    result = ImportResult(plan=None, parsed=parsed)
    if dry_run:
        return result
    body = issuing_body_get_or_create(spec=spec)
    check_plan_open(body=body, year=parsed.year, kind=kind)
    departments = _departments_sync(body, enrichment, result)
    plan = _plan_sync(body, kind, parsed, enrichment, text)
    measures = _structure_sync(plan, parsed)
    tasks = _tasks_sync(plan, parsed, enrichment, measures, departments, result)
    children_sync(
        parsed=parsed, enrichment=enrichment, tasks=tasks, departments=departments, result=result
    )
    indicators_sync(
        plan=plan, parsed=parsed, enrichment=enrichment, departments=departments, result=result
    )
    result.plan = plan
    return result
