"""Organisation: departments, people and their roles."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_BODY_CODE = "daxing"
DEFAULT_BODY_NAME = "大兴区"


class IssuingBody(models.Model):
    """Who issues plans (发文单位): a district government (区政府) or another body.

    Plans, departments and the district-level people (supervisors, leaders) belong to
    exactly one issuing body; nobody sees another body's plans.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        OTHER = "other", _("其他")

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.DISTRICT)
    # 通报: a published quarter's ranking and red items are shown to every department of
    # the body (tasks_app/rollups/circulation.py); off, a department sees its own row only.
    circulate_rollups = models.BooleanField(_("季度结果通报各单位"), default=True)

    class Meta:
        verbose_name = _("发文单位")
        verbose_name_plural = _("发文单位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def default_issuing_body_id() -> int:
    """The default body (大兴区) for rows created without one; created on first use."""
    # Only the key is read: migrations call this (a rebuilt table's default) while later
    # columns of IssuingBody do not exist yet.
    found = IssuingBody.objects.filter(code=DEFAULT_BODY_CODE).values_list("pk", flat=True)
    if found:
        return found[0]
    body, _created = IssuingBody.objects.get_or_create(
        code=DEFAULT_BODY_CODE,
        defaults={"name": DEFAULT_BODY_NAME, "kind": IssuingBody.Kind.DISTRICT},
    )
    return body.pk


class Department(models.Model):
    """A district unit: bureau (委办局), town (镇), street (街道) or management committee.

    Codes and names are unique within the department's issuing body.
    """

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("委办局")
        TOWN = "town", _("镇")
        STREET = "street", _("街道")
        COMMITTEE = "committee", _("管委会")
        OFFICE = "office", _("办公室")

    body = models.ForeignKey(
        IssuingBody,
        on_delete=models.PROTECT,
        related_name="departments",
        default=default_issuing_body_id,
        verbose_name=_("发文单位"),
    )
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.BUREAU)
    webhook_url = models.URLField(_("群机器人地址"), blank=True, max_length=500)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["body", "code"], name="department_unique_code"),
            models.UniqueConstraint(fields=["body", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Roles of product.md. admin is Django's superuser; the rest are below."""

    ADMIN = "admin", _("管理员")
    SUPERVISOR = "supervisor", _("督查室")
    LEADER = "leader", _("区领导")
    DEPT_LEAD = "dept_lead", _("部门负责人")
    DEPT_STAFF = "dept_staff", _("部门联络员")


class User(AbstractUser):
    """A person. District-wide role in `district_role`; department roles via Membership.

    `body` is the issuing body the person works for (empty: the default body, 大兴区): a
    supervisor or leader reads that body's plans only. Department people see their
    departments' tasks (which belong to their departments' body). No database default:
    Django's checks build a User() without a database.
    """

    class DistrictRole(models.TextChoices):
        NONE = "", _("无")
        SUPERVISOR = Role.SUPERVISOR.value, Role.SUPERVISOR.label
        LEADER = Role.LEADER.value, Role.LEADER.label

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    district_role = models.CharField(
        _("区级角色"), max_length=16, choices=DistrictRole.choices, blank=True, default=""
    )
    body = models.ForeignKey(
        IssuingBody,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        verbose_name=_("发文单位"),
    )
    notify_email = models.BooleanField(_("邮件提醒"), default=True)
    notify_webhook = models.BooleanField(_("群机器人提醒"), default=True)
    departments = models.ManyToManyField(
        Department, through="Membership", related_name="members", verbose_name=_("部门")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """A person's role in one department: lead (部门负责人) or staff (联络员)."""

    class DeptRole(models.TextChoices):
        LEAD = Role.DEPT_LEAD.value, Role.DEPT_LEAD.label
        STAFF = Role.DEPT_STAFF.value, Role.DEPT_STAFF.label

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=16, choices=DeptRole.choices)

    class Meta:
        verbose_name = _("部门成员")
        verbose_name_plural = _("部门成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department} ({self.get_role_display()})"
