"""Other apps' shares of a plan (indicators_app's indicators), registered at ready().

tasks_app imports no other app (dependencies point one way): indicators_app registers a
`PlanPart` here, and the importer merges it like the tasks — the file's state, the
database's state, the last import's snapshot — and applies the merged changes inside its
transaction. Without a registered part the importer simply has nothing of that kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tasks_app.models import Plan
    from tasks_app.parsing.parser import ParsedPlan
    from tasks_app.plans.enrichment import Enrichment


@dataclass(frozen=True)
class PlanPart:
    """One kind of thing a plan text holds besides its tasks, keyed by code.

    check(parsed, enrichment): raise EnrichmentError where the import would refuse
        (the dry run calls it too, so both agree);
    file_state(parsed, enrichment) -> {code: {field: JSON value}}: what the file says;
    db_state(plan) -> {code: {field: JSON value}}: what the database holds;
    apply(*, plan, file, added, changes, departments): write the merged result.
    """

    name: str
    check: Callable[[ParsedPlan, Enrichment], None]
    file_state: Callable[[ParsedPlan, Enrichment | None], dict[str, dict[str, Any]]]
    db_state: Callable[[Plan | None], dict[str, dict[str, Any]]]
    apply: Callable[..., None]


_parts: dict[str, PlanPart] = {}


def register_plan_part(part: PlanPart) -> PlanPart:
    """Add (or replace) the part of that name."""
    _parts[part.name] = part
    return part


def plan_part(name: str) -> PlanPart | None:
    return _parts.get(name)
