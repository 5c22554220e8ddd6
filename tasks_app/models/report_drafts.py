"""Draft progress reports: written by a department's staff (联络员), seen only by that
department, and taking effect only when the department's lead submits them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .org import Department
from .plan import Task
from .workflow import ProgressReport

USER = settings.AUTH_USER_MODEL


class ReportDraft(models.Model):
    """A report not yet in effect. Kept as written after submission (the submitted report
    may differ: the lead may edit before submitting), so nothing anyone wrote is lost."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="report_drafts")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="report_drafts")
    period = models.CharField(_("报告期"), max_length=7, blank=True)
    percent = models.PositiveSmallIntegerField(_("进度(%)"))
    narrative = models.TextField(_("进展情况"), max_length=5000)
    red_reason = models.TextField(_("滞后原因"), blank=True, max_length=2000)
    # [{"key_result": id, "value": "decimal as text"}]: applied only on submission
    key_result_values = models.JSONField(default=list, blank=True)
    attachment_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    report = models.OneToOneField(
        ProgressReport, on_delete=models.PROTECT, null=True, blank=True, related_name="draft"
    )
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("进展报告草稿")
        verbose_name_plural = _("进展报告草稿")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="draft_percent_0_100"),
            models.CheckConstraint(
                condition=Q(status="draft", report__isnull=True)
                | Q(status="submitted", report__isnull=False),
                name="draft_submitted_has_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} draft {self.percent}% ({self.status})"
