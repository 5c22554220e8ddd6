"""Workflow records: reports, comments, evidence, extensions, notices, inbox, history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .org import Department
from .plan import KeyResult, Milestone, Task

USER = settings.AUTH_USER_MODEL


class HistoryEvent(models.Model):
    """Append-only audit row: who did what to a task, when, from → to, and why."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    action = models.CharField(_("动作"), max_length=40)
    field = models.CharField(_("字段"), max_length=40, blank=True)
    from_value = models.JSONField(_("原值"), null=True, blank=True)
    to_value = models.JSONField(_("新值"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("历史记录")
        verbose_name_plural = _("历史记录")
        ordering = ["task", "at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ProgressReport(models.Model):
    """A department's progress report for one task and one reporting period (YYYY-MM)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress_reports")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="progress_reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("报告期"), max_length=7, db_index=True)  # "2025-03"
    percent = models.PositiveSmallIntegerField(_("进度(%)"))
    narrative = models.TextField(_("进展情况"), max_length=5000)
    red_reason = models.TextField(_("滞后原因"), blank=True, max_length=2000)
    # the staff member whose draft this report was submitted from (author: who submitted)
    drafted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_0_100"),
        ]
        indexes = [
            models.Index(fields=["task", "period"], name="report_task_period"),
            # A rollup's first report per task and department of a period (rollups/state.py):
            # an index-only scan of the period's entries, not of the table's pages.
            models.Index(
                fields=["period", "task", "department", "created_at"], name="report_period_first"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.period} {self.percent}%"


class ProgressReportValue(models.Model):
    """The actual reached for one key result, as stated in a progress report."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=24, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "key_result"], name="report_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key_result_id}={self.value}"


class Comment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, on_delete=models.PROTECT)
    body = models.TextField(_("内容"), max_length=5000)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("评论")
        verbose_name_plural = _("评论")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:30]


class Attachment(models.Model):
    """Evidence file (photo, PDF, office document), checked by content on upload."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    report = models.ForeignKey(
        ProgressReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT)
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ExtensionRequest(models.Model):
    """A lead department's request to move a task's (or a milestone's) date."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        WITHDRAWN = "withdrawn", _("已撤回")  # the task closed while it was pending

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extension_requests")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    old_due_date = models.DateField(_("原时限"))
    new_due_date = models.DateField(_("申请时限"))
    reason = models.TextField(_("理由"), max_length=2000)
    is_late = models.BooleanField(_("逾期申请"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.new_due_date} ({self.status})"


class SupervisionNotice(models.Model):
    """督办单 — a formal supervision notice recorded against a department for a task (kind
    "notice"), or a recorded 催办 (kind "urge", nothing to answer).

    A notice is open until the department answers it (反馈: text and evidence) and the
    supervision office accepts the answer; sent back, it is open again with a new
    response deadline. At most one notice per task is open or answered at a time.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待反馈")
        ANSWERED = "answered", _("已反馈待审核")
        CLOSED = "closed", _("已办结")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="supervision_notices")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="notices")
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(
        max_length=10, choices=[("urge", _("催办")), ("notice", _("督办单"))], default="notice"
    )
    reason = models.TextField(_("事由"), max_length=2000)
    status = models.CharField(
        _("办理状态"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    respond_by = models.DateField(_("反馈时限"), null=True, blank=True)
    answer = models.TextField(_("反馈内容"), blank=True, max_length=5000)
    answer_attachments = models.JSONField(_("反馈佐证材料"), default=list, blank=True)
    answered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, null=True, db_index=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(kind="notice", status__in=["open", "answered"]),
                name="one_open_notice_per_task",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.task_id} {self.department_id}"


class Notification(models.Model):
    """An in-app inbox message (a reminder digest, an urge, a decision)."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=30)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    # The parameters of `kind`'s template (tasks_app/inbox/messages.py): title and body
    # are rendered from them in the reader's language; the stored ones are the
    # district-language rendering sent by e-mail and webhook.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox"),
        ]

    def __str__(self) -> str:
        return self.title


class LeaderInstruction(models.Model):
    """领导批示 — a district leader's instruction on a task, which the lead department must
    answer within INSTRUCTION_RESPONSE_WORKING_DAYS working days."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="instructions")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("批示内容"), max_length=2000)
    respond_by = models.DateField(_("回复时限"))
    response = models.TextField(_("办理回复"), blank=True, max_length=5000)
    responded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.text[:20]}"
