"""Admin for the supervision office and administrators: departments, people, plan, tasks."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tasks_app import models as m
from tasks_app.admin_readonly import NoDeleteMixin, RecordReadOnlyAdmin, RecordReadOnlyMixin
from tasks_app.workflow.admin_history import TaskHistoryAdminMixin


class MembershipInline(admin.TabularInline):
    model = m.Membership
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(m.IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]


@admin.register(m.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "body", "kind", "is_active"]
    list_filter = ["body", "kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(m.User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "district_role", "email", "is_active"]
    list_filter = ["district_role", "is_active", "is_superuser", "memberships__department__kind"]
    search_fields = ["username", "display_name", "email", "memberships__department__name"]
    inlines = [MembershipInline]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            _("plantracker"),
            {
                "fields": [
                    "display_name",
                    "phone",
                    "district_role",
                    "body",
                    "notify_email",
                    "notify_webhook",
                ]
            },
        ),
    ]


class ChapterInline(admin.TabularInline):
    model = m.Chapter
    extra = 0


@admin.register(m.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "body", "kind", "status", "imported_at"]
    list_filter = ["body", "kind", "status"]
    inlines = [ChapterInline]
    exclude = ["source_text"]
    readonly_fields = ["status", "closed_at"]  # closed only by a rollover (rollover_plan)


@admin.register(m.Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "chapter"]
    list_filter = ["chapter__plan", "chapter"]
    search_fields = ["title", "text"]


class MilestoneInline(admin.TabularInline):
    model = m.Milestone
    extra = 0
    fields = ["sequence", "title", "due_date", "original_due_date", "is_final", "completed_at"]
    readonly_fields = ["original_due_date"]


class KeyResultInline(admin.TabularInline):
    model = m.KeyResult
    extra = 0
    fields = ["order", "label", "value", "unit", "raw", "actual_value"]
    readonly_fields = ["raw", "actual_value"]


class HistoryInline(RecordReadOnlyMixin, admin.TabularInline):
    model = m.HistoryEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "action", "field", "from_value", "to_value", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(m.Task)
class TaskAdmin(NoDeleteMixin, TaskHistoryAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "lead_department", "owner", "due_date", "status", "progress"]
    list_filter = ["status", "chapter", "lead_department__kind", "lead_department", "due_date"]
    search_fields = ["code", "title", "text"]
    autocomplete_fields = ["lead_department", "co_departments", "owner"]
    readonly_fields = [
        "code",
        "text",
        "status",
        "progress",
        "version",
        "original_due_date",
        "completed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [MilestoneInline, KeyResultInline, HistoryInline]
    list_select_related = ["lead_department", "owner"]


@admin.register(m.HistoryEvent)
class HistoryEventAdmin(admin.ModelAdmin):
    """Read-only: history is append-only evidence."""

    list_display = ["at", "task", "actor", "action", "field", "reason"]
    list_filter = ["action"]
    search_fields = ["task__code", "reason"]
    list_select_related = ["task", "actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(m.ProgressReport)
class ProgressReportAdmin(RecordReadOnlyMixin, admin.ModelAdmin):
    list_display = ["task", "period", "percent", "department", "author", "created_at"]
    list_filter = ["period", "department"]
    search_fields = ["task__code", "narrative"]
    list_select_related = ["task", "department", "author"]


@admin.register(m.ExtensionRequest)
class ExtensionRequestAdmin(RecordReadOnlyMixin, admin.ModelAdmin):
    list_display = ["task", "old_due_date", "new_due_date", "status", "requested_by", "created_at"]
    list_filter = ["status", "is_late"]
    search_fields = ["task__code", "reason"]


@admin.register(m.SupervisionNotice)
class SupervisionNoticeAdmin(RecordReadOnlyMixin, admin.ModelAdmin):
    list_display = ["task", "department", "kind", "issued_by", "created_at"]
    list_filter = ["kind", "department"]
    search_fields = ["task__code", "reason"]


@admin.register(m.Notification)
class NotificationAdmin(RecordReadOnlyMixin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "title"]


admin.site.register(m.Comment, RecordReadOnlyAdmin)
admin.site.register(m.Attachment, RecordReadOnlyAdmin)
admin.site.site_header = _("plantracker 计划任务督办系统")
admin.site.site_url = "/console/"  # "View site" opens the supervision console
admin.site.site_title = _("plantracker")

# Reminder ledger, delivery outbox, rollups and plan imports (read-only), registered on import.
from tasks_app.plans import admin as admin_plan_import  # noqa: E402, F401
from tasks_app.push import admin as admin_push  # noqa: E402, F401
from tasks_app.reminders import admin as admin_reminders  # noqa: E402, F401
