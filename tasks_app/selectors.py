"""Reads: who may see what, and annotated task querysets."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from tasks_app.models import Membership, Role, Task, User


def user_roles(user: User) -> list[str]:
    """Every role the user holds, district-wide and per department."""
    roles: list[str] = []
    if user.is_superuser:
        roles.append(Role.ADMIN.value)
    if user.district_role:
        roles.append(user.district_role)
    roles.extend(sorted(set(user.memberships.values_list("role", flat=True))))
    return roles


def is_supervisor(user: User) -> bool:
    return user.is_superuser or user.district_role == Role.SUPERVISOR


def sees_everything(user: User) -> bool:
    """Supervisors, district leaders and admins read the whole plan."""
    return user.is_superuser or user.district_role in (Role.SUPERVISOR, Role.LEADER)


def user_department_ids(user: User) -> list[int]:
    return list(user.memberships.values_list("department_id", flat=True))


def tasks_visible_to(user: User) -> QuerySet[Task]:
    """Tasks the user may see: all for district roles, else lead or co-department tasks."""
    tasks = Task.objects.filter(is_archived=False)
    if sees_everything(user):
        return tasks
    # Subqueries, not joins: no DISTINCT, and the planner can use the indexes.
    my_departments = Membership.objects.filter(user=user).values("department_id")
    co_link = Task.co_departments.through.objects.filter(
        task_id=OuterRef("pk"), department_id__in=my_departments
    )
    return tasks.filter(Q(lead_department_id__in=my_departments) | Q(Exists(co_link)))
