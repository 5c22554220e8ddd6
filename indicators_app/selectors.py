"""Reads of indicators_app: indicators, observations, and bulk assessment in constant queries.

`indicator_assessments(indicators, *, as_of=None)` is the one entry point for statuses
(API, admin, rollups): for any number of indicators it runs three queries (the plans'
GDP indicators, the latest observation of every indicator and GDP indicator, the latest
judgement of every indicator) and applies indicators_app.assessment.assess.
With `as_of`, only observations of periods ending on or before that date and judgements
recorded on or before it count (values as currently corrected).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from indicators_app.assessment import GDP_INDICATOR_NAME, Assessment, assess, is_gdp_sync
from indicators_app.models import Indicator, IndicatorJudgement, Observation, ObservationRevision
from tasks_app.org.plan_scope import plans_visible_to
from tasks_app.workflow.selectors import person_columns_not_rendered


def indicator_list() -> QuerySet[Indicator]:
    """Every indicator (district-wide figures are readable by every authenticated user)."""
    return Indicator.objects.select_related("responsible_department")


def indicators_visible_to(user: Any) -> QuerySet[Indicator]:
    """The indicators of the plans `user` may see: a district's figures are readable by
    everyone of that district, not by other districts."""
    return indicator_list().filter(plan_id__in=plans_visible_to(user).values("pk"))


def indicator_observations(*, indicator: Indicator) -> QuerySet[Observation]:
    """An indicator's observations with authors and their correction history prefetched."""
    revisions = ObservationRevision.objects.select_related("reported_by", "corrected_by")
    return (
        Observation.objects.filter(indicator=indicator)
        .select_related("reported_by", "verified_by")
        .prefetch_related(Prefetch("revisions", queryset=revisions.order_by("created_at", "id")))
    )


def _observations_as_of(as_of: dt.date | None) -> QuerySet[Observation]:
    rows = Observation.objects.all()
    return rows if as_of is None else rows.filter(period_end__lte=as_of)


def latest_observations(
    indicator_ids: Iterable[int], *, as_of: dt.date | None = None
) -> dict[int, Observation]:
    """The latest observation (by period end, then id) of each indicator: one query."""
    base = _observations_as_of(as_of).filter(indicator_id__in=list(indicator_ids))
    if connection.vendor == "postgresql":
        # DISTINCT ON: one index-ordered pass instead of a subquery per observation row.
        rows = base.order_by("indicator_id", "-period_end", "-id").distinct("indicator_id")
    else:
        newest = (
            _observations_as_of(as_of)
            .filter(indicator_id=OuterRef("indicator_id"))
            .order_by("-period_end", "-id")
        ).values("pk")[:1]
        # No ORDER BY: one row per indicator; the default ordering joins indicator and plan.
        rows = base.filter(pk=Subquery(newest)).order_by()
    rows = rows.select_related("reported_by", "verified_by").defer(
        *person_columns_not_rendered("reported_by"), *person_columns_not_rendered("verified_by")
    )
    return {row.indicator_id: row for row in rows}


def latest_judgements(
    indicator_ids: Iterable[int], *, as_of: dt.date | None = None
) -> dict[int, IndicatorJudgement]:
    """The latest supervisor judgement of each indicator: one query."""
    base = IndicatorJudgement.objects.all()
    if as_of is not None:
        base = base.filter(created_at__date__lte=as_of)
    newest = (
        base.filter(indicator_id=OuterRef("indicator_id")).order_by("-created_at", "-id")
    ).values("pk")[:1]
    rows = base.filter(indicator_id__in=list(indicator_ids), pk=Subquery(newest))
    # No ORDER BY: one row per indicator, and the default ordering joins indicator and plan.
    rows = rows.select_related("judged_by").defer(*person_columns_not_rendered("judged_by"))
    return {row.indicator_id: row for row in rows.order_by()}


def gdp_indicator_ids(plan_ids: Iterable[int]) -> dict[int, int]:
    """plan id → id of that plan's 地区生产总值 indicator (the reference for sync targets)."""
    rows = Indicator.objects.filter(plan_id__in=list(plan_ids), name=GDP_INDICATOR_NAME)
    # No ORDER BY (the default one joins plan): names are unique per plan.
    return dict(rows.order_by().values_list("plan_id", "id"))


def assessment_limits() -> dict[str, Decimal]:
    conf = settings.PLANTRACKER
    return {
        "tolerance_pct": Decimal(str(conf["INDICATOR_TOLERANCE_PCT"])),
        "band_pct": Decimal(str(conf["INDICATOR_AT_RISK_BAND_PCT"])),
    }


def indicator_assessments(
    indicators: Iterable[Indicator], *, as_of: dt.date | None = None
) -> dict[int, Assessment]:
    """indicator id → Assessment (status, reason, latest observation, judgement, GDP figure).

    Three queries whatever the number and kind of indicators; none for an empty input.
    Judgements only count for judged (qualitative, non-GDP-relative) targets.
    """
    indicators = list(indicators)
    if not indicators:
        return {}
    # Exactly three queries for any non-empty input, whatever the mix of target kinds.
    ids = {i.id for i in indicators}
    gdp_by_plan = gdp_indicator_ids({i.plan_id for i in indicators})
    latest = latest_observations(ids | set(gdp_by_plan.values()), as_of=as_of)
    judgements = latest_judgements(ids, as_of=as_of)
    limits = assessment_limits()
    return {
        i.id: assess(
            i,
            latest=latest.get(i.id),
            judgement=judgements.get(i.id),
            gdp_latest=latest.get(gdp_by_plan.get(i.plan_id, 0)),
            **limits,
        )
        for i in indicators
    }


def indicator_statuses(
    indicators: Iterable[Indicator], *, as_of: dt.date | None = None
) -> dict[int, str]:
    """indicator id → status string (on_track|at_risk|off_track|not_assessed)."""
    return {pk: a.status for pk, a in indicator_assessments(indicators, as_of=as_of).items()}


_ASSESS_FIELDS = (
    "name",
    "target_comparator",
    "target_value",
    "target_unit",
    "target_text",
    "target_is_growth_rate",
)


def indicators_with_status(queryset: QuerySet[Indicator], status: str) -> QuerySet[Indicator]:
    """Narrow a queryset to the indicators whose computed status is `status` (4 queries)."""
    rows = queryset.select_related(None).only("id", "plan_id", *_ASSESS_FIELDS)
    assessments = indicator_assessments(rows)
    return queryset.filter(pk__in=[pk for pk, a in assessments.items() if a.status == status])


@dataclass(frozen=True)
class Series:
    """What a chart needs: the points in period order, the assessment, the GDP reference."""

    indicator: Indicator
    points: list[Observation]
    assessment: Assessment
    reference_name: str
    reference_points: list[Observation]


def indicator_series(*, indicator: Indicator, as_of: dt.date | None = None) -> Series:
    """Observations ordered by period end (then id) plus, for sync targets, GDP's series."""
    points = list(
        _observations_as_of(as_of).filter(indicator=indicator).order_by("period_end", "id")
    )
    reference: list[Observation] = []
    if is_gdp_sync(indicator):
        reference = list(
            _observations_as_of(as_of)
            .filter(indicator__plan_id=indicator.plan_id, indicator__name=GDP_INDICATOR_NAME)
            .order_by("period_end", "id")
        )
    assessment = indicator_assessments([indicator], as_of=as_of)[indicator.id]
    name = GDP_INDICATOR_NAME if reference or is_gdp_sync(indicator) else ""
    return Series(indicator, points, assessment, name, reference)
