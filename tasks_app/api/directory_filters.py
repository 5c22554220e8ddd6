"""Query filters of the directory lists (django-filter: bad values → 400 naming the field)."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from plantracker import clock
from tasks_app.api.plan_filters import PLAN_HELP, DefaultPlanFilterMixin
from tasks_app.models import Department, Milestone, Notification, Task
from tasks_app.plans.selectors import milestones_overdue_q


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An object id: whole numbers only ("1.5" or "x" → 400)."""

    field_class = forms.IntegerField


class DepartmentFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Department.Kind.choices, help_text=_("部门类型"))
    is_active = filters.BooleanFilter(help_text=_("是否启用"))

    class Meta:
        model = Department
        fields = ["kind", "is_active"]


class MilestoneFilter(DefaultPlanFilterMixin, filters.FilterSet):
    """The task filters that apply to milestones; dates are inclusive."""

    default_plan_lookup = "task__plan_id"
    plan = IdFilter(field_name="task__plan_id", help_text=PLAN_HELP)
    chapter = IdFilter(field_name="task__chapter_id", help_text=_("章节 ID"))
    measure = IdFilter(field_name="task__measure_id", help_text=_("举措 ID"))
    department = IdFilter(method="filter_department", help_text=_("部门 ID（牵头或配合）"))
    lead_department = IdFilter(field_name="task__lead_department_id", help_text=_("牵头部门 ID"))
    owner = IdFilter(field_name="task__owner_id", help_text=_("责任人 ID"))
    due_before = filters.DateFilter(
        field_name="due_date", lookup_expr="lte", help_text=_("时限不晚于（含当日）")
    )
    due_after = filters.DateFilter(
        field_name="due_date", lookup_expr="gte", help_text=_("时限不早于（含当日）")
    )
    overdue = filters.BooleanFilter(
        method="filter_overdue", help_text=_("true：未完成且已过时限（任务仍在推进）")
    )
    completed = filters.BooleanFilter(
        field_name="completed_at", lookup_expr="isnull", exclude=True, help_text=_("是否已完成")
    )

    class Meta:
        model = Milestone
        fields: list[str] = []

    def filter_department(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        co_link = Task.co_departments.through.objects.filter(
            task_id=OuterRef("task_id"), department_id=value
        )
        return queryset.filter(Q(task__lead_department_id=value) | Q(Exists(co_link)))

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if value is None:
            return queryset
        overdue = milestones_overdue_q(clock.today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", help_text=_("true：仅未读")
    )

    class Meta:
        model = Notification
        fields: list[str] = []
