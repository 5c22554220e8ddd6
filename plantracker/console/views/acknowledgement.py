"""签收 and 退回 from the console's task page (the lead department's lead); the services
decide who may (tasks_app/supervision/acknowledgement.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plantracker.console.access import console_view, forbidden
from plantracker.console.views.common import error_text
from plantracker.errors import ApplicationError, PermissionDenied
from tasks_app.api.permissions import visible_task_or_404
from tasks_app.supervision.acknowledgement import task_acknowledge, task_return_assignment


@console_view
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    task = visible_task_or_404(request.viewer.user, pk)
    try:
        task_acknowledge(task=task, actor=request.viewer.user)
    except PermissionDenied as exc:
        return forbidden(request, error_text(exc))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已签收：%(code)s") % {"code": task.code})
    return redirect(reverse("console:task", args=[task.pk]))


@console_view
@require_POST
def return_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    task = visible_task_or_404(request.viewer.user, pk)
    try:
        task_return_assignment(
            task=task, actor=request.viewer.user, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as exc:
        return forbidden(request, error_text(exc))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已退回，待督查室重新交办：%(code)s") % {"code": task.code})
    return redirect(reverse("console:task", args=[task.pk]))
