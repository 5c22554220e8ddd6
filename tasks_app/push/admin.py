"""Admin views of push devices and notification settings: read-only (the person's app
and PATCH /api/v1/me/ write them, through tasks_app/push/devices.py and
tasks_app/inbox/preferences.py)."""

from django.contrib import admin

from tasks_app import models as m
from tasks_app.admin_readonly import RecordReadOnlyAdmin


@admin.register(m.PushDevice)
class PushDeviceAdmin(RecordReadOnlyAdmin):
    list_display = ["id", "user", "platform", "app_version", "is_active", "last_seen_at"]
    list_filter = ["platform", "is_active"]
    search_fields = ["user__username", "token"]
    list_select_related = ["user"]


@admin.register(m.NotificationSettings)
class NotificationSettingsAdmin(RecordReadOnlyAdmin):
    list_display = ["user", "notify_push", "quiet_hours_start", "quiet_hours_end", "language"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
