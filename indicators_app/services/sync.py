"""Plan import: the plan's indicators as merge state, and writing the merged result.

Used by tasks_app.plans.importer (three-way merge: tasks_app.plans.merge).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from indicators_app.models import Indicator
from tasks_app.plans.enrichment import EnrichmentError
from tasks_app.plans.merge import NOT_GIVEN, Change, decimal_text
from tasks_app.plans.steps import PlanPart, register_plan_part

if TYPE_CHECKING:
    from tasks_app.models import Department, Plan
    from tasks_app.parsing.parser import ParsedIndicator, ParsedPlan
    from tasks_app.plans.enrichment import Enrichment

INDICATOR_FIELDS = (
    "order",
    "name",
    "category",
    "group_no",
    "group",
    "unit",
    "responsible_department",
    "frequency",
    "due_day",
    "target_comparator",
    "target_value",
    "target_unit",
    "target_text",
    "target_is_growth_rate",
    "baseline_year",
    "baseline_value",
    "baseline_unit",
    "baseline_growth_pct",
    "baseline_text",
)


def _indicator_values(
    pi: ParsedIndicator, spec: dict[str, Any], departments: dict[str, Department]
) -> dict[str, Any]:
    target, baseline = pi.target, pi.baseline
    return {
        "order": pi.order,
        "name": pi.name,
        "category": spec["category"],
        "group_no": pi.group_no,
        "group": pi.group_title,
        "unit": spec.get("unit") or target.unit or (baseline.unit if baseline else ""),
        "responsible_department": departments.get(spec.get("department", "")),
        "frequency": spec.get("frequency", Indicator.Frequency.QUARTERLY),
        "due_day": int(spec.get("due_day", 20)),
        "target_comparator": target.comparator,
        "target_value": target.value,
        "target_unit": target.unit,
        "target_text": target.text[:200],
        "target_is_growth_rate": target.is_growth_rate,
        "baseline_year": baseline.year if baseline else None,
        "baseline_value": baseline.value if baseline else None,
        "baseline_unit": baseline.unit if baseline else "",
        "baseline_growth_pct": baseline.growth_pct if baseline else None,
        "baseline_text": baseline.text[:300] if baseline else "",
    }


def _check_declared_counts(parsed: ParsedPlan, categories: list[str]) -> None:
    declared = parsed.declared_indicator_counts or {}
    actual = {
        "total": len(categories),
        "expected": categories.count("expected"),
        "binding": categories.count("binding"),
    }
    for key, count in declared.items():
        if key in actual and actual[key] != count:
            raise EnrichmentError(
                f"indicators: the plan declares {count} {key} indicators, found {actual[key]}",
                None,
            )


ENRICHMENT_FIELDS = ("category", "unit", "responsible_department", "frequency", "due_day")
DECIMAL_FIELDS = ("target_value", "baseline_value", "baseline_growth_pct")


def _json(name: str, value: Any) -> Any:
    if name in DECIMAL_FIELDS:
        return decimal_text(value)
    return value


def check_indicator_specs(parsed: ParsedPlan, enrichment: Enrichment) -> None:
    """Every indicator needs a category (and owner) in the enrichment file; counts must match."""
    missing = [pi.name for pi in parsed.indicators if pi.name not in enrichment.indicators]
    if missing:
        raise EnrichmentError(f"indicators: no category/department for {', '.join(missing)}", None)
    _check_declared_counts(
        parsed, [enrichment.indicators[pi.name]["category"] for pi in parsed.indicators]
    )


def indicator_file_state(
    parsed: ParsedPlan, enrichment: Enrichment | None
) -> dict[str, dict[str, Any]]:
    """The file's indicators as JSON-able fields (department by code); NOT_GIVEN where the
    enrichment file (absent, or silent on this indicator) would have to say."""
    state: dict[str, dict[str, Any]] = {}
    for pi in parsed.indicators:
        spec = enrichment.indicators.get(pi.name) if enrichment else None
        codes = {spec.get("department", ""): spec.get("department")} if spec else {}
        values = _indicator_values(pi, spec or {"category": NOT_GIVEN}, codes)  # type: ignore[arg-type]
        row = {name: _json(name, value) for name, value in values.items()}
        if spec is None:
            row.update(dict.fromkeys(ENRICHMENT_FIELDS, NOT_GIVEN))
        state[pi.code] = row
    return state


def indicator_db_state(plan: Plan | None) -> dict[str, dict[str, Any]]:
    if plan is None:
        return {}
    fields = [f for f in INDICATOR_FIELDS if f != "responsible_department"]
    state = {}
    for row in Indicator.objects.filter(plan=plan).values(
        "code", *fields, "responsible_department__code"
    ):
        code = row.pop("code")
        row["responsible_department"] = row.pop("responsible_department__code")
        state[code] = {name: _json(name, value) for name, value in row.items()}
    return state


def _model_value(name: str, value: Any, departments: dict[str, Department]) -> Any:
    if name == "responsible_department":
        return departments.get(value) if value else None
    if name in DECIMAL_FIELDS and value is not None:
        return Decimal(value)
    return value


def indicators_apply(
    *,
    plan: Plan,
    file: dict[str, dict[str, Any]],
    added: list[str],
    changes: list[Change],
    departments: dict[str, Department],
) -> None:
    """Create the added indicators and write the merged field changes (observations,
    judgements and everything else recorded on an indicator are never touched)."""
    Indicator.objects.bulk_create(
        Indicator(
            plan=plan,
            code=code,
            **{n: _model_value(n, v, departments) for n, v in file[code].items()},
        )
        for code in added
    )
    if not changes:
        return
    rows = {
        i.code: i for i in Indicator.objects.filter(plan=plan, code__in={c.code for c in changes})
    }
    stamp = timezone.now()
    for change in changes:
        row = rows[change.code]
        setattr(row, change.field, _model_value(change.field, change.new, departments))
        row.updated_at = stamp
    Indicator.objects.bulk_update(
        list(rows.values()), [*sorted({c.field for c in changes}), "updated_at"]
    )


# The plan import merges indicators like tasks (tasks_app/plans/steps.py): registered here,
# imported by IndicatorsAppConfig.ready().
register_plan_part(
    PlanPart(
        name="indicators",
        check=check_indicator_specs,
        file_state=indicator_file_state,
        db_state=indicator_db_state,
        apply=indicators_apply,
    )
)
