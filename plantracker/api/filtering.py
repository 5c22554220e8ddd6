"""django-filter's backend, building only the filters a request names.

Building a FilterSet's form (a deep copy and a form field for every filter) cost about a
millisecond per list request (bench/, README "Performance"), and a filter whose parameter
is absent filters nothing. So: no parameter of the filterset → django-filter is not run;
some → the filterset keeps only the filters those parameters may belong to (a prefix
match, so `due_after` of a range keeps its filter) and runs as usual: validation, 400s
naming the parameter, the schema (built from the class, not from this). A filterset may
define `apply_defaults(queryset, request)` (a classmethod): the filtering that applies
when a parameter is absent; it runs then too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        base_filters = filterset_class.base_filters
        if any(f.extra.get("required") for f in base_filters.values()):
            # An absent required filter is a 400: let django-filter say so.
            return super().filter_queryset(request, queryset, view)
        named = [name for name in base_filters if _named(name, request)]
        if not named:
            defaults = getattr(filterset_class, "apply_defaults", None)
            return defaults(queryset, request) if defaults else queryset
        filterset = filterset_class(**self.get_filterset_kwargs(request, queryset, view))
        filterset.filters = {name: filterset.filters[name] for name in named}
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs


def _named(filter_name: str, request: Request) -> bool:
    """Whether a query parameter is (or may be, like `due_after` of a range) the filter's."""
    return any(param.startswith(filter_name) for param in request.query_params)
