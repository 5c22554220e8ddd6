"""Reminder bookkeeping: the daily run, the never-twice ledger and the delivery outbox.

ReminderDispatch is the ledger: one row per (item, level, recipient, day), unique in the
database, written in the same transaction as the digest Notification and its Delivery
rows. Delivery is the outbox for external channels (e-mail, chat-robot webhook); the
worker claims a row, sends, and records the outcome (see tasks_app/reminders/deliveries.py
for the exact semantics).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .org import Department
from .plan import Task
from .workflow import Notification, SupervisionNotice

USER = settings.AUTH_USER_MODEL


class ReminderLevel(models.TextChoices):
    """Rungs of the ladder, lowest first."""

    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("逾期催办")
    SUPERVISION = "supervision", _("督办")
    LEADERS = "leaders", _("提请区领导关注")


class ReminderRun(models.Model):
    """One row per calendar day the reminder run happened (or was attempted)."""

    run_date = models.DateField(_("日期"), unique=True)
    attempts = models.PositiveIntegerField(_("执行次数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    summary = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("提醒批次")
        verbose_name_plural = _("提醒批次")
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return f"{self.run_date} ×{self.attempts}"


class ReminderDispatch(models.Model):
    """Ledger row: this recipient was reminded of this item at this level on this day."""

    item_key = models.CharField(_("事项"), max_length=120)
    item_kind = models.CharField(_("事项类型"), max_length=30)
    item_due_date = models.DateField(_("时限"))
    level = models.CharField(_("级别"), max_length=16, choices=ReminderLevel.choices)
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    run_date = models.DateField(_("日期"))
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-run_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_key", "level", "recipient", "run_date"],
                name="reminder_dispatch_once_a_day",
            ),
        ]
        indexes = [
            models.Index(fields=["run_date"], name="reminder_dispatch_day"),
            models.Index(fields=["item_key", "level"], name="reminder_dispatch_item"),
        ]

    def __str__(self) -> str:
        return f"{self.run_date} {self.item_key} {self.level} → {self.recipient_id}"


class ReminderEscalation(models.Model):
    """An item reached a rung for a given due date: recorded once, with the 督办单 issued.

    The unique key makes the supervision notice once per item and due date, however many
    runs, retries or supervisors there are; a new due date (an extension) starts afresh.
    """

    item_key = models.CharField(_("事项"), max_length=120)
    item_due_date = models.DateField(_("时限"))
    level = models.CharField(_("级别"), max_length=16, choices=ReminderLevel.choices)
    run_date = models.DateField(_("日期"))
    notice = models.ForeignKey(
        SupervisionNotice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("升级记录")
        verbose_name_plural = _("升级记录")
        ordering = ["-run_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_key", "item_due_date", "level"], name="reminder_escalation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_key} {self.item_due_date} {self.level}"


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("群机器人")
    PUSH = "push", _("手机推送")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败，待重试")
    DEAD = "dead", _("发送失败，已放弃")


class Delivery(models.Model):
    """Outbox row: one notification on one external channel, with its sending record."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("地址"), max_length=500)
    payload = models.JSONField(_("内容"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    lease_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("外部投递")
        verbose_name_plural = _("外部投递")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
        ]
        indexes = [
            # The sweep's "what is due" scan touches only unfinished rows.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="delivery_due",
                condition=Q(status__in=["pending", "sending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.target} ({self.status})"
