"""django-filter's backend, skipped when a request names none of the filterset's parameters.

Building a FilterSet and its form (deep copies of every filter and form field) cost about
a millisecond per list request (bench/, README "Performance"), and without any of its
parameters the filterset filters nothing. With one of them (or anything that starts like
one), the request goes through django-filter unchanged: validation, 400s, the schema.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_a_filter(request, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _names_a_filter(request: Request, filterset_class: type) -> bool:
    """Whether any query parameter is (or may be, like `due_after` of a range) a filter's."""
    names = tuple(filterset_class.base_filters)
    if any(f.extra.get("required") for f in filterset_class.base_filters.values()):
        return True  # an absent required filter is a 400: let django-filter say so
    return any(param.startswith(names) for param in request.query_params)
