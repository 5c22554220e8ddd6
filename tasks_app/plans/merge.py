"""plan_merge: the three-way merge of a re-import, computed without writing anything.

Three states of every field, as JSON-able values keyed by task (or indicator) code:
- *file*: what the plan text + enrichment say now (file_state);
- *base*: what they said at the last import (PlanImport.snapshot, the file state then);
- *app*: what the database holds now (db_state).

Per field: app == file → nothing to do; file == base → people changed it, kept;
app == base → only the file changed it, updated; otherwise → a conflict, reported, and
the app's value kept. Without a snapshot (a database imported before snapshots existed)
the base is taken to be the app's value only where app and file agree: every other
difference is a conflict, so no earlier edit of a person is overwritten.

Co-departments merge per department (a department the file added or dropped is added or
dropped unless people did the opposite). Milestones merge per sequence and key results
per order, each as one (date, title, final) / (value, unit, label, raw) tuple; a completed
milestone, one with extension requests, and a key result with reported actuals are never
moved or deleted by a file change (a conflict instead).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tasks_app.models import (
    ExtensionRequest,
    KeyResult,
    Milestone,
    Plan,
    ProgressReportValue,
    Task,
    TaskStatus,
)
from tasks_app.parsing.parser import ParsedPlan
from tasks_app.plans.enrichment import Enrichment, MilestoneSpec, TaskSpec


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNKNOWN = _Sentinel("UNKNOWN")  # no base: the field's value at the last import is not known
NOT_GIVEN = _Sentinel("NOT_GIVEN")  # the file does not speak about this field (no enrichment)

TASK_FIELDS = ("title", "text", "lead_department", "due_date")
ENRICHMENT_TASK_FIELDS = ("lead_department", "co_departments", "due_date", "milestones")
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


def decimal_text(value: Any) -> str | None:
    """A decimal as the database keeps it (4 places), written without trailing zeros."""
    if value is None:
        return None
    quantized = Decimal(value).quantize(Decimal("0.0001"))
    return format(quantized.normalize(), "f")


@dataclass
class Change:
    code: str
    field: str
    old: Any
    new: Any


@dataclass
class Conflict:
    code: str
    field: str
    base: Any
    app: Any
    file: Any


@dataclass
class PlanDiff:
    """What an import would do; `apply` in plan_import writes exactly this."""

    added: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    indicators_added: list[str] = field(default_factory=list)
    indicator_changes: list[Change] = field(default_factory=list)
    departments_added: list[str] = field(default_factory=list)
    department_changes: list[Change] = field(default_factory=list)
    plan_changes: list[Change] = field(default_factory=list)
    structure_changes: list[Change] = field(default_factory=list)  # chapters and measures
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.changes
            or self.withdrawn
            or self.restored
            or self.indicators_added
            or self.indicator_changes
            or self.departments_added
            or self.department_changes
            or self.plan_changes
            or self.structure_changes
        )


# --- the file's state -----------------------------------------------------------------


def _milestones_of(spec: TaskSpec, year: int, due: dt.date) -> list[list[Any]]:
    wanted = sorted(spec.milestones or default_milestones(year=year, due=due), key=lambda m: m.due)
    if wanted[-1].due != due:
        wanted.append(MilestoneSpec(due=due, title="完成时限"))
    last = len(wanted) - 1
    return [[m.due.isoformat(), m.title, i == last] for i, m in enumerate(wanted)]


def default_lead_code(enrichment: Enrichment | None, known: list[str]) -> str | None:
    """The enrichment's `plan.default_lead` (else fgw), else the first department known."""
    wanted = (enrichment.plan.get("default_lead") if enrichment else None) or "fgw"
    if wanted in known:
        return wanted
    return known[0] if known else None


