"""Reads: who may see what, and annotated task querysets."""

import datetime as dt
import functools

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.shortcuts import get_object_or_404

from tasks_app.flags import NOT_CHASED_STATUSES, RED, YELLOW, with_flags, with_overdue
from tasks_app.models import (
    Attachment,
    Comment,
    Department,
    ExtensionRequest,
    HistoryEvent,
    KeyResult,
    Membership,
    Milestone,
    ProgressReport,
    ProgressReportValue,
    Role,
    Task,
    User,
)
from tasks_app.plan_scope import district_plans_of
from tasks_app.report_cadence import last_closed_period, report_status_for


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
    """Supervisors, district leaders and admins read whole plans (of their own body:
    plan_scope.district_plans_of)."""
    return user.is_superuser or user.district_role in (Role.SUPERVISOR, Role.LEADER)


def person_columns_not_rendered(relation: str) -> list[str]:
    """`relation__column` for every user column a person reference does not show (id,
    username, display_name are shown; password hashes, login times… are not): for
    `defer()` next to `select_related(relation)`, so they are neither loaded nor parsed."""
    shown = {"id", "username", "display_name"}
    return [f"{relation}__{f.name}" for f in User._meta.concrete_fields if f.name not in shown]


def user_department_ids(user: User) -> list[int]:
    return list(user.memberships.values_list("department_id", flat=True))


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
# whole city in list order (bench/: 37 → 7 ms). Written out rather than built per request
# with the ORM (the union's expression trees cost ~1 ms per list request, bench/); it is
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


def tasks_for_api(*, user: User, today: dt.date) -> QuerySet[Task]:
    """Visible tasks with flag, overdue and report-status annotations, ready to render.

    Everything is computed in SQL; related rows come with select_related/prefetch, so a
    page costs the same number of queries whatever its size.
    """
    # .all(): a clone, so that nothing evaluated by a caller lands in the cached queryset.
    shared = _annotated_tasks(today, _rules_key(), connection.vendor)
    return restrict_to_visible(shared.all(), user)


def _rules_key() -> tuple:
    """The settings the annotations depend on (override_settings in tests changes them)."""
    return tuple(sorted((k, repr(v)) for k, v in settings.PLANTRACKER.items()))


@functools.lru_cache(maxsize=8)
def _annotated_tasks(today: dt.date, _rules: tuple, _vendor: str) -> QuerySet[Task]:
    """The annotated queryset of unarchived tasks for one day, built once per process.

    Building these expressions (Case/When trees resolved against the model) cost more
    than the statement itself on the task detail (bench/, README "Performance"). The
    cached queryset is never evaluated: every caller chains on it, which clones it.
    """
    tasks = Task.objects.filter(is_archived=False)
    tasks = with_overdue(with_flags(tasks, today=today), today=today)
    tasks = report_status_for(tasks, period=last_closed_period(today), today=today)
    if _vendor == "postgresql":
        # The page's co-departments and key results as JSON arrays in the same statement:
        # no prefetch queries, no model instances per nested row.
        tasks = tasks.annotate(
            co_department_rows=ArraySubquery(
                Task.co_departments.through.objects.filter(task_id=OuterRef("pk"))
                .order_by("department__code")
                .values(
                    json=JSONObject(
                        id="department_id", code="department__code", name="department__name"
                    )
                )
            ),
            key_result_rows=ArraySubquery(
                KeyResult.objects.filter(task_id=OuterRef("pk"))
                .order_by("order")
                .values(
                    json=JSONObject(
                        id="id", value="value", unit="unit", label="label", actual="actual_value"
                    )
                )
            ),
        )
    tasks = (
        _precompiled(tasks)
        .select_related("lead_department", "owner")
        .defer(*person_columns_not_rendered("owner"))
    )
    if _vendor == "postgresql":
        return tasks
    return tasks.prefetch_related(
        # to_attr: plain lists, not a related manager with its own queryset per row.
        Prefetch(
            "co_departments",
            queryset=Department.objects.order_by("code"),
            to_attr="co_department_list",
        ),
        Prefetch(
            "key_results", queryset=KeyResult.objects.order_by("order"), to_attr="key_result_list"
        ),
    )


