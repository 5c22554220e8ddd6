"""plan_import: load a plan text + enrichment file by a three-way merge, in one transaction.

The merge itself (what the file says now, what it said at the last import, what the
database holds) is computed by tasks_app.plans.merge without writing; this module
writes exactly that diff: structure (chapters, measures), new tasks with their children,
field changes the file made where people did not, withdrawn (撤销) and restored tasks,
indicators, one history row per change (reason "import_plan"), and a PlanImport row with
the file's snapshot, the base of the next import. Workflow state (owner, status, progress,
reports, extensions, history) is never touched, except that a task whose sentence left
the plan text is withdrawn (and restored, with its earlier status, when it comes back).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tasks_app.models import (
    Chapter,
    Department,
    HistoryEvent,
    IssuingBody,
    Measure,
    Plan,
    PlanImport,
    PlanStatus,
    Task,
    TaskStatus,
    User,
)
from tasks_app.org.principal_cache import principal_forget_departments
from tasks_app.parsing.parser import ParsedPlan, parse_plan
from tasks_app.plans.enrichment import Enrichment, EnrichmentError
from tasks_app.plans.identity import (
    body_departments,
    body_spec,
    issuing_body_get_or_create,
    plan_kind,
)
from tasks_app.plans.import_children import children_apply, children_create
from tasks_app.plans.merge import (
    Change,
    PlanDiff,
    db_state,
    file_state,
    group_changes,
    merge_fields,
    merge_tasks,
)
from tasks_app.plans.steps import PlanPart, plan_part

IMPORT_REASON = "import_plan"
NO_INDICATORS = PlanPart(
    name="indicators",
    check=lambda parsed, enrichment: None,
    file_state=lambda parsed, enrichment: {},
    db_state=lambda plan: {},
    apply=lambda **kwargs: None,
)


def _indicators() -> PlanPart:
    """indicators_app's share of the plan (registered at its ready()), or nothing."""
    return plan_part("indicators") or NO_INDICATORS


SCALAR_TASK_FIELDS = ("title", "text", "lead_department", "due_date")


@dataclass
class ImportResult:
    plan: Plan | None
    parsed: ParsedPlan
    diff: PlanDiff
    dry_run: bool = False
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    plan_import: PlanImport | None = None
    problems: list[str] = field(default_factory=list)  # a dry run's reasons the import would fail

    @property
    def changed(self) -> bool:
        return not self.diff.empty

    @property
    def defaulted_tasks(self) -> list[str]:
        return [w for w in self.diff.warnings if "got defaults" in w]


def file_hashes(*, text: str, enrichment: Enrichment | None) -> tuple[str, str]:
    """sha256 of the plan text and of the parsed enrichment (its repr is deterministic)."""
    text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    enrichment_hash = (
        hashlib.sha256(repr(enrichment).encode("utf-8")).hexdigest() if enrichment else ""
    )
    return text_hash, enrichment_hash


def import_is_current(*, text: str, enrichment: Enrichment | None) -> bool:
    """Whether these exact files were the latest import of some plan (a cheap check)."""
    text_hash, enrichment_hash = file_hashes(text=text, enrichment=enrichment)
    for plan_id in PlanImport.objects.filter(
        text_sha256=text_hash, enrichment_sha256=enrichment_hash
    ).values_list("plan_id", flat=True):
        last = PlanImport.objects.filter(plan_id=plan_id).order_by("-imported_at", "-id").first()
        if last and (last.text_sha256, last.enrichment_sha256) == (text_hash, enrichment_hash):
            return True
    return False


def _check_codes(parsed: ParsedPlan, enrichment: Enrichment) -> None:
    known = {t.code for c in parsed.chapters for m in c.measures for t in m.tasks}
    unknown = sorted(set(enrichment.tasks) - known)
    if unknown:
        raise EnrichmentError(f"tasks: codes not in the plan text: {', '.join(unknown)}", None)


