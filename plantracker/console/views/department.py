"""A department's page: its tasks (lead or co-responsible) and its latest rollup row."""

from __future__ import annotations

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from plantracker import clock
from plantracker.console.access import console_view, forbidden
from plantracker.console.selectors import (
    department_tasks,
    latest_department_row,
    working_days_overdue,
)
from plantracker.console.views.common import page
from tasks_app.models import Department


@console_view
@require_GET
def department(request: HttpRequest, pk: int) -> HttpResponse:
    """403 for a department lead opening another department's page."""
    viewer, today = request.viewer, clock.today()
    if not viewer.may_see_department(pk):
        return forbidden(request, _("部门负责人只能查看本部门的页面。"))
    bodies = Department.objects.all() if viewer.user.is_superuser else None
    if bodies is None:
        bodies = Department.objects.filter(body_id__in=viewer.body_ids)
    dept = get_object_or_404(bodies, pk=pk)
    tasks = department_tasks(
        user=viewer.user, department_id=dept.pk, today=today, plan_id=viewer.plan_id
    )
    for task in tasks:
        task.working_days_overdue = working_days_overdue(task, today)
        task.is_lead = task.lead_department_id == dept.pk
    context = {
        "title": dept.name,
        "department": dept,
        "tasks": tasks,
        "flags": Counter(task.flag for task in tasks),
        "rollup_row": latest_department_row(
            user=viewer.user, department_id=dept.pk, plan_id=viewer.plan_id
        ),
    }
    return page(request, "console/department.html", context)
