"""PlanImport: what the plan file said at an import, the base of the next import's merge."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .plan import Plan


class PlanImport(models.Model):
    """One import of a plan text (+ enrichment): the file's hashes and its parsed snapshot.

    The latest row of a plan is the *base* of the three-way merge of the next import
    (tasks_app.plans.merge): a field the file changed since this snapshot is
    updated, a field only people changed is kept, both changed is a conflict.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="imports")
    text_sha256 = models.CharField(_("原文摘要"), max_length=64, db_index=True)
    enrichment_sha256 = models.CharField(_("配置摘要"), max_length=64, blank=True)
    snapshot = models.JSONField(_("快照"), default=dict)
    summary = models.JSONField(_("变更摘要"), default=dict, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["plan", "-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.imported_at:%Y-%m-%d %H:%M} {self.text_sha256[:8]}"
