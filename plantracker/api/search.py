"""`?search=` whose refusals name the parameter, so they fit the one error shape.

DRF's SearchFilter refuses a term with a NUL character (PostgreSQL cannot store one) with
an error on no attribute (`attr: null`), which the OpenAPI schema cannot describe. Here the
same refusal is an error on `search`, declared through get_schema_validation_errors (read
by plantracker.api.schema).
"""

from __future__ import annotations

from typing import Any

from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


class SearchFilter(filters.SearchFilter):
    def get_search_terms(self, request: Request) -> list[str]:
        try:
            return super().get_search_terms(request)
        except ValidationError as exc:
            raise ValidationError({self.search_param: exc.detail}) from None

    def get_schema_validation_errors(self, view: Any) -> dict[str, set[str]]:
        return {self.search_param: {"null_characters_not_allowed"}}
