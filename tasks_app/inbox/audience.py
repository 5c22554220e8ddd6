"""Who hears about a task: the people concerned by a step, narrowed to those who can
still see the task (a person moved to another department no longer hears of it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from tasks_app.models import Membership, Role, Task, User

DISTRICT_ROLES = (Role.SUPERVISOR, Role.LEADER)


def sees_task_q(task_id: int) -> Q:
    """A condition on users that holds when the user may see the task: a district role,
    or a membership of its lead or a co-responsible department."""
    departments = Q(department__lead_tasks=task_id) | Q(department__co_tasks=task_id)
    member = Membership.objects.filter(departments, user=OuterRef("pk"))
    return Q(is_superuser=True) | Q(district_role__in=DISTRICT_ROLES) | Exists(member)


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
        .filter(sees_task_q(task.pk))
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
