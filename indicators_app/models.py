"""Indicators (主要指标): target, 2024 baseline, responsible department, observations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tasks_app.models import Department, Plan


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
    code = models.CharField(_("编号"), max_length=20, unique=True)
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
    """A reported figure for one period ("2025", "2025-Q2" or "2025-05")."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    period = models.CharField(_("期间"), max_length=7)
    period_end = models.DateField(_("期末日期"))
    value = models.DecimalField(_("数值"), max_digits=24, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("指标数据")
        verbose_name_plural = _("指标数据")
        ordering = ["indicator", "period_end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="observation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {self.value}{self.unit}"
