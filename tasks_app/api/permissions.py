"""DRF-side permission helpers over tasks_app.workflow.rules: 404 for unseen, 403 for not allowed.

Visibility is decided in SQL (selectors.tasks_visible_to) so that a task of another
department is indistinguishable from one that does not exist; what a visible caller may
do is decided by workflow's table, the same one services enforce.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

from tasks_app.models import Department, Task, User
from tasks_app.org.visibility import is_supervisor, tasks_visible_to
from tasks_app.workflow import rules as workflow


def visible_task_or_404(user: User, task_id: Any) -> Task:
    """The task if `user` may see it (co-departments prefetched), else Http404."""
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        raise Http404 from None
    task = (
        tasks_visible_to(user)
        .prefetch_related(Prefetch("co_departments", queryset=Department.objects.only("pk")))
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def check_capability(user: User, task: Task, capability: workflow.Capability) -> None:
    """403 with the workflow's message unless `user` has `capability` on `task`."""
    if not workflow.has_capability(workflow.relations(user, task), capability):
        raise PermissionDenied(workflow.CAPABILITY_DENIED_MESSAGES.get(capability))


class IsSupervisor(BasePermission):
    """District supervision office (督查室) or an administrator."""

    message = workflow.CAPABILITY_DENIED_MESSAGES[workflow.Capability.DECIDE_EXTENSION]

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and is_supervisor(user))


class WorkflowPermission(IsAuthenticated):
    """Signed in; what the caller may do to a visible task is then decided by the services
    from tasks_app.workflow.rules (403). Named, so the schema documents the 403 answers."""
