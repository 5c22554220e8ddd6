"""Read-only admin of the plan imports: when, from which files, what changed, conflicts."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tasks_app.models import PlanImport


@admin.register(PlanImport)
class PlanImportAdmin(admin.ModelAdmin):
    """The snapshot is the base of the next import's merge: evidence, not editable."""

    list_display = ["imported_at", "plan", "text_sha256", "enrichment_sha256", "source"]
    list_filter = ["plan"]
    list_select_related = ["plan"]
    readonly_fields = [f.name for f in PlanImport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
