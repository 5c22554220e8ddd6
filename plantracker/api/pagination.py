"""Cursor pagination of the contract: {"next", "previous", "results"}, page_size ≤ 200."""

from rest_framework.pagination import CursorPagination

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
