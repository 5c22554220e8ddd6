"""The board of open 督办单: what each department still has to answer, and the
supervision office's review of the answers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from plantracker import clock
from plantracker.console.access import console_view, supervisor_only
from plantracker.console.views.common import error_text, page
from plantracker.errors import ApplicationError
from tasks_app.models import SupervisionNotice
from tasks_app.org.visibility import tasks_visible_to
from tasks_app.supervision.notices import notice_review

OPEN = (SupervisionNotice.Status.OPEN, SupervisionNotice.Status.ANSWERED)


@console_view
@require_GET
def notice_board(request: HttpRequest) -> HttpResponse:
    viewer, today = request.viewer, clock.today()
    notices = (
        SupervisionNotice.objects.filter(
            kind="notice", status__in=OPEN, task__in=tasks_visible_to(viewer.user)
        )
        .select_related("task", "department", "issued_by", "answered_by")
        .order_by("respond_by", "pk")
    )
    context = {
        "title": _("督办单"),
        "notices": notices,
        "today": today,
        "answered": SupervisionNotice.Status.ANSWERED,
    }
    return page(request, "console/notices.html", context)


@console_view
@require_POST
def notice_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept the department's answer, or send it back with a comment (supervisors)."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    notice = get_object_or_404(
        SupervisionNotice.objects.filter(task__in=tasks_visible_to(request.viewer.user)), pk=pk
    )
    try:
        notice_review(
            notice=notice,
            actor=request.viewer.user,
            accept=request.POST.get("decision") == "accept",
            comment=request.POST.get("comment", ""),
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已处理督办单反馈。"))
    return redirect(reverse("console:notices"))
