"""Several plans in one database: Daxing 2025 (the seed), another district's 2025 plan
(Daxing's text under another issuing body with its own enrichment) and Daxing 2026 (the
seed text and enrichment moved one year on)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from indicators_app.models import Indicator
from tasks_app.models import (
    Department,
    KeyResult,
    Milestone,
    Plan,
    Task,
)
from tasks_app.plans.enrichment import Enrichment, TaskSpec, load_enrichment
from tasks_app.plans.importer import plan_import
from tests.conftest import SEED_DIR

OTHER_BODY = {"code": "fengtai", "name": "丰台区", "kind": "district"}


def seed_text(year: int = 2025) -> str:
    text = (SEED_DIR / "plan.txt").read_text(encoding="utf-8")
    return text if year == 2025 else text.replace("2025", str(year))


def _moved(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    return day.replace(year=day.year + years, day=min(day.day, 28) if day.month == 2 else day.day)


def _task_moved(spec: TaskSpec, years: int) -> TaskSpec:
    milestones = spec.milestones
    if milestones is not None:
        milestones = [dataclasses.replace(m, due=_moved(m.due, years)) for m in milestones]
    return dataclasses.replace(spec, due=_moved(spec.due, years), milestones=milestones)


def seed_enrichment(*, year: int = 2025) -> Enrichment:
    """The seed enrichment, its codes and dates moved to `year`."""
    spec = load_enrichment(SEED_DIR / "enrichment.yaml")
    years = year - 2025
    if years:
        spec.default_due = _moved(spec.default_due, years)
        spec.tasks = {
            code.replace("2025-", f"{year}-", 1): _task_moved(task, years)
            for code, task in spec.tasks.items()
        }
        spec.plan = {
            **spec.plan,
            "year": year,
            "title": f"北京市大兴区{year}年国民经济和社会发展计划",
        }
    return spec


def other_district_enrichment() -> Enrichment:
    """Another district's assignments: its own body, renamed departments, other leads."""
    spec = seed_enrichment()
    spec.plan = {
        **spec.plan,
        "body": dict(OTHER_BODY),
        "title": "丰台区2025年国民经济和社会发展计划",
    }
    spec.departments = [{**d, "name": f"丰台{d['name']}"} for d in spec.departments]
    codes = [d["code"] for d in spec.departments]
    for index, (code, task) in enumerate(sorted(spec.tasks.items())):
        if index % 3 == 0:  # every third task led by another department, no co-departments
            lead = codes[(codes.index(task.lead) + 1) % len(codes)]
            spec.tasks[code] = dataclasses.replace(task, lead=lead, co=[])
    return spec


def import_other_district() -> Plan:
    return plan_import(text=seed_text(), enrichment=other_district_enrichment()).plan


def import_daxing_2026() -> Plan:
    return plan_import(text=seed_text(2026), enrichment=seed_enrichment(year=2026)).plan


def plan_dump(plan: Plan) -> dict[str, Any]:
    """Every row of the plan and of its body's departments, as values() dumps."""
    tasks = Task.objects.filter(plan=plan)
    links = Task.co_departments.through.objects.filter(task__plan=plan)
    return {
        "plan": list(Plan.objects.filter(pk=plan.pk).values()),
        "tasks": list(tasks.order_by("pk").values()),
        "key_results": list(KeyResult.objects.filter(task__plan=plan).order_by("pk").values()),
        "milestones": list(Milestone.objects.filter(task__plan=plan).order_by("pk").values()),
        "co_departments": list(links.order_by("pk").values()),
        "departments": list(Department.objects.filter(body=plan.body).order_by("pk").values()),
        "indicators": list(Indicator.objects.filter(plan=plan).order_by("pk").values()),
    }
