"""Plan structure: Plan → Chapter → Measure → Task → Milestone, and key results."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .org import Department, IssuingBody, default_issuing_body_id


class PlanKind(models.TextChoices):
    """What kind of document the plan is; one plan per (body, year, kind)."""

    ANNUAL = "annual", _("年度计划")
    WORK_REPORT = "work_report", _("政府工作报告任务分工")
    SUPERVISION_LEDGER = "supervision_ledger", _("督办事项台账")


class PlanStatus(models.TextChoices):
    OPEN = "open", _("执行中")
    CLOSED = "closed", _("已结转")


class Plan(models.Model):
    """One plan of one issuing body for one year and kind.

    A closed plan (结转后) sends no reminders and its rollups are frozen.
    """

    body = models.ForeignKey(
        IssuingBody,
        on_delete=models.PROTECT,
        related_name="plans",
        default=default_issuing_body_id,
        verbose_name=_("发文单位"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(
        _("计划类型"), max_length=24, choices=PlanKind.choices, default=PlanKind.ANNUAL
    )
    status = models.CharField(
        _("计划状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    closed_at = models.DateTimeField(_("结转时间"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("计划")
        verbose_name_plural = _("计划")
        ordering = ["-year", "body", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["body", "year", "kind"], name="plan_unique_body_year"),
        ]

    def __str__(self) -> str:
        return self.title


class Chapter(models.Model):
    """One of the (一)…(六) sections of the plan's task part."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="chapter_unique_number"),
        ]

    def __str__(self) -> str:
        return f"({self.number}) {self.title}"


class Measure(models.Model):
    """A numbered paragraph (1., 2., …) whose first sentence is its bold title."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="measures")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("原文"))

    class Meta:
        verbose_name = _("举措")
        verbose_name_plural = _("举措")
        ordering = ["chapter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "number"], name="measure_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    PENDING_REVIEW = "pending_review", _("待审核销号")
    COMPLETED = "completed", _("已完成")
    SUSPENDED = "suspended", _("已暂停")
    CANCELLED = "cancelled", _("已取消")
    # Set only by import_plan when the task's sentence left the plan text (and undone,
    # with the status before it, when it comes back); no transition leads in or out.
    WITHDRAWN = "withdrawn", _("已撤销")
    # Carried into the next year's plan (结转): closed here, continued by its carried task.
    CARRIED_OVER = "carried_over", _("已结转")


# The one list of closed statuses (workflow rules, flags, cadence, reminders, rollups).
CLOSED_STATUSES = (
    TaskStatus.COMPLETED,
    TaskStatus.CANCELLED,
    TaskStatus.WITHDRAWN,
    TaskStatus.CARRIED_OVER,
)
# Not chased by flags, reports or reminders: closed, or suspended on purpose.
NOT_CHASED_STATUSES = (*CLOSED_STATUSES, TaskStatus.SUSPENDED)


class Acknowledgement(models.TextChoices):
    """签收 — the lead department's acknowledgement of a task assigned to it (交办).

    NULL in the column means "not tracked": tasks of a plain plan import (a plan already
    running) and tasks older than 签收 count as acknowledged (docs/supervision-procedure.md).
    """

    PENDING = "pending", _("未签收")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    RETURNED = "returned", _("已退回待重新交办")


# Awaiting the lead department (未签收) or the supervision office (退回): not acknowledged.
UNACKNOWLEDGED = (Acknowledgement.PENDING, Acknowledgement.RETURNED)


class TaskSource(models.TextChoices):
    """Where a task comes from (tasks_app/supervision/items.py). NULL in the column means
    a sentence of a plan (every imported task); the others are supervision items that the
    supervision office registers in the year's 督办事项台账."""

    PLAN = "plan", _("计划任务")
    MEETING = "meeting", _("会议议定事项")
    INSTRUCTION = "instruction", _("领导批示")
    MAJOR_PROJECT = "major_project", _("重大项目")
    OTHER = "other", _("其他")