def _structure_diff(plan: Plan | None, parsed: ParsedPlan) -> list[Change]:
    chapters = {c.number: c.title for c in Chapter.objects.filter(plan=plan)} if plan else {}
    measures = (
        {
            (m.chapter.number, m.number): (m.title, m.text)
            for m in Measure.objects.filter(chapter__plan=plan).select_related("chapter")
        }
        if plan
        else {}
    )
    changes = []
    for pc in parsed.chapters:
        if pc.number in chapters and chapters[pc.number] != pc.title:
            changes.append(Change(f"chapter {pc.number}", "title", chapters[pc.number], pc.title))
        for pm in pc.measures:
            old = measures.get((pc.number, pm.number))
            if old is None:
                continue  # a new measure: its tasks are listed as added
            for name, before, after in (("title", old[0], pm.title), ("text", old[1], pm.text)):
                if before != after:
                    changes.append(Change(f"measure {pc.number}.{pm.number}", name, before, after))
    return changes


def plan_diff(
    *,
    parsed: ParsedPlan,
    enrichment: Enrichment | None,
    plan: Plan | None,
    body: IssuingBody | None = None,
) -> tuple[PlanDiff, dict[str, Any]]:
    """The merge of the file against the plan's last snapshot and the database (no writes).

    Departments are the issuing body's only (`body`, None for a body not yet created)."""
    body_departments = Department.objects.filter(body=body) if body else Department.objects.none()
    last = PlanImport.objects.filter(plan=plan).order_by("-imported_at", "-id").first()
    base = last.snapshot if last else None
    known = sorted(
        {d["code"] for d in (enrichment.departments if enrichment else [])}
        | set(body_departments.values_list("code", flat=True))
    )
    diff = PlanDiff()
    file = file_state(
        parsed,
        enrichment,
        department_codes=known,
        indicators=_indicators().file_state(parsed, enrichment),
        warnings=diff.warnings,
    )
    merge_tasks(file, base, db_state(plan), diff)
    diff.indicators_added, diff.indicator_changes = merge_fields(
        "indicator",
        file["indicators"],
        base.get("indicators") if base else None,
        _indicators().db_state(plan),
        diff,
    )
    wanted = file["departments"]
    app_departments = {
        d["code"]: {"name": d["name"], "kind": d["kind"]}
        for d in body_departments.filter(code__in=wanted).values("code", "name", "kind")
    }
    diff.departments_added, diff.department_changes = merge_fields(
        "department", wanted, base.get("departments") if base else None, app_departments, diff
    )
    if plan is not None:
        _, diff.plan_changes = merge_fields(
            "plan",
            {"plan": file["plan"]},
            {"plan": base["plan"]} if base else None,
            {"plan": {"year": plan.year, "title": plan.title, "source": plan.source}},
            diff,
        )
    for code in diff.added:
        task = file["tasks"][code]
        if task.get("defaults", task)["lead_department"] in (None, ""):
            diff.warnings.append(f"{code}: no lead department known (assign one before importing)")
    diff.structure_changes = _structure_diff(plan, parsed)
    return diff, file


def _history(task_id: int, action: str, name: str, old: Any, new: Any) -> HistoryEvent:
    return HistoryEvent(
        task_id=task_id,
        actor=None,
        action=action,
        field=name,
        from_value=old,
        to_value=new,
        reason=IMPORT_REASON,
    )


def _departments_apply(
    diff: PlanDiff, file: dict[str, Any], body: IssuingBody
) -> dict[str, Department]:
    Department.objects.bulk_create(
        Department(body=body, code=code, **file["departments"][code])
        for code in diff.departments_added
    )
    if diff.department_changes:
        changed = {c.code for c in diff.department_changes}
        rows = {d.code: d for d in Department.objects.filter(body=body, code__in=changed)}
        for change in diff.department_changes:
            setattr(rows[change.code], change.field, change.new)
            rows[change.code].updated_at = timezone.now()
        Department.objects.bulk_update(list(rows.values()), ["name", "kind", "updated_at"])
        # bulk_update sends no signal: members' cached sign-ins show department names
        principal_forget_departments(department_ids=[d.pk for d in rows.values()])
    return body_departments(body)


