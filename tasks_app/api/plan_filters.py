"""`?plan=<id>` on every list: without it a list shows the caller's default plan
(tasks_app.plan_scope.default_plan: this year's plan of their body, else its latest)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tasks_app.plan_scope import default_plan

PLAN_HELP = _("计划 ID（默认：本单位当年的计划，否则最近的计划）")


class DefaultPlanFilterMixin:
    """For a django-filter FilterSet with a `plan` filter: no `plan` → the default plan."""

    default_plan_lookup = "plan_id"

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if self.data.get("plan") not in (None, ""):
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset
        today = timezone.localdate()
        return queryset.filter(**{self.default_plan_lookup: default_plan(user, today=today)})
