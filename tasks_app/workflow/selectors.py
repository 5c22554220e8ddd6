"""Reads of tasks: annotated task querysets (who may see what: tasks_app/org/visibility.py)."""

import datetime as dt
import functools
from collections.abc import Mapping
from types import MappingProxyType

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    IntegerField,
    JSONField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

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
    Task,
    User,
)
from tasks_app.org.visibility import (
    restrict_to_visible,
    tasks_visible_to,
)
from tasks_app.workflow.cadence import last_closed_period, report_fragments_for
from tasks_app.workflow.flags import (
    NOT_CHASED_STATUSES,
    RED,
    YELLOW,
    FlagRules,
    flag_fragments,
    overdue_fragments,
)
from tasks_app.workflow.sql import Dialect, Fragment, attach, vendor_of


def person_columns_not_rendered(relation: str) -> list[str]:
    """`relation__column` for every user column a person reference does not show (id,
    username, display_name are shown; password hashes, login times… are not): for
    `defer()` next to `select_related(relation)`, so they are neither loaded nor parsed."""
    shown = {"id", "username", "display_name"}
    return [f"{relation}__{f.name}" for f in User._meta.concrete_fields if f.name not in shown]


def tasks_for_api(*, user: User, today: dt.date, nested_rows: bool = True) -> QuerySet[Task]:
    """Visible tasks with flag, overdue and report-status annotations, ready to render.

    The one way a task is read for display (API list and detail, overdue list, console):
    everything is computed in SQL, co-departments and key results come as JSON arrays
    (`co_department_rows`, `key_result_rows`: lists of dicts) in the same statement, so a
    page costs the same number of queries whatever its size. A fresh queryset per call
    (only the SQL text is cached); it composes like any other (e.g. as a subquery).
    `nested_rows=False` leaves the two JSON arrays out (for reads that render neither).
    """
    tasks = annotated_tasks(Task.objects.filter(is_archived=False), today, nested_rows=nested_rows)
    return restrict_to_visible(tasks, user)


def annotated_tasks(
    tasks: QuerySet[Task], today: dt.date, *, nested_rows: bool = True
) -> QuerySet[Task]:
    """`tasks` with everything a task read renders, as of `today`: the columns of
    flags.with_flags and with_overdue, report_cadence.report_status_for (for the last
    closed period) and the nested rows, attached in one step."""
    vendor = vendor_of(tasks)
    report = report_fragments_for(last_closed_period(today), today=today, vendor=vendor)
    fragments = {
        **flag_fragments(FlagRules.for_day(today), vendor),
        **overdue_fragments(today, vendor),
        "report_period": report["report_period"],
        "report_status": report["report_status"],
        **(_nested_rows_fragments(vendor) if nested_rows else {}),
    }
    return (
        attach(tasks, fragments)
        .select_related("lead_department", "owner")
        .defer(*person_columns_not_rendered("owner"))
    )


@functools.lru_cache(maxsize=4)
def _nested_rows_fragments(vendor: str) -> Mapping[str, Fragment]:
    """co_department_rows and key_result_rows: JSON arrays of dicts, as SQL text."""
    d = Dialect(vendor)
    links, departments = Task.co_departments.through._meta.db_table, Department._meta.db_table
    co_departments = d.json_array(
        d.json_object({"id": "cd.id", "code": "cd.code", "name": "cd.name"}),
        f"FROM {links} l JOIN {departments} cd ON cd.id = l.department_id"
        " WHERE l.task_id = {t}.id",
        order="cd.code",
    )
    # SQLite keeps decimals as floating point: rounded as the numeric(24, 4) column is.
    value = "k.value" if d.postgres else "round(k.value, 4)"
    actual = "k.actual_value" if d.postgres else "round(k.actual_value, 4)"
    key_results = d.json_array(
        d.json_object(
            {"id": "k.id", "value": value, "unit": "k.unit", "label": "k.label", "actual": actual}
        ),
        f"FROM {KeyResult._meta.db_table} k WHERE k.task_id = {{t}}.id",
        order='k."order"',
    )
    return MappingProxyType(
        {
            "co_department_rows": Fragment(co_departments, JSONField),
            "key_result_rows": Fragment(key_results, JSONField),
        }
    )


def co_departments_of(task: Task) -> list[dict]:
    """The task's co-departments by code as {"id", "code", "name"}: the rows loaded with the
    task (tasks_for_api), or one query for a task read otherwise."""
    rows = getattr(task, "co_department_rows", None)
    if rows is not None:
        return rows
    return list(task.co_departments.order_by("code").values("id", "code", "name"))


def key_results_of(task: Task) -> list[KeyResult]:
    """The task's key results in order, as model rows (the console reads every column)."""
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
        .select_related("author", "department", "drafted_by")
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