def _plan_apply(
    plan: Plan | None,
    identity: tuple[IssuingBody, str],
    parsed: ParsedPlan,
    file: dict[str, Any],
    diff: PlanDiff,
    text: str,
) -> Plan:
    if plan is None:
        body, kind = identity
        return Plan.objects.create(
            body=body,
            kind=kind,
            year=parsed.year,
            title=file["plan"]["title"] or parsed.title,
            source=file["plan"]["source"],
            source_text=text,
            imported_at=timezone.now(),
        )
    for change in diff.plan_changes:
        setattr(plan, change.field, change.new)
    plan.source_text, plan.imported_at = text, timezone.now()
    plan.save()
    return plan


def _structure_apply(plan: Plan, parsed: ParsedPlan) -> dict:
    chapters = {c.number: c for c in Chapter.objects.filter(plan=plan)}
    measures = {
        (m.chapter.number, m.number): m
        for m in Measure.objects.filter(chapter__plan=plan).select_related("chapter")
    }
    for pc in parsed.chapters:
        chapter = chapters.get(pc.number)
        if chapter is None:
            chapter = chapters[pc.number] = Chapter.objects.create(
                plan=plan, number=pc.number, title=pc.title
            )
        elif chapter.title != pc.title:
            chapter.title = pc.title
            chapter.save(update_fields=["title"])
        for pm in pc.measures:
            measure = measures.get((pc.number, pm.number))
            if measure is None:
                measures[(pc.number, pm.number)] = Measure.objects.create(
                    chapter=chapter, number=pm.number, title=pm.title, text=pm.text
                )
            elif (measure.title, measure.text) != (pm.title, pm.text):
                measure.title, measure.text = pm.title, pm.text
                measure.save(update_fields=["title", "text"])
    return measures


def _tasks_create(
    plan: Plan,
    parsed: ParsedPlan,
    file: dict[str, Any],
    codes: list[str],
    measures: dict,
    departments: dict[str, Department],
) -> list[HistoryEvent]:
    new = []
    for code in codes:
        f = file["tasks"][code]
        if not f["lead_department"]:
            raise EnrichmentError(f"tasks.{code}: no lead department", None)
        measure = measures[(f["chapter"], f["measure"])]
        due = dt.date.fromisoformat(f["due_date"])
        new.append(
            Task(
                plan=plan,
                code=code,
                chapter_id=measure.chapter_id,
                measure=measure,
                sentence_no=f["sentence_no"],
                text=f["text"],
                title=f["title"],
                lead_department=departments[f["lead_department"]],
                start_date=dt.date(parsed.year, 1, 1),
                due_date=due,
                original_due_date=due,
            )
        )
    Task.objects.bulk_create(new)
    created = {t.code: t for t in Task.objects.filter(plan=plan, code__in=codes)}
    children_create(file=file, tasks=created, departments=departments)
    return [_history(t.pk, "imported", "", None, t.code) for t in created.values()]


def _model_value(name: str, value: Any, departments: dict[str, Department]) -> Any:
    if name == "lead_department":
        return departments[value]
    if name == "due_date":
        return dt.date.fromisoformat(value)
    return value


def _history_value(name: str, value: Any, departments: dict[str, Department]) -> Any:
    if name == "lead_department":
        return departments[value].pk if value in departments else value
    if name == "co_departments":
        return sorted(departments[c].pk for c in value if c in departments)
    return value


