"""督办事项登记: the supervision office registers an item from another source (a meeting's
decision, a leader's instruction, a major project, other) — tasks_app.supervision.items does
the work; the item then has its own task page and counts on the board (未签收)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from plantracker import clock
from plantracker.console.access import console_view, supervisor_only
from plantracker.console.views.common import error_text, page
from plantracker.errors import ApplicationError
from tasks_app.models import Department, IssuingBody, TaskSource
from tasks_app.org.plan_scope import own_body
from tasks_app.supervision.items import ITEM_SOURCES, MilestoneInput, supervision_item_create


class ItemForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("来源"),
        choices=[(s.value, s.label) for s in ITEM_SOURCES],
    )
    source_name = forms.CharField(
        label=gettext_lazy("会议名称或批示领导"), max_length=200, required=False
    )
    source_date = forms.DateField(label=gettext_lazy("会议或批示日期"), required=False)
    source_text = forms.CharField(
        label=gettext_lazy("议定事项或批示原文"), max_length=5000, required=False
    )
    title = forms.CharField(label=gettext_lazy("事项标题"), max_length=200)
    text = forms.CharField(label=gettext_lazy("事项内容"), max_length=5000)
    lead_department = forms.ModelChoiceField(
        label=gettext_lazy("牵头部门"), queryset=Department.objects.none()
    )
    co_departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("配合部门"), queryset=Department.objects.none(), required=False
    )
    due_date = forms.DateField(label=gettext_lazy("完成时限"))
    milestone_title = forms.CharField(
        label=gettext_lazy("阶段节点"), max_length=200, required=False
    )
    milestone_due_date = forms.DateField(label=gettext_lazy("节点时限"), required=False)
    evidence_requirement = forms.CharField(
        label=gettext_lazy("佐证材料要求"), max_length=2000, required=False
    )

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = departments
        self.fields["co_departments"].queryset = departments

    def milestones(self) -> list[MilestoneInput]:
        data = self.cleaned_data
        if not (data.get("milestone_title") and data.get("milestone_due_date")):
            return []
        return [MilestoneInput(title=data["milestone_title"], due_date=data["milestone_due_date"])]


def _refused(request: HttpRequest, context: dict[str, Any], problem: str, fields: list[str]):
    context.update(problem=problem, problem_fields=" ".join(fields))
    response = page(request, "console/item_new.html", context)
    response.status_code = 400
    return response


@console_view
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST: register the item (交办), then its task page."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    user = request.viewer.user
    body = IssuingBody.objects.filter(pk=own_body(user)).first()
    departments = Department.objects.filter(body=body, is_active=True).order_by("kind", "code")
    form = ItemForm(request.POST or None, departments=departments)
    context: dict[str, Any] = {"title": _("督办事项登记"), "form": form, "body": body}
    if request.method != "POST":
        return page(request, "console/item_new.html", context)
    if not form.is_valid():
        errors = form.errors.items()
        problem = "；".join(f"{form.fields[f].label}：{' '.join(e)}" for f, e in errors)
        return _refused(request, context, problem, list(form.errors))
    data = form.cleaned_data
    try:
        task = supervision_item_create(
            actor=user,
            body=body,
            year=clock.today().year,
            source=TaskSource(data["source"]),
            source_name=data["source_name"],
            source_date=data["source_date"],
            source_text=data["source_text"],
            title=data["title"],
            text=data["text"],
            lead_department=data["lead_department"],
            co_departments=list(data["co_departments"]),
            due_date=data["due_date"],
            milestones=form.milestones(),
            evidence_requirement=data["evidence_requirement"],
        )
    except ApplicationError as exc:
        fields = list(exc.detail) if isinstance(exc.detail, dict) else []
        return _refused(request, context, error_text(exc), fields)
    return redirect(f"{reverse('console:task', args=[task.pk])}?plan={task.plan_id}")
