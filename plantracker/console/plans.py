"""The plan a console page shows: `?plan=<id>` (remembered in the session), else the
viewer's default plan (tasks_app.org.plan_scope: this year's plan of their body, else its
latest). One query: the plans the viewer may see."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

from tasks_app.models import Plan, PlanKind, User
from tasks_app.models.org import DEFAULT_BODY_CODE
from tasks_app.org.plan_scope import has_own_body, plans_visible_to

SESSION_KEY = "console_plan_id"


def _default(plans: list[Plan], user: User, today: dt.date) -> Plan | None:
    if has_own_body(user):
        own = [
            p
            for p in plans
            if (p.body_id == user.body_id if user.body_id else p.body.code == DEFAULT_BODY_CODE)
        ]
        plans = own or plans
    if not plans:
        return None
    return min(plans, key=lambda p: (p.year != today.year, -p.year, p.kind != PlanKind.ANNUAL))


def console_plans(
    request: HttpRequest, user: User, today: dt.date
) -> tuple[list[Plan], Plan | None]:
    """(the plans the viewer may choose from, the chosen one)."""
    plans = list(
        plans_visible_to(user)
        .select_related("body")
        .defer("source_text")
        .order_by("body__code", "-year", "kind")
    )
    by_id = {str(p.pk): p for p in plans}
    asked = request.GET.get("plan")
    if asked in by_id:
        request.session[SESSION_KEY] = int(asked)
        return plans, by_id[asked]
    remembered = by_id.get(str(request.session.get(SESSION_KEY, "")))
    return plans, remembered or _default(plans, user, today)
