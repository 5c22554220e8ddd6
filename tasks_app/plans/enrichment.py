"""The human-edited enrichment file: departments, indicator owners, task assignments.

Validated as a whole before anything is written; errors name the key and, where
PyYAML knows it, the line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tasks_app.parsing.parser import PlanParseError

DEPARTMENT_KINDS = {"bureau", "town", "street", "committee", "office"}
INDICATOR_CATEGORIES = {"expected", "binding"}
FREQUENCIES = {"monthly", "quarterly", "annual"}


@dataclass
class MilestoneSpec:
    due: dt.date
    title: str


@dataclass
class TaskSpec:
    lead: str
    co: list[str] = field(default_factory=list)
    due: dt.date | None = None
    milestones: list[MilestoneSpec] | None = None


@dataclass
class Enrichment:
    plan: dict[str, Any]
    default_due: dt.date | None
    departments: list[dict[str, str]]
    indicators: dict[str, dict[str, Any]]
    tasks: dict[str, TaskSpec]


class EnrichmentError(PlanParseError):
    """A problem in the enrichment file (same shape as a parse error: message and line)."""


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise EnrichmentError(f"{where}: not a date (YYYY-MM-DD): {value!r}", None) from None


def _task_spec(code: str, raw: Any, department_codes: set[str]) -> TaskSpec:
    if not isinstance(raw, dict) or "lead" not in raw:
        raise EnrichmentError(f"tasks.{code}: needs at least a `lead` department", None)
    for dep in [raw["lead"], *(raw.get("co") or [])]:
        if dep not in department_codes:
            raise EnrichmentError(f"tasks.{code}: unknown department code {dep!r}", None)
    milestones = None
    if raw.get("milestones") is not None:
        milestones = [
            MilestoneSpec(
                due=_date(m.get("due"), f"tasks.{code}.milestones"),
                title=str(m.get("title") or "").strip() or "阶段节点",
            )
            for m in raw["milestones"]
        ]
    due = _date(raw["due"], f"tasks.{code}.due") if raw.get("due") else None
    return TaskSpec(lead=raw["lead"], co=list(raw.get("co") or []), due=due, milestones=milestones)


def _departments(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise EnrichmentError("departments: a non-empty list is required", None)
    seen: set[str] = set()
    for index, dep in enumerate(raw):
        if not isinstance(dep, dict) or not dep.get("code") or not dep.get("name"):
            raise EnrichmentError(f"departments[{index}]: needs code and name", None)
        if dep["code"] in seen:
            raise EnrichmentError(f"departments[{index}]: duplicate code {dep['code']!r}", None)
        if dep.get("kind", "bureau") not in DEPARTMENT_KINDS:
            raise EnrichmentError(f"departments[{index}]: unknown kind {dep['kind']!r}", None)
        seen.add(dep["code"])
    return raw


def _indicators(raw: Any, department_codes: set[str]) -> dict[str, dict[str, Any]]:
    for name, spec in (raw or {}).items():
        if spec.get("category") not in INDICATOR_CATEGORIES:
            raise EnrichmentError(f"indicators.{name}: category must be expected|binding", None)
        if spec.get("department") and spec["department"] not in department_codes:
            raise EnrichmentError(f"indicators.{name}: unknown department", None)
        if spec.get("frequency", "quarterly") not in FREQUENCIES:
            raise EnrichmentError(f"indicators.{name}: unknown frequency", None)
    return dict(raw or {})


def load_enrichment(path: Path) -> Enrichment:
    """Read and validate the enrichment YAML."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise EnrichmentError(f"{path.name}: {exc.problem}", line) from exc
    if not isinstance(raw, dict):
        raise EnrichmentError(f"{path.name}: expected a mapping at the top level", 1)
    departments = _departments(raw.get("departments"))
    codes = {d["code"] for d in departments}
    defaults = raw.get("defaults") or {}
    default_due = (
        _date(defaults["due_date"], "defaults.due_date") if defaults.get("due_date") else None
    )
    return Enrichment(
        plan=raw.get("plan") or {},
        default_due=default_due,
        departments=departments,
        indicators=_indicators(raw.get("indicators"), codes),
        tasks={
            str(code): _task_spec(str(code), spec, codes)
            for code, spec in (raw.get("tasks") or {}).items()
        },
    )
