"""Which plan an import writes to: its issuing body (发文单位), year and kind.

The body comes from the `--body` option, else from the enrichment file's `plan.body`
(a code, or a mapping with code, name and kind), else the default body (大兴区). An
import only ever reads and writes that body's plan and departments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tasks_app.models import Department, IssuingBody, Plan, PlanKind, PlanStatus
from tasks_app.models.org import DEFAULT_BODY_CODE, DEFAULT_BODY_NAME
from tasks_app.plans.enrichment import Enrichment, EnrichmentError


@dataclass(frozen=True)
class BodySpec:
    code: str
    name: str
    kind: str = IssuingBody.Kind.DISTRICT


def body_spec(*, enrichment: Enrichment | None, code: str | None = None) -> BodySpec:
    """The issuing body named by `code` or by the enrichment file (validated)."""
    raw: Any = enrichment.plan.get("body") if enrichment else None
    if isinstance(raw, str):
        raw = {"code": raw}
    if raw is not None and not (isinstance(raw, dict) and raw.get("code")):
        raise EnrichmentError("plan.body: a body code, or a mapping with code and name", None)
    raw = dict(raw or {})
    if code and raw.get("code") not in (None, code):
        raw = {}  # the option names another body than the file: the file's name is not its
    body_code = code or raw.get("code") or DEFAULT_BODY_CODE
    kind = raw.get("kind", IssuingBody.Kind.DISTRICT)
    if kind not in IssuingBody.Kind.values:
        raise EnrichmentError(f"plan.body.kind: unknown kind {kind!r}", None)
    default_name = DEFAULT_BODY_NAME if body_code == DEFAULT_BODY_CODE else ""
    return BodySpec(code=str(body_code), name=str(raw.get("name") or default_name), kind=kind)


def plan_kind(enrichment: Enrichment | None) -> str:
    kind = (enrichment.plan.get("kind") if enrichment else None) or PlanKind.ANNUAL
    if kind not in PlanKind.values:
        raise EnrichmentError(f"plan.kind: unknown kind {kind!r}", None)
    return str(kind)


def issuing_body_get_or_create(*, spec: BodySpec) -> IssuingBody:
    """The body with this code; created (with the spec's name) when it is new. An existing
    body is never renamed by an import."""
    body = IssuingBody.objects.filter(code=spec.code).first()
    if body is not None:
        return body
    if not spec.name:
        raise EnrichmentError(
            f"plan.body: unknown issuing body {spec.code!r}; give its name in the enrichment "
            "file (plan.body: {code: ..., name: ...})",
            None,
        )
    return IssuingBody.objects.create(code=spec.code, name=spec.name, kind=spec.kind)


def check_plan_open(*, body: IssuingBody, year: int, kind: str) -> None:
    """A closed (结转) plan is a record of its year: no import writes to it."""
    if Plan.objects.filter(body=body, year=year, kind=kind, status=PlanStatus.CLOSED).exists():
        raise EnrichmentError(
            f"plan {body.code} {year} ({kind}) is closed (carried over); it is not re-imported",
            None,
        )


def body_departments(body: IssuingBody) -> dict[str, Department]:
    """The body's departments by code (never another body's)."""
    return {d.code: d for d in Department.objects.filter(body=body)}
