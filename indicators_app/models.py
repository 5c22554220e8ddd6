"""Indicators (主要指标): target, 2024 baseline, responsible department, observations.

Observations are corrected in place (the row shows the current value); every earlier
value is kept in an ObservationRevision with its author and the reason for the change.
A supervisor may verify or question an observation, and records judgements for
qualitative targets (稳步增长, 达到市级要求, …). Assessment statuses are computed, never
stored as truth (see indicators_app.assessment); a judgement is the supervisor's input to
that computation.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tasks_app.models import Department, Plan


class AssessmentStatus(models.TextChoices):
    ON_TRACK = "on_track", _("正常")
    AT_RISK = "at_risk", _("预警")
    OFF_TRACK = "off_track", _("滞后")
    NOT_ASSESSED = "not_assessed", _("未评估")


class Indicator(models.Model):
    class Category(models.TextChoices):
        EXPECTED = "expected", _("预期性")
        BINDING = "binding", _("约束性")

    class Comparator(models.TextChoices):
        GTE = ">=", _("不低于")
        LTE = "<=", _("不高于")
        EQ = "=", _("等于")
        APPROX = "~", _("约等于")
        QUALITATIVE = "qualitative", _("定性")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("月度")
        QUARTERLY = "quarterly", _("季度")
        ANNUAL = "annual", _("年度")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("编号"), max_length=20)
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("属性"), max_length=10, choices=Category.choices)
    group_no = models.PositiveSmallIntegerField(_("类别序号"))
    group = models.CharField(_("类别"), max_length=100)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    responsible_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("责任部门"),
    )
    frequency = models.CharField(
        _("报送频率"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    due_day = models.PositiveSmallIntegerField(_("报送日"), default=20)
    target_comparator = models.CharField(_("目标比较"), max_length=12, choices=Comparator.choices)
    target_value = models.DecimalField(
        _("目标值"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    target_unit = models.CharField(_("目标单位"), max_length=30, blank=True)
    target_text = models.CharField(_("目标原文"), max_length=200)
    target_is_growth_rate = models.BooleanField(_("增速目标"), default=False)
    baseline_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("基期值"), max_digits=24, decimal_places=4, null=True, blank=True
    )
    baseline_unit = models.CharField(_("基期单位"), max_length=30, blank=True)
    baseline_growth_pct = models.DecimalField(
        _("基期增速(%)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    baseline_text = models.CharField(_("基期原文"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code_in_plan"),
            # Deferred: a re-import may swap orders/names within one statement.
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="indicator_unique_name",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(
                fields=["plan", "order"],
                name="indicator_unique_order",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]
        indexes = [models.Index(fields=["category", "group_no"], name="indicator_cat_group")]

    def __str__(self) -> str:
        return self.name


class Observation(models.Model):
    """A reported figure for one period ("2025", "2025-Q2" or "2025-05").

    value/unit are in the indicator's unit (converted on entry); reported_value and
    reported_unit keep what the reporter typed. For growth-rate indicators the value is
    the year-on-year growth in %.
    """

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", _("待审核")
        VERIFIED = "verified", _("已核实")
        QUESTIONED = "questioned", _("有疑问")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    period = models.CharField(_("期间"), max_length=7)
    period_end = models.DateField(_("期末日期"))
    value = models.DecimalField(_("数值"), max_digits=24, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    reported_value = models.DecimalField(
        _("填报数值"), max_digits=30, decimal_places=10, null=True, blank=True
    )
    reported_unit = models.CharField(_("填报单位"), max_length=30, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    verification_status = models.CharField(
        _("审核状态"), max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    verified_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    verification_comment = models.TextField(_("审核意见"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("指标数据")
        verbose_name_plural = _("指标数据")
        ordering = ["indicator", "period_end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="observation_unique"),
        ]
        indexes = [
            models.Index(fields=["indicator", "-period_end", "-id"], name="observation_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {self.value}{self.unit}"

    @property
    def is_verified(self) -> bool:
        return self.verification_status == self.Verification.VERIFIED


class ObservationRevision(models.Model):
    """An earlier value of an observation, kept when a correction replaced it (append-only)."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    value = models.DecimalField(_("原数值"), max_digits=24, decimal_places=4)
    unit = models.CharField(_("原单位"), max_length=30, blank=True)
    source = models.CharField(_("原来源"), max_length=200, blank=True)
    note = models.TextField(_("原说明"), blank=True, max_length=2000)
    verification_status = models.CharField(_("原审核状态"), max_length=12, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原填报人"),
    )
    reported_at = models.DateTimeField(_("原填报时间"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("更正人"),
    )
    reason = models.TextField(_("更正原因"), max_length=2000)
    created_at = models.DateTimeField(_("更正时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("指标数据更正记录")
        verbose_name_plural = _("指标数据更正记录")
        ordering = ["observation", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.observation_id}: {self.value}{self.unit} ({self.created_at:%Y-%m-%d})"


class IndicatorJudgement(models.Model):
    """A supervisor's recorded judgement of a qualitative target; the latest one counts."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="judgements")
    status = models.CharField(_("研判结果"), max_length=12, choices=AssessmentStatus.choices)
    reason = models.TextField(_("研判理由"), max_length=2000)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("研判人"),
    )
    created_at = models.DateTimeField(_("研判时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("指标研判")
        verbose_name_plural = _("指标研判")
        ordering = ["indicator", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["indicator", "-created_at", "-id"], name="judgement_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.status} ({self.created_at:%Y-%m-%d})"
