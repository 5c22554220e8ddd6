"""Admin views of the reminder ledger, the delivery outbox and the frozen rollups.

All read-only: these rows are written by services (tasks_app/services/) only. The
schedule itself is django-celery-beat's "Periodic tasks" admin.
"""

from django.contrib import admin

from tasks_app import models as m
from tasks_app.admin_readonly import RecordReadOnlyAdmin


@admin.register(m.ReminderRun)
class ReminderRunAdmin(RecordReadOnlyAdmin):
    list_display = ["run_date", "attempts", "started_at", "finished_at"]


@admin.register(m.ReminderDispatch)
class ReminderDispatchAdmin(RecordReadOnlyAdmin):
    list_display = ["run_date", "item_key", "level", "recipient", "department", "item_due_date"]
    list_filter = ["level", "item_kind", "run_date"]
    search_fields = ["item_key", "recipient__username"]
    list_select_related = ["recipient", "department"]


@admin.register(m.ReminderEscalation)
class ReminderEscalationAdmin(RecordReadOnlyAdmin):
    list_display = ["run_date", "item_key", "item_due_date", "level", "notice"]
    list_filter = ["level"]
    search_fields = ["item_key"]


@admin.register(m.Delivery)
class DeliveryAdmin(RecordReadOnlyAdmin):
    list_display = ["id", "channel", "recipient", "target", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient__username", "target", "last_error"]
    list_select_related = ["recipient"]
    exclude = ["payload"]


class RollupRowInline(admin.TabularInline):
    model = m.RollupRow
    fields = ["level", "key", "name", "tasks_total", "tasks_completed", "red_items", "score"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(m.Rollup)
class RollupAdmin(RecordReadOnlyAdmin):
    list_display = ["year", "quarter", "version", "as_of", "built_at", "built_by"]
    list_filter = ["year", "quarter"]
    inlines = [RollupRowInline]


@admin.register(m.RollupJob)
class RollupJobAdmin(RecordReadOnlyAdmin):
    list_display = ["id", "year", "quarter", "status", "rollup", "created_at", "finished_at"]
    list_filter = ["status"]
