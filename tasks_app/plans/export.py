"""The enrichment of an existing plan, as the YAML `import_plan` reads (export_enrichment).

What the database holds now — the body's departments, each task's lead, co-departments,
deadline and milestones, the indicators' owners — so that importing the plan's text with
this file again changes nothing. Withdrawn (撤销) tasks are left out: their sentences are
no longer in the plan text. Reads only.
"""

from __future__ import annotations

from typing import Any

import yaml

from tasks_app.models import Department, Plan, Task, TaskStatus
from tasks_app.plans.merge import db_state
from tasks_app.plans.steps import plan_part

INDICATOR_EXPORT_FIELDS = (
    ("category", "category"),
    ("responsible_department", "department"),
    ("unit", "unit"),
    ("frequency", "frequency"),
    ("due_day", "due_day"),
)


def enrichment_of_plan(plan: Plan) -> dict[str, Any]:
    """The enrichment mapping of `plan` (plain data, ready for yaml.safe_dump)."""
    body = plan.body
    state = db_state(plan).state
    withdrawn = set(
        Task.objects.filter(plan=plan, status=TaskStatus.WITHDRAWN).values_list("code", flat=True)
    )
    tasks: dict[str, Any] = {}
    for code in sorted(state):
        if code in withdrawn:
            continue
        row = state[code]
        milestones = sorted(row["milestones"].items(), key=lambda item: (item[1][0], item[0]))
        tasks[code] = {
            "lead": row["lead_department"],
            "co": list(row["co_departments"]),
            "due": row["due_date"],
            "milestones": [
                {"due": due, "title": title} for _seq, (due, title, _final) in milestones
            ],
        }
    part = plan_part("indicators")
    indicators: dict[str, Any] = {}
    for _code, row in sorted(
        (part.db_state(plan) if part else {}).items(), key=lambda item: item[1].get("order") or 0
    ):
        spec = {key: row.get(name) for name, key in INDICATOR_EXPORT_FIELDS}
        indicators[row["name"]] = {k: v for k, v in spec.items() if v not in (None, "")}
    departments = [
        {"code": code, "name": name, "kind": kind}
        for code, name, kind in Department.objects.filter(body=body)
        .order_by("code")
        .values_list("code", "name", "kind")
    ]
    return {
        "plan": {
            "title": plan.title,
            "source": plan.source,
            "kind": plan.kind,
            "body": {"code": body.code, "name": body.name, "kind": body.kind},
        },
        "defaults": {"due_date": f"{plan.year}-12-31"},
        "departments": departments,
        "indicators": indicators,
        "tasks": tasks,
    }


def enrichment_yaml(plan: Plan) -> str:
    header = (
        f"# Enrichment of {plan.title} ({plan.body.name}, {plan.year}, {plan.kind}),\n"
        "# exported by `manage.py export_enrichment`: what the database holds now.\n"
    )
    body = yaml.safe_dump(enrichment_of_plan(plan), allow_unicode=True, sort_keys=False, width=100)
    return header + body


__all__ = ["enrichment_of_plan", "enrichment_yaml"]