def file_state(
    parsed: ParsedPlan,
    enrichment: Enrichment | None,
    *,
    department_codes: list[str],
    indicators: dict[str, dict[str, Any]],
    warnings: list[str],
) -> dict[str, Any]:
    """The file's word on every field; NOT_GIVEN where only an enrichment file could say."""
    year = parsed.year
    default_due = (enrichment.default_due if enrichment else None) or dt.date(year, 12, 31)
    lead = default_lead_code(enrichment, department_codes)
    tasks: dict[str, dict[str, Any]] = {}
    defaulted: list[str] = []
    for pt in (t for c in parsed.chapters for m in c.measures for t in m.tasks):
        spec = enrichment.tasks.get(pt.code) if enrichment else None
        if enrichment is not None and spec is None:
            defaulted.append(pt.code)
        spec = spec or TaskSpec(lead=lead or "")
        due = spec.due or default_due
        row: dict[str, Any] = {
            "chapter": pt.chapter_no,
            "measure": pt.measure_no,
            "sentence_no": pt.sentence_no,
            "title": pt.title,
            "text": pt.text,
            "lead_department": spec.lead or None,
            "co_departments": sorted(set(spec.co) - {spec.lead}),
            "due_date": due.isoformat(),
            "milestones": _milestones_of(spec, year, due),
            "key_results": [
                [decimal_text(kr.value), kr.unit, kr.label[:100], kr.raw[:100]]
                for kr in pt.key_results
            ],
        }
        if enrichment is None:
            row["defaults"] = {f: row[f] for f in ENRICHMENT_TASK_FIELDS}
            row.update(dict.fromkeys(ENRICHMENT_TASK_FIELDS, NOT_GIVEN))
        tasks[pt.code] = row
    if defaulted:
        warnings.append(
            f"{len(defaulted)} tasks not in the enrichment file got defaults "
            f"(lead {lead}): " + ", ".join(defaulted)
        )
    if enrichment is None:
        warnings.append(
            "no enrichment file: lead/co-departments, due dates and milestones of existing "
            f"tasks are left as they are; new tasks would get the default lead ({lead})"
        )
    departments = (
        {
            d["code"]: {"name": d["name"], "kind": d.get("kind", "bureau")}
            for d in enrichment.departments
        }
        if enrichment
        else {}
    )
    title = (enrichment.plan.get("title") or parsed.title) if enrichment else NOT_GIVEN
    source = enrichment.plan.get("source", "") if enrichment else NOT_GIVEN
    return {
        "version": 1,
        "plan": {"year": year, "title": title, "source": source},
        "departments": departments,
        "tasks": tasks,
        "indicators": indicators,
    }


def snapshot_of(state: dict[str, Any]) -> dict[str, Any]:
    """The file state as stored in PlanImport.snapshot (only ever from a full file)."""
    return state


# --- the database's state -------------------------------------------------------------


@dataclass
class DbTasks:
    """The plan's tasks and children as read in a constant number of queries."""

    state: dict[str, dict[str, Any]]
    ids: dict[str, int]
    status: dict[str, str]
    admin_created: set[int]
    milestone_rows: dict[tuple[int, int], dict[str, Any]]
    key_result_rows: dict[tuple[int, int], dict[str, Any]]


