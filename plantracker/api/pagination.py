"""Cursor pagination of the contract: {"next", "previous", "results"}, page_size ≤ 200.

A cursor is opaque, but a client can send anything as one: a cursor that is not one the
server made (not base64, or a position that is not a value of the ordering's first field,
or a number beyond 64 bits) is a 400 naming `cursor` — DRF answered 404 for the first and
500 for the others (the position went straight into the query).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Field, QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from plantracker.api.filtering import fits_database

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class StandardCursorPagination(CursorPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = (
        f"Results per page (default {DEFAULT_PAGE_SIZE}); larger values are capped at "
        f"{MAX_PAGE_SIZE}."
    )
    ordering = ("-updated_at", "-id")

    @classmethod
    def schema_errors(cls) -> dict[str, set[str]]:
        """Read by plantracker.api.schema: the 400 a list may answer for `cursor`."""
        return {cls.cursor_query_param: {"invalid"}}

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        self._queryset = queryset
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._invalid() from None
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _invalid(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}, "invalid")

    def _check_position(self, position: str) -> None:
        """The position must be a value of the first ordering field (a model field or an
        annotation of the queryset) that the database can compare with."""
        queryset = getattr(self, "_queryset", None)
        if queryset is None:
            return
        name = self.ordering[0].lstrip("-")
        try:
            field = queryset.model._meta.get_field(name)
        except FieldDoesNotExist:
            field = _annotation_field(queryset, name)
        if field is None:
            return
        try:
            value = field.to_python(position)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise self._invalid() from None
        if "\x00" in position or not fits_database(value):
            raise self._invalid()


def _annotation_field(queryset: QuerySet, name: str) -> Field | None:
    """The output field of the queryset's annotation `name`, resolved as any expression is
    (F(name) against the query), or None when it is not one."""
    try:
        return F(name).resolve_expression(queryset.query).output_field
    except (FieldError, AttributeError):
        return None
