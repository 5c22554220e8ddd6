"""A plan being onboarded in the console (计划导入): the pasted text and the assignment
table, kept while the supervisor works on them. A draft is not a Plan: nothing of it is
visible to departments until it is published (交办), which runs the real plan import."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .org import IssuingBody
from .plan import Plan, PlanKind


class PlanDraft(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已交办")

    body = models.ForeignKey(
        IssuingBody,
        on_delete=models.PROTECT,
        related_name="plan_drafts",
        verbose_name=_("发文单位"),
    )
    kind = models.CharField(
        _("计划类型"), max_length=24, choices=PlanKind.choices, default=PlanKind.ANNUAL
    )
    text = models.TextField(_("计划原文"))
    # {task code: {"lead": code, "co": [codes], "due": "YYYY-MM-DD", "milestones": template}}
    assignments = models.JSONField(_("分工"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("计划"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plan_drafts",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    published_at = models.DateTimeField(_("交办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("计划导入草稿")
        verbose_name_plural = _("计划导入草稿")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.body} {self.get_kind_display()} #{self.pk}"
