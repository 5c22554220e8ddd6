"""Reads of the console pages, built on the shared selectors (visibility, flags, rollups,
indicator assessments) with a few page-specific annotations; constant queries per page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from indicators_app.assessment import Assessment
from indicators_app.models import Indicator
from indicators_app.selectors import indicator_assessments, indicator_list
from tasks_app.models import (
    Chapter,
    Department,
    ExtensionRequest,
    HistoryEvent,
    LeaderInstruction,
    Milestone,
    Plan,
    ProgressReport,
    ReminderDispatch,
    Rollup,
    RollupLevel,
    RollupRow,
    SupervisionNotice,
    Task,
    User,
)
from tasks_app.rollups.selectors import rollup_rows_visible, rollups_list
from tasks_app.supervision.timeline import task_instructions
from tasks_app.workflow.flags import RED, YELLOW
from tasks_app.workflow.selectors import (
    overdue_items,
    task_extension_requests,
    task_history,
    task_milestones,
    task_progress_reports,
    task_visible_or_404,
    tasks_for_api,
)
from tasks_app.workflow.workdays import working_days_between


def _count_of(rows: QuerySet) -> Coalesce:
    """COUNT(*) of `rows` (already correlated to the outer task) as a scalar subquery."""
    counted = rows.order_by().values("task").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_supervision_activity(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate last_report_at, reminders_sent, urges_issued and notices_issued (in SQL)."""
    last_report = (
        ProgressReport.objects.filter(task=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    notices = SupervisionNotice.objects.filter(task=OuterRef("pk"))
    return tasks.annotate(
        last_report_at=Subquery(last_report),
        reminders_sent=_count_of(ReminderDispatch.objects.filter(task=OuterRef("pk"))),
        urges_issued=_count_of(notices.filter(kind="urge")),
        notices_issued=_count_of(notices.filter(kind="notice")),
    )


def in_department(tasks: QuerySet[Task], department_id: int) -> QuerySet[Task]:
    """Tasks where the department leads or co-operates (the API's `department` filter)."""
    co = Task.co_departments.through.objects.filter(
        task_id=OuterRef("pk"), department_id=department_id
    )
    return tasks.filter(Q(lead_department_id=department_id) | Q(Exists(co)))


@dataclass(frozen=True)
class BoardFilters:
    chapter_id: int | None = None
    department_id: int | None = None
    flag: str | None = None
    plan_id: int | None = None  # the viewer's chosen plan (plantracker.console.plans)


def board_items(*, user: User, today: dt.date, filters: BoardFilters) -> QuerySet[Task]:
    """Red and yellow tasks the user may see, most overdue first, filtered.

    Pages of it get with_supervision_activity; board_totals counts it by flag.
    """
    items = overdue_items(user=user, today=today).filter(plan_id=filters.plan_id)
    if filters.chapter_id:
        items = items.filter(chapter_id=filters.chapter_id)
    if filters.department_id:
        items = items.filter(lead_department_id=filters.department_id)
    if filters.flag:
        items = items.filter(flag=filters.flag)
    return items.select_related("chapter")


def board_totals(items: QuerySet[Task]) -> dict[str, int]:
    """{"red": n, "yellow": n} over the whole (filtered) board: one query."""
    return items.order_by().aggregate(
        red=Count("pk", filter=Q(flag=RED)), yellow=Count("pk", filter=Q(flag=YELLOW))
    )


def working_days_overdue(task: Task, today: dt.date) -> int:
    """Official working days since the earliest missed date (0 when nothing is missed)."""
    return working_days_between(task.first_missed, today) if task.is_overdue else 0


@dataclass
class BoardGroup:
    department: Department
    tasks: list[Task] = field(default_factory=list)

    @property
    def red_count(self) -> int:
        return sum(1 for t in self.tasks if t.flag == "red")


def group_by_department(tasks: Iterable[Task], today: dt.date) -> list[BoardGroup]:
    """Group by lead department, keeping the incoming order (most overdue group first)."""
    groups: dict[int, BoardGroup] = {}
    for task in tasks:
        task.working_days_overdue = working_days_overdue(task, today)
        group = groups.setdefault(task.lead_department_id, BoardGroup(task.lead_department))
        group.tasks.append(task)
    return list(groups.values())


def filter_choices(
    viewer_department_ids: Iterable[int] | None, plan: Plan | None
) -> tuple[list, list]:
    """(chapters, departments) of `plan` offered by the board filter; None: every
    department of the plan's issuing body."""
    if plan is None:
        return [], []
    chapters = list(Chapter.objects.filter(plan=plan).select_related("plan").order_by("number"))
    departments = Department.objects.filter(is_active=True, body_id=plan.body_id).order_by("code")
    if viewer_department_ids is not None:
        departments = departments.filter(pk__in=list(viewer_department_ids))
    return chapters, list(departments)


@dataclass
class TaskPage:
    task: Task
    milestones: list[Milestone]
    reports: list[ProgressReport]
    history: list[HistoryEvent]
    extensions: list[ExtensionRequest]
    notices: list[SupervisionNotice]
    instructions: list[LeaderInstruction]


def task_page(*, user: User, task_id: int, today: dt.date) -> TaskPage:
    """Everything the task page shows; Http404 when the user may not see the task."""
    task = task_visible_or_404(user=user, task_id=task_id, today=today)
    task.working_days_overdue = working_days_overdue(task, today)
    notices = SupervisionNotice.objects.filter(task=task).select_related("issued_by")
    return TaskPage(
        task=task,
        milestones=list(task_milestones(task, today=today).order_by("due_date", "sequence")),
        reports=list(task_progress_reports(task)),
        history=list(task_history(task).order_by("-at", "-id")),
        extensions=list(task_extension_requests(task)),
        notices=list(notices),
        instructions=list(task_instructions(task)),
    )


def department_tasks(
    *, user: User, department_id: int, today: dt.date, plan_id: int | None
) -> list[Task]:
    """The department's tasks (lead or co) of one plan that the user may see, flags and
    counts attached."""
    visible = tasks_for_api(user=user, today=today).filter(plan_id=plan_id)
    tasks = in_department(visible, department_id)
    tasks = with_supervision_activity(tasks.select_related("chapter"))
    return list(tasks.order_by("-days_overdue", "due_date", "id"))


def rollup_choices(*, user: User, plan_id: int | None) -> list[Rollup]:
    """Every rollup version of the plan, newest quarter first, `is_latest` marked."""
    return list(rollups_list(user=user).filter(plan_id=plan_id))


def rollup_rows_by_level(*, user: User, rollup: Rollup) -> dict[str, list[RollupRow]]:
    """The rows of `rollup` the user may read, by level, in their frozen order."""
    grouped: dict[str, list[RollupRow]] = {level: [] for level in RollupLevel.values}
    for row in rollup_rows_visible(user=user).filter(rollup=rollup):
        grouped[row.level].append(row)
    for rows in grouped.values():
        rows.sort(key=lambda r: (r.position, r.id))
    return grouped


def latest_department_row(
    *, user: User, department_id: int, plan_id: int | None
) -> RollupRow | None:
    """The department's row in the plan's newest rollup (of the newest quarter), if any."""
    rows = rollup_rows_visible(user=user, department_id=department_id)
    rows = rows.filter(rollup__plan_id=plan_id)
    return (
        rows.select_related("rollup")
        .order_by("-rollup__year", "-rollup__quarter", "-rollup__version")
        .first()
    )


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    assessment: Assessment


def indicator_rows(*, plan_id: int | None, as_of: dt.date | None = None) -> list[IndicatorRow]:
    """The plan's indicators in order with their assessment (four queries in all)."""
    indicators = list(
        indicator_list().filter(plan_id=plan_id).select_related("plan").order_by("order")
    )
    assessments = indicator_assessments(indicators, as_of=as_of)
    return [IndicatorRow(i, assessments[i.id]) for i in indicators]
