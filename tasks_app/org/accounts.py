"""Accounts: the demo logins of the API contract."""

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tasks_app.models import Department, Membership, User
from tasks_app.models.org import DEFAULT_BODY_CODE
from tasks_app.org.principal_cache import principal_forget

DEMO_DISTRICT_USERS = (
    # username, display name, district role, superuser
    ("admin", "系统管理员", "", True),
    ("supervisor", "督查室 王督查", "supervisor", False),
    ("leader", "区领导 李区长", "leader", False),
)


@transaction.atomic
def demo_accounts_ensure(*, password: str) -> int:
    """Create or reset `admin`, `supervisor`, `leader`, and `lead.<code>`/`staff.<code>`
    for every department of the default issuing body (大兴区; usernames carry no body).
    Returns the number of accounts. Set-based: one hash, bulk writes."""
    hashed = make_password(password)
    wanted: dict[str, dict] = {
        name: {
            "display_name": display,
            "district_role": role,
            "is_superuser": su,
            "is_staff": su or role == "supervisor",
        }
        for name, display, role, su in DEMO_DISTRICT_USERS
    }
    departments = list(Department.objects.filter(body__code=DEFAULT_BODY_CODE))
    for dep in departments:
        wanted[f"lead.{dep.code}"] = {
            "display_name": f"{dep.name}负责人",
            "district_role": "",
            "is_superuser": False,
            "is_staff": False,
        }
        wanted[f"staff.{dep.code}"] = {
            "display_name": f"{dep.name}联络员",
            "district_role": "",
            "is_superuser": False,
            "is_staff": False,
        }
    existing = {u.username: u for u in User.objects.filter(username__in=wanted)}
    new = [User(username=n, password=hashed, **v) for n, v in wanted.items() if n not in existing]
    for name, user in existing.items():
        for field, value in wanted[name].items():
            setattr(user, field, value)
        user.password = hashed
        user.is_active = True
    User.objects.bulk_create(new)
    User.objects.bulk_update(
        existing.values(),
        ["password", "is_active", "display_name", "district_role", "is_superuser", "is_staff"],
    )
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    memberships = [
        Membership(user=users[f"{prefix}.{dep.code}"], department=dep, role=role)
        for dep in departments
        for prefix, role in (
            ("lead", Membership.DeptRole.LEAD),
            ("staff", Membership.DeptRole.STAFF),
        )
    ]
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)
    # bulk writes send no signal: these people's cached sign-ins are dropped here
    principal_forget(user_ids=[u.pk for u in users.values()])
    return len(wanted)
