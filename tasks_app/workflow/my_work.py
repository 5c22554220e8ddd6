"""What a person must act on today ("my work", the mobile home screen), in a fixed number
of statements whatever the plan's size.

Six groups over the tasks the person may see (org/visibility.py) in one plan:
  overdue                — the deadline or an open milestone has passed (flags.is_overdue);
  due_this_week          — not overdue, still chased, and the deadline or the next open
                           milestone falls between today and Sunday;
  reports_owed           — the lead department's report for the last closed monthly
                           period is missing (cadence.report_status "missing");
  returned_claims        — in progress, and the latest status change was a supervisor's
                           "return" of the completion claim (退回);
  open_notices           — 督办单 (formal supervision notices): for department people the
                           open ones addressed to their departments (to answer); for
                           district roles the answered ones awaiting review;
  instructions_to_answer — 领导批示 (leader instructions) not yet answered: on tasks their
                           departments lead, or every visible one for district roles.
Counts come from one aggregate statement; each group's first items from one statement
each. Everything is SQL (the task fragments of tasks_app/workflow/sql.py); no Python loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from tasks_app.models import (
    HistoryEvent,
    LeaderInstruction,
    Membership,
    SupervisionNotice,
    Task,
    TaskStatus,
    User,
)
from tasks_app.models.plan import NOT_CHASED_STATUSES
from tasks_app.org.visibility import sees_everything
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.cadence import MISSING
from tasks_app.workflow.selectors import tasks_for_api

GROUPS = (
    "overdue",
    "due_this_week",
    "reports_owed",
    "returned_claims",
    "open_notices",
    "instructions_to_answer",
)
ITEMS_PER_GROUP_DEFAULT = 5
ITEMS_PER_GROUP_MAX = 50


def week_end(today: dt.date) -> dt.date:
    """The Sunday of today's week (Monday-first, as the district's calendar)."""
    return today + dt.timedelta(days=6 - today.weekday())


@dataclass(frozen=True)
class WorkGroup:
    name: str
    count: int
    items: list[Task]


def _notices_to_act_on(user: User) -> QuerySet[SupervisionNotice]:
    notices = SupervisionNotice.objects.filter(task_id=OuterRef("pk"), kind="notice")
    if sees_everything(user):
        return notices.filter(status=SupervisionNotice.Status.ANSWERED)
    mine = Membership.objects.filter(user=user).values("department_id")
    return notices.filter(status=SupervisionNotice.Status.OPEN, department_id__in=mine)


def _instructions_to_answer(user: User) -> QuerySet[LeaderInstruction]:
    instructions = LeaderInstruction.objects.filter(
        task_id=OuterRef("pk"), responded_at__isnull=True
    )
    if sees_everything(user):
        return instructions
    mine = Membership.objects.filter(user=user).values("department_id")
    return instructions.filter(task__lead_department_id__in=mine)


def _last_status_change(field: str) -> Subquery:
    events = HistoryEvent.objects.filter(
        task_id=OuterRef("pk"), field="status", action__in=workflow.TRANSITION_ACTIONS
    ).order_by("-at", "-id")
    return Subquery(events.values(field)[:1])


def work_tasks(*, user: User, plan: object, today: dt.date) -> QuerySet[Task]:
    """The visible tasks of `plan` (an id or a subquery) with the columns the groups read."""
    return (
        tasks_for_api(user=user, today=today)
        .filter(plan_id=plan)
        .annotate(
            last_transition=_last_status_change("action"),
            has_notice=Exists(_notices_to_act_on(user)),
            has_instruction=Exists(_instructions_to_answer(user)),
        )
    )


def group_conditions(today: dt.date) -> dict[str, Q]:
    """Each group as a condition on work_tasks' rows."""
    until = week_end(today)
    return {
        "overdue": Q(is_overdue=True),
        "due_this_week": Q(is_overdue=False)
        & ~Q(status__in=NOT_CHASED_STATUSES)
        & (
            Q(due_date__gte=today, due_date__lte=until)
            | Q(next_open_milestone_due__gte=today, next_open_milestone_due__lte=until)
        ),
        "reports_owed": Q(report_status=MISSING),
        "returned_claims": Q(status=TaskStatus.IN_PROGRESS, last_transition="return"),
        "open_notices": Q(has_notice=True),
        "instructions_to_answer": Q(has_instruction=True),
    }


def _group_items(tasks: QuerySet[Task], name: str, user: User) -> QuerySet[Task]:
    """A group's rows in the order a person works through them, with what each one asks:
    `respond_by` (a notice's or instruction's deadline) and `reason` (why)."""
    if name == "overdue":
        return tasks.order_by("-days_overdue", "due_date", "id")
    if name == "due_this_week":
        return tasks.order_by("first_missed", "id")
    if name == "returned_claims":
        return tasks.annotate(reason=_last_status_change("reason")).order_by("due_date", "id")
    if name == "open_notices":
        notice = _notices_to_act_on(user).order_by("-created_at", "-id")
        return tasks.annotate(
            respond_by=Subquery(notice.values("respond_by")[:1]),
            reason=Subquery(notice.values("reason")[:1]),
        ).order_by(F("respond_by").asc(nulls_last=True), "id")
    if name == "instructions_to_answer":
        instruction = _instructions_to_answer(user).order_by("respond_by", "id")
        return tasks.annotate(
            respond_by=Subquery(instruction.values("respond_by")[:1]),
            reason=Subquery(instruction.values("text")[:1]),
        ).order_by("respond_by", "id")
    return tasks.order_by("due_date", "id")


def my_work(*, user: User, plan: object, today: dt.date, limit: int) -> list[WorkGroup]:
    """The six groups, each with its count and its first `limit` tasks (1 + 6 statements)."""
    tasks = work_tasks(user=user, plan=plan, today=today)
    conditions = group_conditions(today)
    counts = tasks.aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )
    groups = []
    for name in GROUPS:
        items = list(_group_items(tasks.filter(conditions[name]), name, user)[:limit])
        groups.append(WorkGroup(name=name, count=counts[name], items=items))
    return groups