def db_state(plan: Plan | None) -> DbTasks:
    if plan is None:
        return DbTasks({}, {}, {}, set(), {}, {})
    # The file's tasks only: tasks carried in from an earlier plan (结转) are not the file's,
    # so no import changes, withdraws or re-creates them.
    tasks = Task.objects.filter(plan=plan, carried_from__isnull=True)
    rows = tasks.values(
        "id", "code", "title", "text", "lead_department__code", "due_date", "status"
    )
    state: dict[str, dict[str, Any]] = {}
    ids: dict[str, int] = {}
    status: dict[str, str] = {}
    by_id: dict[int, dict[str, Any]] = {}
    for r in rows:
        item = {
            "title": r["title"],
            "text": r["text"],
            "lead_department": r["lead_department__code"],
            "due_date": r["due_date"].isoformat(),
            "co_departments": [],
            "milestones": {},
            "key_results": {},
        }
        state[r["code"]] = item
        ids[r["code"]] = r["id"]
        status[r["code"]] = r["status"]
        by_id[r["id"]] = item
    link = Task.co_departments.through
    for task_id, dep in link.objects.filter(task__in=tasks).values_list(
        "task_id", "department__code"
    ):
        by_id[task_id]["co_departments"].append(dep)
    for item in state.values():
        item["co_departments"].sort()
    extended = set(
        ExtensionRequest.objects.filter(task__plan=plan, milestone__isnull=False).values_list(
            "milestone_id", flat=True
        )
    )
    milestone_rows: dict[tuple[int, int], dict[str, Any]] = {}
    for m in Milestone.objects.filter(task__in=tasks).values(
        "id", "task_id", "sequence", "title", "due_date", "is_final", "completed_at"
    ):
        by_id[m["task_id"]]["milestones"][m["sequence"]] = [
            m["due_date"].isoformat(),
            m["title"],
            m["is_final"],
        ]
        m["locked"] = m["completed_at"] is not None or m["id"] in extended
        milestone_rows[(m["task_id"], m["sequence"])] = m
    reported = set(
        ProgressReportValue.objects.filter(key_result__task__plan=plan).values_list(
            "key_result_id", flat=True
        )
    )
    key_result_rows: dict[tuple[int, int], dict[str, Any]] = {}
    for k in KeyResult.objects.filter(task__in=tasks).values(
        "id", "task_id", "order", "value", "unit", "label", "raw", "actual_value"
    ):
        by_id[k["task_id"]]["key_results"][k["order"]] = [
            decimal_text(k["value"]),
            k["unit"],
            k["label"],
            k["raw"],
        ]
        k["locked"] = k["actual_value"] is not None or k["id"] in reported
        key_result_rows[(k["task_id"], k["order"])] = k
    admin_created = set(
        tasks.filter(history__action="admin_create").values_list("id", flat=True).distinct()
    )
    return DbTasks(state, ids, status, admin_created, milestone_rows, key_result_rows)


# --- the merge ------------------------------------------------------------------------


def merge_value(base: Any, app: Any, file: Any) -> tuple[str, Any]:
    """("keep", None) | ("update", file value) | ("conflict", None) for one field."""
    if file is NOT_GIVEN or app == file:
        return "keep", None
    if base is UNKNOWN:
        return "conflict", None
    if file == base:
        return "keep", None  # people changed it in the app: theirs stands
    if app == base:
        return "update", file
    return "conflict", None


def _base_of(base_task: dict[str, Any] | None, name: str, app: Any, file: Any) -> Any:
    """The base of one field; without a snapshot the app's value where it agrees with the file."""
    if base_task is not None and name in base_task:
        return base_task[name]
    return app if app == file else UNKNOWN


def _merge_sequence(
    code: str,
    name: str,
    base_list: list[Any] | None,
    app: dict[int, Any],
    file_list: list[Any],
    diff: PlanDiff,
    locked: set[int],
) -> None:
    """Milestones by sequence, key results by order (1-based positions in the file)."""
    file_map = {i: v for i, v in enumerate(file_list, start=1)}
    base_map = {i: v for i, v in enumerate(base_list or [], start=1)}
    for pos in sorted(set(file_map) | set(app) | set(base_map)):
        f, a = file_map.get(pos), app.get(pos)
        b = base_map.get(pos) if base_list is not None else (a if a == f else UNKNOWN)
        verdict, _ = merge_value(b, a, f)
        if verdict == "update" and pos in locked:
            verdict = "conflict"
        if verdict == "update":
            diff.changes.append(Change(code, f"{name}:{pos}", a, f))
        elif verdict == "conflict":
            diff.conflicts.append(Conflict(code, f"{name}:{pos}", b, a, f))


