"""Plan import: upsert the plan's indicators (a step of tasks_app.plans.importer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from indicators_app.models import Indicator
from tasks_app.plans.enrichment import EnrichmentError
from tasks_app.plans.steps import register_import_check, register_import_step

if TYPE_CHECKING:
    from tasks_app.models import Department, Plan
    from tasks_app.plans.enrichment import Enrichment
    from tasks_app.plans.importer import ImportResult
    from tasks_app.plans.parser import ParsedIndicator, ParsedPlan

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


@register_import_check
def indicators_check(*, parsed: ParsedPlan, enrichment: Enrichment) -> list[dict[str, Any]]:
    """The enrichment entry of each parsed indicator; raises EnrichmentError where the import
    would (an indicator without an entry, declared counts that do not match). Writes nothing,
    so a dry run calls it too."""
    missing = [pi.name for pi in parsed.indicators if pi.name not in enrichment.indicators]
    if missing:
        raise EnrichmentError(f"indicators: no category/department for {', '.join(missing)}", None)
    specs = [enrichment.indicators[pi.name] for pi in parsed.indicators]
    _check_declared_counts(parsed, [s["category"] for s in specs])
    return specs


@register_import_step
def indicators_sync(
    *,
    plan: Plan,
    parsed: ParsedPlan,
    enrichment: Enrichment,
    departments: dict[str, Department],
    result: ImportResult,
) -> None:
    """Upsert the plan's indicators by code with the enrichment's category and owner."""
    specs = indicators_check(parsed=parsed, enrichment=enrichment)
    existing = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    new, changed = [], []
    for pi, spec in zip(parsed.indicators, specs, strict=True):
        values = _indicator_values(pi, spec, departments)
        row = existing.get(pi.code)
        if row is None:
            new.append(Indicator(plan=plan, code=pi.code, **values))
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            row.updated_at = timezone.now()
            changed.append(row)
    Indicator.objects.bulk_create(new)
    Indicator.objects.bulk_update(changed, [*INDICATOR_FIELDS, "updated_at"])
    result.created["indicators"], result.updated["indicators"] = len(new), len(changed)
