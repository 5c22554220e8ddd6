"""Quarterly rollups: frozen, versioned snapshots of the plan's numbers, and build jobs.

A Rollup and its rows are written once by tasks_app.rollups.build.rollup_build and
never updated: every metric is copied into plain columns, nothing points back at live
tasks, so later changes cannot alter a published quarter. A rebuild is a new version.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .plan import Plan

USER = settings.AUTH_USER_MODEL


class Rollup(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="rollups")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    version = models.PositiveIntegerField(_("版本"))
    as_of = models.DateField(_("统计截止日"))
    built_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    built_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    settings_used = models.JSONField(_("计分规则"), default=dict, blank=True)
    # 通报: published by the supervision office (tasks_app/rollups/circulation.py); until
    # then a version is a draft that stays with the office.
    published_at = models.DateTimeField(_("通报时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("季度汇总")
        verbose_name_plural = _("季度汇总")
        ordering = ["-year", "-quarter", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "quarter", "version"], name="rollup_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="rollup_quarter_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter} v{self.version}"


class RollupLevel(models.TextChoices):
    PLAN = "plan", _("全区")
    CHAPTER = "chapter", _("章节")
    DEPARTMENT = "department", _("部门")


class RollupRow(models.Model):
    """One line of a rollup: the plan, one chapter or one department, metrics copied in."""

    rollup = models.ForeignKey(Rollup, on_delete=models.CASCADE, related_name="rows")
    level = models.CharField(_("层级"), max_length=12, choices=RollupLevel.choices)
    key = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    # Kept as a plain id (not a key) so deleting a department never touches a snapshot.
    department_id = models.BigIntegerField(_("部门ID"), null=True, blank=True)
    position = models.PositiveIntegerField(_("排序"), default=0)
    tasks_total = models.PositiveIntegerField(default=0)
    tasks_not_started = models.PositiveIntegerField(default=0)
    tasks_in_progress = models.PositiveIntegerField(default=0)
    tasks_pending_review = models.PositiveIntegerField(default=0)
    tasks_completed = models.PositiveIntegerField(default=0)
    tasks_suspended = models.PositiveIntegerField(default=0)
    tasks_cancelled = models.PositiveIntegerField(default=0)
    tasks_carried_over = models.PositiveIntegerField(default=0)
    completed_on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    red_items = models.PositiveIntegerField(default=0)
    avg_progress = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    milestones_due = models.PositiveIntegerField(default=0)
    milestones_on_time = models.PositiveIntegerField(default=0)
    reports_expected = models.PositiveIntegerField(default=0)
    reports_on_time = models.PositiveIntegerField(default=0)
    reports_late = models.PositiveIntegerField(default=0)
    reports_missing = models.PositiveIntegerField(default=0)
    reminders_sent = models.PositiveIntegerField(default=0)
    urges_issued = models.PositiveIntegerField(default=0)
    notices_issued = models.PositiveIntegerField(default=0)
    extensions_granted = models.PositiveIntegerField(default=0)
    indicators_total = models.PositiveIntegerField(default=0)
    indicators_expected = models.PositiveIntegerField(default=0)
    indicators_binding = models.PositiveIntegerField(default=0)
    indicators_on_track = models.PositiveIntegerField(default=0)
    indicators_at_risk = models.PositiveIntegerField(default=0)
    indicators_off_track = models.PositiveIntegerField(default=0)
    indicators_not_assessed = models.PositiveIntegerField(default=0)
    score = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("汇总行")
        verbose_name_plural = _("汇总行")
        ordering = ["rollup", "level", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rollup", "level", "key"], name="rollup_row_unique"),
        ]
        indexes = [models.Index(fields=["rollup", "department_id"], name="rollup_row_dept")]

    def __str__(self) -> str:
        return f"{self.rollup} {self.level} {self.name}"


class RollupJob(models.Model):
    """A requested build (API POST or the schedule), run by a Celery worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # The plan to roll up; none: the default body's plan of `year` (older jobs).
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rollup = models.ForeignKey(
        Rollup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("汇总任务")
        verbose_name_plural = _("汇总任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter} {self.status}"


class RollupTaskState(models.Model):
    """One task's state as of a rollup's cutoff, for one build: a TEMPORARY table
    (tasks_app.rollups.state creates and drops it inside the build's transaction), so
    every history and report subquery runs once per task, not once per metric. Never
    stored; nothing reads it outside a build."""

    id = models.BigIntegerField(primary_key=True)  # the task's id
    plan_id = models.BigIntegerField()
    chapter_id = models.BigIntegerField()
    lead_department_id = models.BigIntegerField()
    start_date = models.DateField()
    status = models.CharField(max_length=20)  # the current status
    status_then = models.CharField(max_length=20)
    progress_then = models.IntegerField(null=True)
    due_then = models.DateField(null=True)
    milestone_then = models.DateField(null=True)
    completed_then = models.DateTimeField(null=True)  # completed_at, if before the cutoff
    deadline_in_force = models.DateField(null=True)
    # The lead department's first report of the quarter's 1st, 2nd, 3rd report period.
    report_first_at_1 = models.DateTimeField(null=True)
    report_first_at_2 = models.DateTimeField(null=True)
    report_first_at_3 = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "rollup_task_state"

    def __str__(self) -> str:
        return f"{self.id} {self.status_then}"
