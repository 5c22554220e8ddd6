"""A person's phones and notification settings: push devices, channels per kind, quiet
hours and language (issue 16; tasks_app/push, tasks_app/inbox/preferences.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class PushPlatform(models.TextChoices):
    IOS = "ios", "iOS"
    ANDROID = "android", "Android"
    HARMONY = "harmony", _("鸿蒙")


class PushDevice(models.Model):
    """One app installation that can receive push: its gateway token is unique (a phone
    that changes hands belongs to whoever registered it last). Removing a device or a
    gateway's "not registered" answer deactivates it; re-registering revives it."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="push_devices")
    platform = models.CharField(_("平台"), max_length=10, choices=PushPlatform.choices)
    token = models.CharField(_("推送令牌"), max_length=512, unique=True)
    app_version = models.CharField(_("应用版本"), max_length=40, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    deactivated_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近登记"))

    class Meta:
        verbose_name = _("推送设备")
        verbose_name_plural = _("推送设备")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["user"], name="push_device_active", condition=models.Q(is_active=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.platform} {self.token[:12]}…"


class NotificationSettings(models.Model):
    """A person's notification preferences beyond the e-mail/robot switches on User.

    `channels` maps a notification kind to the external channels it goes out on (an empty
    list: the inbox only); a kind absent from it uses the default channels (User.notify_email,
    User.notify_webhook, `notify_push`). Quiet hours are local time (TIME_ZONE); push is held
    until they end. `language` renders push messages ("" = the district's language)."""

    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="notification_settings"
    )
    notify_push = models.BooleanField(_("手机推送"), default=True)
    channels = models.JSONField(_("各类通知的渠道"), default=dict, blank=True)
    quiet_hours_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    language = models.CharField(_("语言"), max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return f"{self.user_id}"
