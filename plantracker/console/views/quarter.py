"""The quarter page: a frozen rollup's ranking, charts and exports; queue a rebuild."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from indicators_app.api.series import series_payload
from indicators_app.selectors import indicator_series
from plantracker.console import figures
from plantracker.console.access import console_view, supervisor_only
from plantracker.console.selectors import (
    IndicatorRow,
    indicator_rows,
    rollup_choices,
    rollup_rows_by_level,
)
from plantracker.console.views.common import error_text, page
from plantracker.errors import ApplicationError
from tasks_app.models import PlanStatus, Rollup, RollupLevel
from tasks_app.rollups.build import RollupError, rollup_job_create
from tasks_app.rollups.circulation import rollup_publish
from tasks_app.rollups.quarters import Quarter
from tasks_app.rollups.selectors import rollups_list


def _chosen(options: list, raw: str | None) -> object | None:
    """The option whose pk is `raw`, else the first one (None when there are none)."""
    by_pk = {str(option.pk): option for option in options}
    return by_pk.get(raw or "") or (options[0] if options else None)


def series_figure(rows: list[IndicatorRow], raw_id: str | None, *, as_of=None) -> dict:
    """The chosen indicator's series chart (the first indicator by default)."""
    chosen = _chosen([row.indicator for row in rows], raw_id)
    if chosen is None:
        return {"indicator": None, "chart": None}
    payload = series_payload(indicator_series(indicator=chosen, as_of=as_of))
    return {"indicator": chosen, "chart": figures.indicator_series(payload, year=chosen.plan.year)}


def _charts(rollup: Rollup, levels: dict, rows: list[IndicatorRow]) -> dict:
    return {
        "completion": figures.completion_by_department(levels[RollupLevel.DEPARTMENT]),
        "red_by_chapter": (
            figures.red_items_by_chapter(levels[RollupLevel.CHAPTER])
            if levels[RollupLevel.CHAPTER]
            else None
        ),
        "attainment": figures.indicator_attainment(rows),
    }


@console_view
@require_GET
def quarter(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    choices = rollup_choices(user=viewer.user, plan_id=viewer.plan_id)
    rollup = _chosen(choices, request.GET.get("rollup"))
    context = {
        "title": _("季度汇总"),
        "choices": choices,
        "rollup": rollup,
        "quarters": (1, 2, 3, 4),
    }
    if viewer.can_urge and viewer.plan is not None and viewer.plan.status == PlanStatus.OPEN:
        context["plan_years"] = [viewer.plan.year]  # rollups of the chosen plan only
    if rollup is not None:
        levels = rollup_rows_by_level(user=request.viewer.user, rollup=rollup)
        rows = indicator_rows(plan_id=rollup.plan_id, as_of=rollup.as_of)
        export = reverse("rollup-export", args=[rollup.pk])
        context.update(
            plan_row=next(iter(levels[RollupLevel.PLAN]), None),
            chapter_rows=levels[RollupLevel.CHAPTER],
            department_rows=levels[RollupLevel.DEPARTMENT],
            charts=_charts(rollup, levels, rows),
            series=series_figure(rows, request.GET.get("indicator"), as_of=rollup.as_of),
            indicators=[row.indicator for row in rows],
            export_xlsx=f"{export}?format=xlsx",
            export_csv=f"{export}?format=csv",
            can_publish=viewer.can_urge and rollup.published_at is None,
        )
    return page(request, "console/quarter.html", context)


@console_view
@require_POST
def quarter_build(request: HttpRequest) -> HttpResponse:
    """Queue a new rollup version of a quarter (supervisors); the worker builds it."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    try:
        period = Quarter(int(request.POST["year"]), int(request.POST["quarter"]))
        plan = request.viewer.plan
        if plan is None or plan.year != period.year:
            raise RollupError(_("%(year)s年度没有计划。") % {"year": period.year})
        rollup_job_create(
            year=period.year, quarter=period.quarter, plan=plan, requested_by=request.viewer.user
        )
    except (KeyError, ValueError, RollupError) as exc:
        messages.error(request, str(exc) if isinstance(exc, RollupError) else _("季度无效。"))
    else:
        messages.success(
            request,
            _("已提交%(period)s汇总生成任务，完成后刷新本页即可查看。") % {"period": period},
        )
    return redirect("console:quarter")


@console_view
@require_POST
def quarter_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """通报 of one rollup version (supervisors): every department then reads its ranking
    when the body circulates its rollups (tasks_app/rollups/circulation.py)."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    rollup = get_object_or_404(rollups_list(user=request.viewer.user), pk=pk)
    try:
        rollup_publish(rollup=rollup, actor=request.viewer.user)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已通报。"))
    return redirect(f"{reverse('console:quarter')}?rollup={rollup.pk}")