def _tasks_update(
    plan: Plan, diff: PlanDiff, departments: dict[str, Department]
) -> list[HistoryEvent]:
    by_task = group_changes(diff.changes)
    tasks = {t.code: t for t in Task.objects.filter(plan=plan, code__in=by_task)}
    history: list[HistoryEvent] = []
    stamp = timezone.now()
    for code, changes in by_task.items():
        task = tasks[code]
        for change in changes:
            if change.field in SCALAR_TASK_FIELDS:
                setattr(task, change.field, _model_value(change.field, change.new, departments))
            action = "import_update"
            if change.field.startswith(("milestone:", "key_result:")):
                action = "import_" + change.field.split(":", 1)[0]
            history.append(
                _history(
                    task.pk,
                    action,
                    change.field,
                    _history_value(change.field, change.old, departments),
                    _history_value(change.field, change.new, departments),
                )
            )
        task.version += 1
        task.updated_at = stamp  # bulk_update skips auto_now
    Task.objects.bulk_update(list(tasks.values()), [*SCALAR_TASK_FIELDS, "version", "updated_at"])
    children_apply(changes=diff.changes, tasks=tasks, departments=departments)
    return history


def _withdraw_and_restore(plan: Plan, diff: PlanDiff) -> list[HistoryEvent]:
    history: list[HistoryEvent] = []
    stamp = timezone.now()
    if diff.withdrawn:
        rows = list(
            Task.objects.filter(plan=plan, code__in=diff.withdrawn).values_list("pk", "status")
        )
        Task.objects.filter(pk__in=[pk for pk, _ in rows]).update(
            status=TaskStatus.WITHDRAWN, version=F("version") + 1, updated_at=stamp
        )
        history += [
            _history(pk, "import_withdraw", "status", status, TaskStatus.WITHDRAWN)
            for pk, status in rows
        ]
    if diff.restored:
        ids = dict(Task.objects.filter(plan=plan, code__in=diff.restored).values_list("code", "pk"))
        before: dict[int, str] = {}
        for task_id, status in (
            HistoryEvent.objects.filter(task_id__in=ids.values(), action="import_withdraw")
            .order_by("task_id", "at", "id")
            .values_list("task_id", "from_value")
        ):
            before[task_id] = status  # the latest withdrawal wins
        for pk in ids.values():
            status = before.get(pk) or TaskStatus.NOT_STARTED
            Task.objects.filter(pk=pk).update(
                status=status, version=F("version") + 1, updated_at=stamp
            )
            history.append(_history(pk, "import_restore", "status", TaskStatus.WITHDRAWN, status))
    return history


def _counts(diff: PlanDiff) -> tuple[dict[str, int], dict[str, int]]:
    created = {
        "tasks": len(diff.added),
        "indicators": len(diff.indicators_added),
        "departments": len(diff.departments_added),
    }
    updated = {
        "tasks": len(group_changes(diff.changes)),
        "fields": len(diff.changes),
        "withdrawn": len(diff.withdrawn),
        "restored": len(diff.restored),
        "indicators": len({c.code for c in diff.indicator_changes}),
        "departments": len({c.code for c in diff.department_changes}),
        "plan": len(diff.plan_changes),
        "structure": len(diff.structure_changes),
        "conflicts": len(diff.conflicts),
    }
    return created, updated