def _precompiled(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """`tasks` with every annotation replaced by its SQL, compiled once (RawSQL).

    Django compiles the flag / overdue / report-status expression trees anew for every
    statement, which cost more than running it on the task list and detail (bench/,
    README "Performance"). The compiled text names the task table itself, so the result
    must stay the outer query of a statement (never a subquery of another Task query):
    tasks_for_api's callers filter, order, paginate and aggregate it, nothing else.
    """
    compiler = tasks.query.get_compiler(using=tasks.db)
    compiler.setup_query()
    annotations = tasks.query.annotations
    compiled = {
        alias: RawSQL(sql, params, output_field=annotations[alias].output_field)
        for _expr, (sql, params), alias in compiler.select
        if alias in annotations
    }
    if compiled.keys() != annotations.keys():
        raise RuntimeError(f"annotations not selected: {set(annotations) - set(compiled)}")
    return Task.objects.filter(is_archived=False).annotate(**compiled)


def co_departments_of(task: Task) -> list[Department] | list[dict]:
    """The task's co-departments by code, as loaded with the task when they were:
    {"id", "code", "name"} dicts (tasks_for_api on PostgreSQL), Department rows otherwise."""
    for loaded in ("co_department_rows", "co_department_list"):
        rows = getattr(task, loaded, None)
        if rows is not None:
            return rows
    if "co_departments" in getattr(task, "_prefetched_objects_cache", {}):
        return sorted(task.co_departments.all(), key=lambda d: d.code)
    return list(task.co_departments.order_by("code"))


def key_results_of(task: Task) -> list[KeyResult]:
    """The task's key results in order (the prefetched rows when there are some)."""
    prefetched = getattr(task, "key_result_list", None)
    if prefetched is not None:
        return prefetched
    return list(task.key_results.order_by("order"))


def task_visible_or_404(*, user: User, task_id: int | str, today: dt.date) -> Task:
    """One annotated task the user may see; Http404 otherwise (hidden and absent look alike).

    The caller's department roles come in the same statement (`viewer_department_roles`,
    read by workflow.relations for what the caller may do): one query less per detail.
    """
    tasks = tasks_for_api(user=user, today=today)
    roles_sql = _VIEWER_ROLES_SQL.get(connection.vendor)
    if roles_sql and user.is_authenticated:
        tasks = tasks.annotate(
            viewer_id=Value(user.pk, output_field=IntegerField()),
            viewer_department_roles=RawSQL(roles_sql, [user.pk], output_field=JSONField()),
        )
    return get_object_or_404(tasks, pk=task_id)


# {department id: role} of one user's memberships, as JSON text (self-contained: no outer
# reference); JSONField decodes it.
_VIEWER_ROLES_SQL = {
    vendor: f"SELECT {function} FROM {Membership._meta.db_table} m WHERE m.user_id = %s"
    for vendor, function in (
        ("postgresql", "json_object_agg(m.department_id, m.role)::text"),
        ("sqlite", "json_group_object(m.department_id, m.role)"),
    )
}


def overdue_items(*, user: User, today: dt.date) -> QuerySet[Task]:
    """Red and yellow tasks the user may see, most overdue first.

    Ordered by calendar days past the earliest missed date (the same order as working
    days), then red before yellow, then points behind schedule, then the nearest date.
    """
    flag_rank = Case(When(flag=RED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        tasks_for_api(user=user, today=today)
        .filter(flag__in=(RED, YELLOW))
        .annotate(flag_rank=flag_rank)
        .order_by("-days_overdue", "flag_rank", "-behind_points", "first_missed", "id")
    )


def extension_requests_visible_to(user: User) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(task__in=tasks_visible_to(user)).select_related(
        "task", "milestone", "requested_by", "decided_by"
    )


def task_progress_reports(task: Task) -> QuerySet[ProgressReport]:
    """A task's reports; `moves_task` marks the lead department's (which set progress)."""
    moves_task = ExpressionWrapper(
        Q(department_id=task.lead_department_id), output_field=BooleanField()
    )
    return (
        ProgressReport.objects.filter(task=task)
        .annotate(moves_task=moves_task)
        .select_related("author", "department")
        .prefetch_related(
            Prefetch("values", queryset=ProgressReportValue.objects.order_by("key_result_id")),
            Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
        )
    )


def task_comments(task: Task) -> QuerySet[Comment]:
    return Comment.objects.filter(task=task).select_related("author")


def task_attachments(task: Task) -> QuerySet[Attachment]:
    return Attachment.objects.filter(task=task).select_related("uploaded_by")


def task_history(task: Task) -> QuerySet[HistoryEvent]:
    return HistoryEvent.objects.filter(task=task).select_related("actor")


def task_extension_requests(task: Task) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(task=task).select_related(
        "milestone", "requested_by", "decided_by"
    )


def task_milestones(task: Task, *, today: dt.date) -> QuerySet[Milestone]:
    """A task's checkpoints; `is_overdue`: open, past its date, and the task still chased."""
    overdue = Q(completed_at__isnull=True, due_date__lt=today) & ~Q(
        task__status__in=NOT_CHASED_STATUSES
    )
    return Milestone.objects.filter(task=task).annotate(
        is_overdue=ExpressionWrapper(overdue, output_field=BooleanField())
    )
