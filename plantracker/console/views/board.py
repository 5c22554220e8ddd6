"""The overdue board (逾期督办): red and yellow items by department, and the urge action."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from plantracker import clock
from plantracker.console.access import console_view, supervisor_only
from plantracker.console.forms import DEFAULT_URGE_COMMENT, BoardFilterForm, UrgeForm
from plantracker.console.selectors import (
    board_items,
    board_totals,
    filter_choices,
    group_by_department,
    with_supervision_activity,
)
from plantracker.console.views.common import error_text, page, safe_next
from plantracker.errors import ApplicationError
from tasks_app.api.permissions import visible_task_or_404
from tasks_app.org.visibility import tasks_visible_to
from tasks_app.supervision.acknowledgement import acknowledgement_counts
from tasks_app.supervision.urge import task_urge

PAGE_SIZE = 50


@console_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("console:board")


@console_view
@require_GET
def overdue_board(request: HttpRequest) -> HttpResponse:
    viewer, today = request.viewer, clock.today()
    chapters, departments = filter_choices(
        None if viewer.sees_all else viewer.led_department_ids, viewer.plan
    )
    form = BoardFilterForm(request.GET, chapters=chapters, departments=departments)
    filters = replace(form.filters(), plan_id=viewer.plan_id)
    items = board_items(user=viewer.user, today=today, filters=filters)
    paginator = Paginator(with_supervision_activity(items), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": _("逾期督办"),
        "form": form,
        "groups": group_by_department(page_obj.object_list, today),
        "page_obj": page_obj,
        "totals": board_totals(items),
        "today": today,
        "filter_query": query.urlencode(),
        "default_comment": DEFAULT_URGE_COMMENT,
        "acknowledgement": acknowledgement_counts(
            tasks_visible_to(viewer.user).filter(plan_id=viewer.plan_id)
        ),
    }
    return page(request, "console/board.html", context)


@console_view
@require_POST
def urge(request: HttpRequest, pk: int) -> HttpResponse:
    """催办 or 督办单 for one task (supervisors); back to where the button was."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    task = visible_task_or_404(request.viewer.user, pk)
    back = safe_next(request, reverse("console:task", args=[task.pk]))
    form = UrgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写催办事由。"))
        return redirect(back)
    notice = form.cleaned_data["kind"] == "notice"
    try:
        task_urge(
            task=task,
            actor=request.viewer.user,
            comment=form.cleaned_data["comment"],
            notice=notice,
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    label = _("督办单") if notice else _("催办")
    messages.success(
        request,
        _("已发出%(kind)s：%(code)s %(title)s（%(department)s）")
        % {
            "kind": label,
            "code": task.code,
            "title": task.title,
            "department": task.lead_department.name,
        },
    )
    return redirect(back)
