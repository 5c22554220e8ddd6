"""django-filter's backend, building only the filters a request names.

Building a FilterSet's form (a deep copy and a form field for every filter) cost about a
millisecond per list request (bench/, README "Performance"), and a filter whose parameter
is absent filters nothing. So: no parameter of the filterset → django-filter is not run;
some → the filterset keeps only the filters those parameters may belong to (a prefix
match, so `due_after` of a range keeps its filter) and runs as usual: validation, 400s
naming the parameter, the schema (built from the class, not from this). A filterset may
define `apply_defaults(queryset, request)` (a classmethod): the filtering that applies
when a parameter is absent; it runs then too.

Every number a filter cleans must also fit the database: an integer beyond 64 bits raised
OverflowError in SQLite's driver (the embedded default) and a Decimal like -1.8e308 too;
such a value is a 400 naming the parameter on every database (`out_of_range`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# The widest integer column of any database we run on (PostgreSQL bigint, SQLite INTEGER).
DB_INT_MIN, DB_INT_MAX = -(2**63), 2**63 - 1
OUT_OF_RANGE = _("数值超出范围。")


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
        for name, value in filterset.form.cleaned_data.items():
            if not fits_database(value):
                raise out_of_range(name)
        return filterset.qs

    def get_schema_validation_errors(self, view: Any) -> dict[str, set[str]]:
        """Hook read by plantracker.api.schema: any filter may be `out_of_range`."""
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return {}
        return {name: {"out_of_range"} for name in filterset_class.base_filters}


def _named(filter_name: str, request: Request) -> bool:
    """Whether a query parameter is (or may be, like `due_after` of a range) the filter's."""
    return any(param.startswith(filter_name) for param in request.query_params)


def fits_database(value: Any) -> bool:
    """Whether a cleaned filter value can be sent to the database: numbers within 64 bits
    (a range or list filter's values each); anything else is left to the filter."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return DB_INT_MIN <= value <= DB_INT_MAX
    if isinstance(value, Decimal):
        return value.is_finite() and DB_INT_MIN <= value <= DB_INT_MAX
    if isinstance(value, float):
        return DB_INT_MIN <= value <= DB_INT_MAX  # also False for inf and nan
    if isinstance(value, slice):  # RangeFilter
        return fits_database(value.start) and fits_database(value.stop)
    if isinstance(value, list | tuple):
        return all(fits_database(item) for item in value)
    return True


def out_of_range(param: str) -> ValidationError:
    return ValidationError({param: [OUT_OF_RANGE]}, code="out_of_range")


def database_int(param: str, text: str) -> int | None:
    """`text` as a database-sized integer when it is ASCII digits (an id or a number in a
    free-text filter), None when it is not a number; 400 naming `param` when too large."""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    if not fits_database(value):
        raise out_of_range(param)
    return value
