"""Who may see which tasks: roles, departments, and the plans of their issuing body.

The one place that answers "may this person see this task?" for the API, the console,
reminders, rollups and sync (the role × status rules of what they may *do* are
tasks_app/workflow/rules.py; which plans a person sees is org/plan_scope.py).
"""

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from tasks_app.models import Membership, Role, Task, User
from tasks_app.org.plan_scope import district_plans_of
from tasks_app.org.principal_cache import memberships_of


def user_roles(user: User) -> list[str]:
    """Every role the user holds, district-wide and per department."""
    roles: list[str] = []
    if user.is_superuser:
        roles.append(Role.ADMIN.value)
    if user.district_role:
        roles.append(user.district_role)
    roles.extend(sorted({m.role for m in memberships_of(user)}))
    return roles


def is_supervisor(user: User) -> bool:
    return user.is_superuser or user.district_role == Role.SUPERVISOR


def sees_everything(user: User) -> bool:
    """Supervisors, district leaders and admins read whole plans (of their own body:
    plan_scope.district_plans_of)."""
    return user.is_superuser or user.district_role in (Role.SUPERVISOR, Role.LEADER)


def user_department_ids(user: User) -> list[int]:
    return [m.department_id for m in memberships_of(user)]


def tasks_visible_to(user: User) -> QuerySet[Task]:
    """Tasks the user may see: all for district roles, else lead or co-department tasks."""
    return restrict_to_visible(Task.objects.filter(is_archived=False), user)


def restrict_to_visible(tasks: QuerySet[Task], user: User) -> QuerySet[Task]:
    """`tasks` narrowed to those the user may see (archived ones are the caller's business).

    District roles read every task of their own body's plans; administrators read all;
    others the tasks of their departments (which belong to their departments' body).
    """
    if sees_everything(user):
        plans = district_plans_of(user)
        if plans is None:
            return tasks
        return tasks.filter(plan_id__in=plans.values("pk"))
    return tasks.filter(pk__in=RawSQL(_VISIBLE_TASK_IDS, [user.pk, user.pk]))


# The ids of tasks led or shared by the user's departments: a UNION of two index scans. An
# "lead IN (…) OR EXISTS (…)" hid the selectivity from the planner, which then walked the
# whole city in list order. Written out rather than built per request with the ORM (the
# union's expression trees were a visible share of a list request, `make bench`); it is
# self-contained (no outer reference), so it can stand in any query.
_VISIBLE_TASK_IDS = f"""
SELECT t.id FROM {Task._meta.db_table} t
 WHERE t.lead_department_id IN (
       SELECT m.department_id FROM {Membership._meta.db_table} m WHERE m.user_id = %s)
UNION
SELECT l.task_id FROM {Task.co_departments.through._meta.db_table} l
 WHERE l.department_id IN (
       SELECT m.department_id FROM {Membership._meta.db_table} m WHERE m.user_id = %s)
"""
