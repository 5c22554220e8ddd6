"""Inputs of the department suggestions: the keyword table, the database, a plan file pair.

`department_infos` joins departments with the keyword table (by name or alias);
`suggestion_inputs_from_db` reads departments and earlier assignments in two set-based
queries; `assignments_from_files` turns a plan text and its enrichment YAML into the same
`Assignment` rows, for the measurement (no database needed); `suggest_for_plan` fills the
onboarding table of a parsed plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from tasks_app.parsing.parser import ParsedPlan
from tasks_app.plans.enrichment import Enrichment
from tasks_app.plans.suggestions import Assignment, DepartmentInfo, Suggestion, SuggestionModel

KEYWORD_TABLE_PATH = Path(__file__).resolve().parent / "data" / "department_keywords.yaml"
# Aliases shorter than this are too ambiguous to count as a mention (区委 in 区委宣传部).
MIN_DERIVED_ALIAS_CHARS = 2


@dataclass(frozen=True)
class KeywordEntry:
    """One row of the keyword table: a department's other names and its function words."""

    aliases: tuple[str, ...]
    keywords: tuple[str, ...]


@cache
def _cached_table(path: Path) -> dict[str, KeywordEntry]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(name): KeywordEntry(
            aliases=tuple(str(a) for a in (entry or {}).get("aliases") or ()),
            keywords=tuple(str(k) for k in (entry or {}).get("keywords") or ()),
        )
        for name, entry in (raw.get("departments") or {}).items()
    }


def load_keyword_table(path: Path = KEYWORD_TABLE_PATH) -> dict[str, KeywordEntry]:
    """Department name → its aliases and keywords, read from the YAML table."""
    return _cached_table(path.resolve())


def derived_aliases(name: str) -> tuple[str, ...]:
    """Names a plan text uses without the district prefix: 区教委 → 教委, 区委宣传部 → 宣传部."""
    for prefix in ("区委", "区"):
        rest = name.removeprefix(prefix)
        if rest != name and len(rest) >= MIN_DERIVED_ALIAS_CHARS:
            return (rest,)
    return ()


def department_infos(
    rows: Iterable[tuple[str, str, str]], *, table: dict[str, KeywordEntry] | None = None
) -> list[DepartmentInfo]:
    """DepartmentInfo for (code, name, kind) rows, with the table's entry matched by name.

    An entry matches a department whose name is the entry's name or one of its aliases, so
    a district that spells it 区发改委 still gets 区发展改革委's keywords.
    """
    table = load_keyword_table() if table is None else table
    by_name = {}
    for name, entry in table.items():
        for alias in (name, *entry.aliases):
            by_name.setdefault(alias, (name, entry))
    infos = []
    for code, name, kind in rows:
        entry_name, entry = by_name.get(name, ("", KeywordEntry((), ())))
        aliases = dict.fromkeys(
            a for a in (*derived_aliases(name), entry_name, *entry.aliases) if a and a != name
        )
        infos.append(
            DepartmentInfo(
                code=code,
                name=name,
                aliases=tuple(aliases),
                keywords=entry.keywords,
                kind=kind or "bureau",
            )
        )
    return infos


def suggestion_inputs_from_db(
    *, exclude_plan_id: int | None = None
) -> tuple[list[DepartmentInfo], list[Assignment]]:
    """Active departments and every task's assignment (except one plan's, e.g. the draft's)."""
    from tasks_app.models import Department, Task

    departments = department_infos(
        Department.objects.filter(is_active=True).values_list("code", "name", "kind")
    )
    tasks = Task.objects.all()
    if exclude_plan_id is not None:
        tasks = tasks.exclude(plan_id=exclude_plan_id)
    co_by_task: dict[int, list[str]] = defaultdict(list)
    links = Task.co_departments.through.objects.filter(task__in=tasks)
    for task_id, code in links.order_by("department__code").values_list(
        "task_id", "department__code"
    ):
        co_by_task[task_id].append(code)
    rows = tasks.order_by("pk").values_list(
        "pk", "code", "text", "measure__title", "chapter__title", "lead_department__code"
    )
    history = [
        Assignment(
            text=text,
            measure_title=measure_title,
            chapter_title=chapter_title,
            lead=lead,
            co=tuple(co_by_task[pk]),
            code=code,
        )
        for pk, code, text, measure_title, chapter_title, lead in rows
    ]
    return departments, history


def assignments_from_files(
    parsed: ParsedPlan, enrichment: Enrichment
) -> tuple[list[DepartmentInfo], list[Assignment]]:
    """The departments and the hand assignments of a parsed plan and its enrichment file.

    Tasks the enrichment file does not assign are left out (nothing to compare with).
    """
    departments = department_infos(
        (d["code"], d["name"], d.get("kind", "bureau")) for d in enrichment.departments
    )
    assignments = [
        Assignment(
            text=task.text,
            measure_title=measure.title,
            chapter_title=chapter.title,
            lead=enrichment.tasks[task.code].lead,
            co=tuple(enrichment.tasks[task.code].co),
            code=task.code,
        )
        for chapter in parsed.chapters
        for measure in chapter.measures
        for task in measure.tasks
        if task.code in enrichment.tasks
    ]
    return departments, assignments


@dataclass(frozen=True)
class TaskSuggestions:
    """One row of the onboarding table: a parsed task and its suggested departments."""

    code: str
    sentence: str
    leads: tuple[Suggestion, ...]
    co_departments: tuple[Suggestion, ...]


def suggest_for_plan(
    *, parsed: ParsedPlan, model: SuggestionModel, limit: int = 3
) -> list[TaskSuggestions]:
    """Suggestions for every task of a parsed plan; co-departments go with the top lead."""
    rows = []
    for chapter in parsed.chapters:
        for measure in chapter.measures:
            for task in measure.tasks:
                where = {
                    "sentence": task.text,
                    "measure_title": measure.title,
                    "chapter_title": chapter.title,
                }
                leads = model.leads(**where, limit=limit)
                co = model.co_departments(**where, lead=leads[0].code) if leads else []
                rows.append(TaskSuggestions(task.code, task.text, tuple(leads), tuple(co)))
    return rows
