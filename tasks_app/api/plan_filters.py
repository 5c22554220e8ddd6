"""`?plan=<id>` on every list: without it a list shows the caller's default plan
(tasks_app.org.plan_scope.default_plan: this year's plan of their body, else its latest)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from plantracker import clock
from tasks_app.org.plan_scope import default_plan

PLAN_HELP = _("计划 ID（默认：本单位当年的计划，否则最近的计划）")


class DefaultPlanFilterMixin:
    """For a django-filter FilterSet with a `plan` filter: no `plan` → the default plan.

    `apply_defaults` is also what plantracker.api.filtering's backend calls when a
    request names none of the filterset's parameters (then the filterset is not built).
    """

    default_plan_lookup = "plan_id"

    @classmethod
    def apply_defaults(cls, queryset: QuerySet, request: Any) -> QuerySet:
        params = getattr(request, "query_params", None) or getattr(request, "GET", {})
        if params.get("plan") not in (None, ""):
            return queryset
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset
        today = clock.today()
        return queryset.filter(**{cls.default_plan_lookup: default_plan(user, today=today)})

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self.apply_defaults(super().filter_queryset(queryset), self.request)