class Task(models.Model):
    """One commitment of the plan (by default one sentence of a measure)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="tasks")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("编号"), max_length=40)
    sentence_no = models.PositiveSmallIntegerField(_("句序"))
    text = models.TextField(_("原文"))
    title = models.CharField(_("标题"), max_length=200)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="lead_tasks", verbose_name=_("牵头部门")
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_tasks", verbose_name=_("配合部门")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tasks",
        verbose_name=_("责任人"),
    )
    start_date = models.DateField(_("开始日期"))
    due_date = models.DateField(_("完成时限"), db_index=True)
    original_due_date = models.DateField(_("原定时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    # The earliest due date among the task's open milestones, kept by database triggers on
    # every write to milestones or to the task (migration 0007): the application never sets
    # it, and a stale value it saves is recomputed. Read by flags.py for every list.
    # The task of an earlier plan this one continues (结转); its origin reads `carried_to`.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("结转自"),
    )
    next_open_milestone_due = models.DateField(
        _("最近未完成节点时限"), null=True, blank=True, editable=False
    )
    is_archived = models.BooleanField(_("已归档"), default=False)
    # 签收 (tasks_app/supervision/acknowledgement.py): nullable columns so that adding them
    # does not rebuild the task table on SQLite (and its triggers with it).
    acknowledgement = models.CharField(
        _("签收状态"), max_length=12, choices=Acknowledgement.choices, null=True, blank=True
    )
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    # Supervision items from other sources (tasks_app/supervision/items.py): nullable
    # columns without defaults, so that adding them does not rebuild the table on SQLite.
    source = models.CharField(
        _("来源"), max_length=16, choices=TaskSource.choices, null=True, blank=True
    )
    source_name = models.CharField(_("来源名称"), max_length=200, null=True, blank=True)
    source_date = models.DateField(_("来源日期"), null=True, blank=True)
    source_text = models.TextField(_("来源原文"), null=True, blank=True)
    evidence_requirement = models.TextField(_("佐证材料要求"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan", "chapter__number", "measure__number", "sentence_no"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_0_100"),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("start_date")), name="task_due_after_start"
            ),
            models.UniqueConstraint(fields=["measure", "sentence_no"], name="task_unique_sentence"),
            models.UniqueConstraint(fields=["plan", "code"], name="task_unique_code_in_plan"),
            # A task is carried over at most once.
            models.UniqueConstraint(
                fields=["carried_from"],
                name="task_carried_once",
                condition=Q(carried_from__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["lead_department", "status"], name="task_lead_status"),
            models.Index(fields=["status", "due_date"], name="task_status_due"),
            models.Index(fields=["owner", "status"], name="task_owner_status"),
            # The few tasks awaiting 签收 or reassignment (board counts, the reminder item).
            models.Index(
                fields=["acknowledgement", "assigned_at"],
                name="task_unacknowledged",
                condition=Q(acknowledgement__in=["pending", "returned"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Milestone(models.Model):
    """A dated checkpoint of a task; the final one carries the task's deadline."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    sequence = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("名称"), max_length=200)
    due_date = models.DateField(_("时限"), db_index=True)
    original_due_date = models.DateField(_("原定时限"))
    is_final = models.BooleanField(_("最终节点"), default=False)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["task", "due_date", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["task", "sequence"], name="milestone_unique_seq"),
        ]
        indexes = [
            models.Index(fields=["due_date", "completed_at"], name="milestone_due_open"),
            # A task's next open milestone (flags.py), read once per task by every list:
            # only open rows, already in date order (bench/, README "Performance").
            models.Index(
                fields=["task", "due_date"],
                name="milestone_open_by_task",
                condition=Q(completed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} #{self.sequence} {self.title}"


class KeyResult(models.Model):
    """A quantity in the task's text (value in base units), and what was reported."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="key_results")
    order = models.PositiveSmallIntegerField(_("序号"))
    value = models.DecimalField(_("目标值"), max_digits=24, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20)
    label = models.CharField(_("名称"), max_length=100, blank=True)
    raw = models.CharField(_("原文片段"), max_length=100, blank=True)
    actual_value = models.DecimalField(
        _("实际完成"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    actual_reported_at = models.DateTimeField(_("填报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("量化指标")
        verbose_name_plural = _("量化指标")
        ordering = ["task", "order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "order"], name="keyresult_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.value}{self.unit}"