def _merge_co(
    code: str, base: list[str] | None, app: list[str], file: list[str], lead: str | None
) -> tuple[list[str], list[tuple[str, Any, bool, bool]]]:
    """Per department: returns the merged list and the conflicting departments."""
    merged, conflicts = set(app), []
    for dep in sorted(set(app) | set(file) | set(base or [])):
        in_a, in_f = dep in app, dep in file
        in_b: Any = (dep in base) if base is not None else (in_a if in_a == in_f else UNKNOWN)
        verdict, _ = merge_value(in_b, in_a, in_f)
        if verdict == "update":
            (merged.add if in_f else merged.discard)(dep)
        elif verdict == "conflict":
            conflicts.append((dep, in_b, in_a, in_f))
    merged.discard(lead)
    return sorted(merged), conflicts


def merge_tasks(
    file: dict[str, Any], base: dict[str, Any] | None, db: DbTasks, diff: PlanDiff
) -> None:
    base_tasks = (base or {}).get("tasks", {})
    locked_milestones: dict[int, set[int]] = defaultdict(set)
    for (task_id, seq), row in db.milestone_rows.items():
        if row["locked"]:
            locked_milestones[task_id].add(seq)
    locked_key_results: dict[int, set[int]] = defaultdict(set)
    for (task_id, order), row in db.key_result_rows.items():
        if row["locked"]:
            locked_key_results[task_id].add(order)
    for code, f in file["tasks"].items():
        a = db.state.get(code)
        if a is None:
            diff.added.append(code)
            continue
        if db.status[code] == TaskStatus.WITHDRAWN:
            diff.restored.append(code)
        b = base_tasks.get(code) if base is not None else None
        lead = a["lead_department"]
        for name in TASK_FIELDS:
            bv = _base_of(b, name, a[name], f[name])
            verdict, value = merge_value(bv, a[name], f[name])
            if verdict == "update":
                diff.changes.append(Change(code, name, a[name], value))
                lead = value if name == "lead_department" else lead
            elif verdict == "conflict":
                diff.conflicts.append(Conflict(code, name, bv, a[name], f[name]))
        if f["co_departments"] is not NOT_GIVEN:
            merged, conflicts = _merge_co(
                code,
                b.get("co_departments") if b else None,
                a["co_departments"],
                f["co_departments"],
                lead,
            )
            if merged != a["co_departments"]:
                diff.changes.append(Change(code, "co_departments", a["co_departments"], merged))
            for dep, in_b, in_a, in_f in conflicts:
                diff.conflicts.append(Conflict(code, f"co_departments:{dep}", in_b, in_a, in_f))
        task_id = db.ids[code]
        if f["milestones"] is not NOT_GIVEN:
            locked = locked_milestones.get(task_id, set())
            _merge_sequence(
                code,
                "milestone",
                b.get("milestones") if b else None,
                a["milestones"],
                f["milestones"],
                diff,
                locked,
            )
        locked = locked_key_results.get(task_id, set())
        _merge_sequence(
            code,
            "key_result",
            b.get("key_results") if b else None,
            a["key_results"],
            f["key_results"],
            diff,
            locked,
        )
    for code, task_id in db.ids.items():
        if (
            code not in file["tasks"]
            and db.status[code] != TaskStatus.WITHDRAWN
            and task_id not in db.admin_created
        ):
            diff.withdrawn.append(code)


def merge_fields(
    kind: str,
    file: dict[str, dict[str, Any]],
    base: dict[str, dict[str, Any]] | None,
    app: dict[str, dict[str, Any]],
    diff: PlanDiff,
) -> tuple[list[str], list[Change]]:
    """Field-wise merge of keyed rows (indicators, departments); nothing is ever deleted."""
    added, changes = [], []
    for code, f in file.items():
        a = app.get(code)
        if a is None:
            added.append(code)
            continue
        b = (base or {}).get(code) if base is not None else None
        for name, value in f.items():
            if name not in a:
                continue
            bv = _base_of(b, name, a[name], value)
            verdict, new = merge_value(bv, a[name], value)
            if verdict == "update":
                changes.append(Change(code, name, a[name], new))
            elif verdict == "conflict":
                diff.conflicts.append(Conflict(f"{kind}:{code}", name, bv, a[name], value))
    return added, changes


def group_changes(changes: list[Change]) -> dict[str, list[Change]]:
    grouped: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        grouped[change.code].append(change)
    return grouped
