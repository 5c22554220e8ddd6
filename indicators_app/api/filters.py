"""Query filters of the indicator list and the observation list.

?category=expected|binding  ?group=<group number or exact group title>
?department=<department id or code>  ?plan=<id> (default: the caller's default plan)
?status=on_track|at_risk|off_track|not_assessed
The status filter evaluates the computed status of the otherwise-filtered indicators in
bulk. `updated_since` is plantracker.api.sync's UpdatedSinceFilter, set on the views.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from indicators_app.models import AssessmentStatus, Indicator
from indicators_app.selectors import indicators_with_status
from plantracker.api.filtering import database_int
from tasks_app.api.plan_filters import DefaultPlanFilterMixin


class IndicatorFilter(DefaultPlanFilterMixin, django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id")
    category = django_filters.ChoiceFilter(choices=Indicator.Category.choices)
    group = django_filters.CharFilter(method="filter_group")
    department = django_filters.CharFilter(method="filter_department")
    # Declared last: it narrows whatever the other filters left.
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices, method="filter_status")

    class Meta:
        model = Indicator
        fields: list[str] = []

    def filter_group(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        number = database_int(name, value)  # ASCII digits only: "²".isdigit() too
        return queryset.filter(group=value) if number is None else queryset.filter(group_no=number)

    def filter_department(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        number = database_int(name, value)
        if number is not None:
            return queryset.filter(responsible_department_id=number)
        return queryset.filter(responsible_department__code=value)

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return indicators_with_status(queryset, value)
