"""Query filters of GET /tasks/ (django-filter: a bad value is a 400 naming the parameter).

`flag`, `overdue` and `report_status` filter on SQL annotations (selectors.tasks_for_api),
never on rows loaded into Python. Dates are inclusive.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tasks_app.api.plan_filters import PLAN_HELP, DefaultPlanFilterMixin
from tasks_app.models import ExtensionRequest, Task, TaskStatus
from tasks_app.models.plan import UNACKNOWLEDGED
from tasks_app.workflow.cadence import REPORT_STATUSES
from tasks_app.workflow.flags import FLAGS


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An object id: whole numbers only."""

    field_class = forms.IntegerField


class StrictBooleanField(forms.TypedChoiceField):
    """true/false (or 1/0); anything else is an error, not silently "no filter"."""

    TRUE, FALSE = ("true", "True", "1"), ("false", "False", "0")

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["choices"] = [(v, v) for v in (*self.TRUE, *self.FALSE)]
        kwargs["coerce"] = lambda value: value in self.TRUE
        kwargs["empty_value"] = None
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Not django-filter's BooleanWidget, which reads any unknown word as "no filter".
        kwargs["widget"] = forms.TextInput
        super().__init__(*args, **kwargs)


class TaskFilter(DefaultPlanFilterMixin, filters.FilterSet):
    plan = IdFilter(field_name="plan_id", help_text=PLAN_HELP)
    chapter = IdFilter(field_name="chapter_id", help_text=_("章节 ID"))
    measure = IdFilter(field_name="measure_id", help_text=_("举措 ID"))
    department = IdFilter(method="filter_department", help_text=_("部门 ID（牵头或配合）"))
    lead_department = IdFilter(field_name="lead_department_id", help_text=_("牵头部门 ID"))
    owner = IdFilter(field_name="owner_id", help_text=_("责任人 ID"))
    status = filters.ChoiceFilter(choices=TaskStatus.choices, help_text=_("状态"))
    flag = filters.ChoiceFilter(
        field_name="flag", choices=[(f, f) for f in FLAGS], help_text=_("灯色（按今日计算）")
    )
    overdue = StrictBooleanFilter(
        field_name="is_overdue", help_text=_("true：完成时限或未完成节点已过（任务仍在推进）")
    )
    report_status = filters.ChoiceFilter(
        field_name="report_status",
        choices=[(s, s) for s in REPORT_STATUSES],
        help_text=_("最近一个已到期报告期的报告情况"),
    )
    acknowledged = StrictBooleanFilter(
        method="filter_acknowledged",
        help_text=_("false：未签收或已退回待重新交办；true：已签收（含无需签收的任务）"),
    )
    due_before = filters.DateFilter(
        field_name="due_date", lookup_expr="lte", help_text=_("完成时限不晚于（含当日）")
    )
    due_after = filters.DateFilter(
        field_name="due_date", lookup_expr="gte", help_text=_("完成时限不早于（含当日）")
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_acknowledged(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        waiting = Q(acknowledgement__in=UNACKNOWLEDGED)
        return queryset.exclude(waiting) if value else queryset.filter(waiting)

    def filter_department(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # A UNION of two index scans; `lead = x OR EXISTS(co link)` scans every task.
        lead = Task.objects.filter(lead_department_id=value).order_by().values("pk")
        co = (
            Task.co_departments.through.objects.filter(department_id=value)
            .order_by()
            .values("task_id")
        )
        return queryset.filter(pk__in=lead.union(co))


class ExtensionRequestFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ExtensionRequest.Status.choices, help_text=_("审批状态"))
    task = IdFilter(field_name="task_id", help_text=_("任务 ID"))

    class Meta:
        model = ExtensionRequest
        fields: list[str] = []
