"""Year rollover (结转) in the console: a confirm page listing what would be carried (the
service's dry run), then the rollover itself. Supervisors only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from plantracker.console.access import console_view, supervisor_only
from plantracker.console.views.common import page
from tasks_app.models import Plan, PlanStatus
from tasks_app.rollover.services import DueDatePolicy, RolloverError, plan_rollover

POLICY_LABELS = {
    DueDatePolicy.SAME_DAY: gettext_lazy("新年度同月同日"),
    DueDatePolicy.YEAR_END: gettext_lazy("新年度年底（12月31日）"),
}


def _targets(viewer, source: Plan) -> list[Plan]:
    """Open plans of the same body and a later year, nearest year first."""
    plans = [
        p
        for p in viewer.plans
        if p.body_id == source.body_id and p.year > source.year and p.status == PlanStatus.OPEN
    ]
    return sorted(plans, key=lambda p: (p.year, p.kind, p.pk))


def _chosen(options: list[Plan], raw: str | None) -> Plan | None:
    by_pk = {str(p.pk): p for p in options}
    return by_pk.get(raw or "") or (options[0] if options else None)


@console_view
@require_http_methods(["GET", "POST"])
def rollover(request: HttpRequest) -> HttpResponse:
    """GET: the dry-run list for the chosen plan → target; POST: carry over and close."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    viewer, data = request.viewer, request.POST if request.method == "POST" else request.GET
    source = viewer.plan
    targets = _targets(viewer, source) if source is not None else []
    target = _chosen(targets, data.get("to"))
    policy_raw = data.get("due_dates") or DueDatePolicy.SAME_DAY.value
    valid = {p.value for p in DueDatePolicy}
    policy = DueDatePolicy(policy_raw) if policy_raw in valid else None
    context = {
        "title": _("年度结转"),
        "source": source,
        "targets": targets,
        "target": target,
        "policy": policy or DueDatePolicy.SAME_DAY,
        "policies": list(POLICY_LABELS.items()),
    }
    if source is None or source.status == PlanStatus.CLOSED:
        context["problem"] = _("所选计划已结转关闭，或没有计划。")
    elif target is None:
        context["problem"] = _("没有可结转到的下一年度计划：请先导入下一年度的计划。")
    elif policy is None:
        context["problem"] = _("新时限规则无效。")
    if "problem" in context:
        return page(request, "console/rollover.html", context)
    try:
        result = plan_rollover(
            source_plan=source,
            target_plan=target,
            actor=viewer.user,
            due_date_policy=policy,
            dry_run=request.method != "POST",
        )
    except RolloverError as exc:
        context["problem"] = str(exc)
        return page(request, "console/rollover.html", context)
    if request.method == "POST":
        messages.success(
            request,
            _("已将%(year)s年度的%(n)s项未完成任务结转至%(to)s年度，%(year)s年度计划已关闭。")
            % {"year": source.year, "n": result.carried, "to": target.year},
        )
        return redirect(f"{reverse('console:board')}?plan={target.pk}")
    context["pairs"] = result.pairs
    return page(request, "console/rollover.html", context)
