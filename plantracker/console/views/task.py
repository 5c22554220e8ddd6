"""The task page: the plan's words, key results, milestones, reports, history, extensions."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from plantracker import clock
from plantracker.console import figures
from plantracker.console.access import console_view, supervisor_only
from plantracker.console.forms import DEFAULT_URGE_COMMENT, ExtensionDecisionForm
from plantracker.console.labels import history_action_label
from plantracker.console.selectors import task_page
from plantracker.console.views.common import error_text, page
from plantracker.errors import ApplicationError
from tasks_app.models import Acknowledgement, Attachment, KeyResult, ProgressReport
from tasks_app.org.visibility import tasks_visible_to
from tasks_app.rollover.selectors import carry_links
from tasks_app.supervision.timeline import is_prominent
from tasks_app.workflow import rules as workflow
from tasks_app.workflow import thumbnails
from tasks_app.workflow.selectors import (
    co_departments_of,
    extension_requests_visible_to,
    key_results_of,
)
from tasks_app.workflow.services.attachment_images import attachment_thumbnail_make
from tasks_app.workflow.services.extensions import extension_request_decide


def _annotate_key_results(key_results: list[KeyResult]) -> None:
    """reached_pct: the reported actual as % of the target (None until reported)."""
    for kr in key_results:
        kr.reached_pct = None
        if kr.actual_value is not None and kr.value:
            kr.reached_pct = float(kr.actual_value / kr.value * 100)
            kr.reached_bar = min(100.0, max(0.0, kr.reached_pct))


def _annotate_reports(reports: list[ProgressReport], key_results: list[KeyResult]) -> None:
    """value_rows: (label, value, unit) of each key-result figure a report states."""
    by_id = {kr.pk: kr for kr in key_results}
    for report in reports:
        rows = []
        for value in report.values.all():
            kr = by_id.get(value.key_result_id)
            if kr is not None:
                rows.append((kr.label or kr.raw, value.value, kr.unit))
        report.value_rows = rows


@console_view
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = clock.today()
    data = task_page(user=request.viewer.user, task_id=pk, today=today)
    task = data.task
    open_task = task.status not in workflow.CLOSED_STATUSES
    key_results = list(key_results_of(task))
    _annotate_key_results(key_results)
    _annotate_reports(data.reports, key_results)
    for event in data.history:
        event.action_label = history_action_label(event.action)
        event.prominent = is_prominent(event.action)
    context = {
        "title": f"{task.code} {task.title}",
        "task": task,
        "carry": carry_links(task),
        "page": data,
        "key_results": key_results,
        "co_departments": co_departments_of(task),
        "timeline": figures.milestone_timeline(
            data.milestones, year=task.due_date.year, today=today
        ),
        "can_urge": request.viewer.can_urge and open_task,
        "can_decide": request.viewer.can_urge,
        "can_acknowledge": open_task
        and task.acknowledgement == Acknowledgement.PENDING
        and workflow.Relation.LEAD_DEPT_LEAD in workflow.relations(request.viewer.user, task),
        "default_comment": DEFAULT_URGE_COMMENT,
        "image_types": thumbnails.IMAGE_TYPES,
        "today": today,
    }
    return page(request, "console/task.html", context)


@console_view
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a pending extension request (supervisors)."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    user = request.viewer.user
    extension = get_object_or_404(extension_requests_visible_to(user), pk=pk)
    back = reverse("console:task", args=[extension.task_id]) + "#extensions"
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return redirect(back)
    try:
        extension_request_decide(
            extension_request=extension,
            actor=user,
            approve=form.approve,
            comment=form.cleaned_data["comment"],
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect(back)
    done = _("已批准延期申请") if form.approve else _("已驳回延期申请")
    messages.success(request, f"{done}：{extension.task.code}")
    return redirect(back)


@console_view
@require_GET
def attachment_thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    """A small PNG of an image attachment of a task the viewer may see."""
    attachment = get_object_or_404(
        Attachment.objects.filter(
            task__in=tasks_visible_to(request.viewer.user),
            content_type__in=thumbnails.IMAGE_TYPES,
        ),
        pk=pk,
    )
    # The stored thumbnail, decoded once at upload (services.attachment_images); an image
    # uploaded before then gets it written now, once.
    name = attachment_thumbnail_make(attachment_id=attachment.pk)
    if name is None:
        raise Http404
    etag = f'"{attachment.sha256[:40]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        with default_storage.open(name, "rb") as stored:  # a few KB
            response = HttpResponse(stored.read(), content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