def _plain(value: Any) -> Any:
    """JSON for the import's summary (the merge's sentinels as their names)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool | dict):
        return value
    return repr(value)


def _summary(diff: PlanDiff, created: dict[str, int], updated: dict[str, int]) -> dict:
    """The counts, and what no task's history holds: indicator, department and plan
    changes, and the conflicts left as the app had them."""

    def changes(rows: list[Change]) -> list[list[Any]]:
        return [[c.code, c.field, _plain(c.old), _plain(c.new)] for c in rows]

    return {
        "created": created,
        "updated": updated,
        "withdrawn": diff.withdrawn,
        "restored": diff.restored,
        "indicator_changes": changes(diff.indicator_changes),
        "department_changes": changes(diff.department_changes),
        "plan_changes": changes(diff.plan_changes),
        "structure_changes": changes(diff.structure_changes),
        "conflicts": [
            [c.code, c.field, _plain(c.base), _plain(c.app), _plain(c.file)] for c in diff.conflicts
        ],
        "warnings": diff.warnings,
    }


def _import_problems(parsed: ParsedPlan, enrichment: Enrichment) -> list[EnrichmentError]:
    """What would make the real import fail, found without writing (the same checks)."""
    problems = []
    checks = (_check_codes, _indicators().check)
    for check in checks:
        try:
            check(parsed, enrichment)
        except EnrichmentError as exc:
            problems.append(exc)
    return problems


@transaction.atomic
def plan_import(
    *,
    text: str,
    enrichment: Enrichment | None,
    body_code: str | None = None,
    dry_run: bool = False,
    source: str = "",
    actor: User | None = None,
) -> ImportResult:
    """Parse `text`, merge it (with `enrichment`) into the plan; raises PlanParseError.

    dry_run computes the same diff and writes nothing; it alone works without an
    enrichment file (lead departments of new tasks are then defaults, in the warnings).
    """
    parsed = parse_plan(text)
    problems = _import_problems(parsed, enrichment) if enrichment is not None else []
    if enrichment is None and not dry_run:
        raise EnrichmentError(
            "an enrichment file is needed to import (--dry-run previews without one)", None
        )
    if problems and not dry_run:
        raise problems[0]
    # The plan is the (issuing body, year, kind) one: body_code, else the enrichment's
    # plan.body, else the default body (tasks_app/plans/identity.py).
    spec = body_spec(enrichment=enrichment, code=body_code)
    kind = plan_kind(enrichment)
    body = IssuingBody.objects.filter(code=spec.code).first()
    plan = (
        Plan.objects.select_for_update()
        .filter(body__code=spec.code, year=parsed.year, kind=kind)
        .first()
    )
    if plan is not None and plan.status == PlanStatus.CLOSED:
        closed = EnrichmentError(
            f"plan {spec.code} {parsed.year} ({kind}) is closed (carried over); "
            "it is not re-imported",
            None,
        )
        if not dry_run:
            raise closed
        problems.append(closed)
    if problems:  # a dry run reports every refusal the real import would make
        return ImportResult(
            plan=plan,
            parsed=parsed,
            diff=PlanDiff(),
            dry_run=True,
            problems=[str(p) for p in problems],
        )
    diff, file = plan_diff(parsed=parsed, enrichment=enrichment, plan=plan, body=body)
    created, updated = _counts(diff)
    result = ImportResult(
        plan=plan, parsed=parsed, diff=diff, dry_run=dry_run, created=created, updated=updated
    )
    text_hash, enrichment_hash = file_hashes(text=text, enrichment=enrichment)
    last = PlanImport.objects.filter(plan=plan).order_by("-imported_at", "-id").first()
    same_files = last is not None and (last.text_sha256, last.enrichment_sha256) == (
        text_hash,
        enrichment_hash,
    )
    if dry_run or (diff.empty and same_files):
        return result
    body = issuing_body_get_or_create(spec=spec)
    departments = _departments_apply(diff, file, body)
    plan = _plan_apply(plan, (body, kind), parsed, file, diff, text)
    measures = _structure_apply(plan, parsed)
    history = _tasks_create(plan, parsed, file, diff.added, measures, departments)
    history += _tasks_update(plan, diff, departments)
    history += _withdraw_and_restore(plan, diff)
    _indicators().apply(
        plan=plan,
        file=file["indicators"],
        added=diff.indicators_added,
        changes=diff.indicator_changes,
        departments=departments,
    )
    HistoryEvent.objects.bulk_create(history)
    result.plan = plan
    result.plan_import = PlanImport.objects.create(
        plan=plan,
        text_sha256=text_hash,
        enrichment_sha256=enrichment_hash,
        snapshot=file,
        summary=_summary(diff, created, updated),
        source=source[:300],
        actor=actor,
    )
    return result


__all__ = ["ImportResult", "file_hashes", "import_is_current", "plan_diff", "plan_import"]
