"""Who hears about a task: the people concerned by a step, narrowed to those who can
still see the task (a person moved to another department no longer hears of it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import Exact

from tasks_app.models import IssuingBody, Membership, Plan, Role, Task, User
from tasks_app.models.org import DEFAULT_BODY_CODE

DISTRICT_ROLES = (Role.SUPERVISOR, Role.LEADER)


def of_task_body_q(task: Task) -> Q:
    """A condition on users: they work for the issuing body of `task`'s plan (their own
    body, or the default body when they name none, as org.plan_scope.own_body reads it).
    No query of its own."""
    task_body = Subquery(Plan.objects.filter(pk=task.plan_id).values("body_id")[:1])
    default_body = Subquery(IssuingBody.objects.filter(code=DEFAULT_BODY_CODE).values("pk")[:1])
    return Q(body_id=task_body) | Q(body_id__isnull=True) & Q(Exact(task_body, default_body))


def task_members_q(task: Task) -> Q:
    """A condition on memberships: of `task`'s lead department or a co-department."""
    co = Task.co_departments.through.objects.filter(task_id=task.pk).values("department_id")
    return Q(department_id=task.lead_department_id) | Q(department_id__in=co)


def sees_task_q(task: Task) -> Q:
    """A condition on users that holds when the user may see the task
    (org/visibility.py): an administrator, a district role of the task's body, or a member
    of its lead or a co-responsible department."""
    members = Membership.objects.filter(task_members_q(task)).values("user_id")
    return (
        Q(is_superuser=True)
        | Q(district_role__in=DISTRICT_ROLES) & of_task_body_q(task)
        | Q(pk__in=members)
    )


def owners_seeing(task_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(task id, owner id) for those tasks whose owner is active and may still see them
    (one query): the ladder's and the urge's owner, who may have changed department."""
    owner = Membership.objects.filter(user=OuterRef("owner_id"))
    return set(
        Task.objects.filter(pk__in=list(task_ids), owner__is_active=True)
        .filter(
            Q(owner__is_superuser=True)
            | Q(owner__district_role__in=DISTRICT_ROLES)
            | Exists(owner.filter(department=OuterRef("lead_department_id")))
            | Exists(owner.filter(department__co_tasks=OuterRef("pk")))
        )
        .values_list("pk", "owner_id")
    )


def who_sees(task: Task, user_ids: Iterable[int | None]) -> list[int]:
    """Those of `user_ids` (in their order, each once) who are active and may see `task`.
    One query."""
    wanted = list(dict.fromkeys(i for i in user_ids if i))
    if not wanted:
        return []
    seeing = set(
        User.objects.filter(pk__in=wanted, is_active=True)
        .filter(sees_task_q(task))
        .values_list("pk", flat=True)
    )
    return [i for i in wanted if i in seeing]


def department_people(department_id: int, *roles: str) -> QuerySet[User]:
    """Active members of one department with one of `roles`, by id."""
    return User.objects.filter(
        is_active=True,
        memberships__department_id=department_id,
        memberships__role__in=roles,
    ).order_by("pk")


def task_department_ids(task: Task, *, staff: bool = False) -> list[int]:
    """The lead department's leads (and its staff when asked), by id."""
    roles = [Membership.DeptRole.LEAD] + ([Membership.DeptRole.STAFF] if staff else [])
    return list(department_people(task.lead_department_id, *roles).values_list("pk", flat=True))


def supervisor_ids() -> list[int]:
    """Every active supervision-office user (督查室)."""
    return list(
        User.objects.filter(is_active=True, district_role=Role.SUPERVISOR)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
