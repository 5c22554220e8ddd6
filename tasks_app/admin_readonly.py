"""View-only admin pages for the accountability record (issue 17).

Progress reports, comments, attachments, extension requests, 督办单 and history are
evidence: in the admin they can be looked at, never added, changed or deleted — not by a
superuser either, since the admin writes no history for them. Corrections go through the
services (the API and the console), which check permissions and write history.
`tests/security/test_admin_record.py` walks every registered admin and inline.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class RecordReadOnlyMixin:
    """For a ModelAdmin or an inline: view permission only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordReadOnlyAdmin(RecordReadOnlyMixin, admin.ModelAdmin):
    """A view-only ModelAdmin for record models registered without their own admin."""


class NoDeleteMixin:
    """For TaskAdmin: deleting a task would take its reports, evidence and history with it
    (and PostgreSQL's history trigger refuses it anyway: a 500 before)."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
