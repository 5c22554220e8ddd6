"""Who may open the supervision console, and what each viewer's pages cover.

The console follows the API's rules, independent of Django's is_staff:
- supervisors (督查室), district leaders (区领导) and admins see whole plans of their own
  issuing body (admins: every plan); every page shows one plan, chosen with `?plan=`
  (plantracker.console.plans);
- a department lead (部门负责人) sees the tasks of the departments they lead or co-lead
  (tasks_app.workflow.selectors.tasks_visible_to) and only their departments' pages and rollup rows;
- everyone else (department staff, people with no role) is refused with 403.
Only supervisors urge (催办), issue 督办单 and decide extension requests; the services check
that again (tasks_app.workflow.rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from plantracker import clock
from plantracker.console.frame import frame_context
from plantracker.console.plans import console_plans
from tasks_app.models import Plan, User
from tasks_app.org.visibility import is_supervisor, sees_everything
from tasks_app.rollups.selectors import led_department_ids


@dataclass(frozen=True)
class Viewer:
    """The logged-in person as the console sees them (computed once per request)."""

    user: User
    sees_all: bool
    led_department_ids: tuple[int, ...]
    can_urge: bool  # 催办 / 督办单 / extension decisions
    plans: tuple[Plan, ...] = ()  # the plans the viewer may choose from
    plan: Plan | None = None  # the plan the pages show

    @classmethod
    def of(cls, user: User) -> Viewer:
        everything = sees_everything(user)
        led = () if everything else tuple(led_department_ids(user))
        return cls(user, everything, led, is_supervisor(user))

    @property
    def may_enter(self) -> bool:
        return self.sees_all or bool(self.led_department_ids)

    def may_see_department(self, department_id: int) -> bool:
        return self.sees_all or department_id in self.led_department_ids

    @property
    def plan_id(self) -> int | None:
        return self.plan.pk if self.plan is not None else None

    @property
    def body_ids(self) -> set[int]:
        """The issuing bodies of the plans the viewer may see."""
        return {p.body_id for p in self.plans}


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The console's 403 page (inside the admin look, with the reason in Chinese)."""
    context = {**frame_context(request), "title": _("无权访问"), "message": message}
    return render(request, "console/forbidden.html", context, status=403)


ConsoleView = Callable[..., HttpResponse]


def console_view(view: ConsoleView) -> ConsoleView:
    """Login required (the console's own login page); then 403 unless the viewer may enter.

    The view receives `request.viewer` (a Viewer).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        viewer = Viewer.of(request.user)
        if not viewer.may_enter:
            return forbidden(request, _("督查控制台仅对督查室、区领导和部门负责人开放。"))
        plans, plan = console_plans(request, request.user, clock.today())
        request.viewer = replace(viewer, plans=tuple(plans), plan=plan)
        return view(request, *args, **kwargs)

    return wrapper


def supervisor_only(request: HttpRequest) -> HttpResponse | None:
    """A 403 response unless the viewer may urge and decide (督查室); None when allowed."""
    if request.viewer.can_urge:
        return None
    return forbidden(request, _("只有督查室可以催办、督办或审批延期申请。"))
