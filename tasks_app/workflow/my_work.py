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
Counts and each group's first items come from one statement (window functions over the
visible tasks, computed once). Everything is SQL (the task fragments of
tasks_app/workflow/sql.py); Python only places the returned rows in their groups.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

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
from tasks_app.workflow.sql import Fragment, attach, text, text_list

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


def work_fragments(user: User) -> dict[str, Fragment]:
    """What the groups read besides a task read's columns, as task fragments
    (tasks_app/workflow/sql.py): compiled as text, not as nested querysets, since each is
    referenced several times (a condition, a count, an order).

    has_notice / notice_*: the 督办单 to act on (department people: open ones addressed to
    their departments; district roles: answered ones awaiting review), the latest first;
    has_instruction / instruction_*: instructions not yet answered (department people: on
    tasks their departments lead), the earliest deadline first; last_transition and
    return_reason: the latest status change. The user id is written as an integer literal.
    """
    notices = SupervisionNotice._meta.db_table
    instructions = LeaderInstruction._meta.db_table
    events = HistoryEvent._meta.db_table
    memberships = Membership._meta.db_table
    mine = f"SELECT m.department_id FROM {memberships} m WHERE m.user_id = {int(user.pk)}"
    if sees_everything(user):
        notice = f"n.status = {text(SupervisionNotice.Status.ANSWERED)}"
        instruction = ""
    else:
        notice = f"n.status = {text(SupervisionNotice.Status.OPEN)} AND n.department_id IN ({mine})"
        instruction = f" AND {{t}}.lead_department_id IN ({mine})"
    notice_rows = f"FROM {notices} n WHERE n.task_id = {{t}}.id AND n.kind = 'notice' AND {notice}"
    instruction_rows = (
        f"FROM {instructions} li WHERE li.task_id = {{t}}.id AND li.responded_at IS NULL"
        + instruction
    )
    latest_notice = " ORDER BY n.created_at DESC, n.id DESC LIMIT 1"
    first_instruction = " ORDER BY li.respond_by, li.id LIMIT 1"
    status_change = (
        f"FROM {events} h WHERE h.task_id = {{t}}.id AND h.field = 'status'"
        f" AND h.action IN {text_list(workflow.TRANSITION_ACTIONS)}"
        " ORDER BY h.at DESC, h.id DESC LIMIT 1"
    )
    return {
        "last_transition": Fragment(f"SELECT h.action {status_change}", CharField),
        "return_reason": Fragment(f"SELECT h.reason {status_change}", TextField),
        "has_notice": Fragment(f"EXISTS (SELECT 1 {notice_rows})", BooleanField),
        "notice_respond_by": Fragment(
            f"SELECT n.respond_by {notice_rows}{latest_notice}", DateField
        ),
        "notice_reason": Fragment(f"SELECT n.reason {notice_rows}{latest_notice}", TextField),
        "has_instruction": Fragment(f"EXISTS (SELECT 1 {instruction_rows})", BooleanField),
        "instruction_respond_by": Fragment(
            f"SELECT li.respond_by {instruction_rows}{first_instruction}", DateField
        ),
        "instruction_text": Fragment(
            f"SELECT li.text {instruction_rows}{first_instruction}", TextField
        ),
    }


def work_tasks(*, user: User, plan: object, today: dt.date) -> QuerySet[Task]:
    """The visible tasks of `plan` (an id or a subquery) with the columns the groups read."""
    tasks = tasks_for_api(user=user, today=today, nested_rows=False).filter(plan_id=plan)
    return attach(tasks, work_fragments(user))


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


def _group_orders() -> dict[str, list]:
    """Each group's order, the order a person works through its rows."""
    return {
        "overdue": [F("days_overdue").desc(), F("due_date").asc(), F("id").asc()],
        "due_this_week": [F("first_missed").asc(), F("id").asc()],
        "reports_owed": [F("due_date").asc(), F("id").asc()],
        "returned_claims": [F("due_date").asc(), F("id").asc()],
        "open_notices": [F("notice_respond_by").asc(nulls_last=True), F("id").asc()],
        "instructions_to_answer": [F("instruction_respond_by").asc(), F("id").asc()],
    }


# Per group: the row's columns read as the item's (respond_by, reason); None: null.
_ASKED = {
    "overdue": (None, None),
    "due_this_week": (None, None),
    "reports_owed": (None, None),
    "returned_claims": (None, "return_reason"),
    "open_notices": ("notice_respond_by", "notice_reason"),
    "instructions_to_answer": ("instruction_respond_by", "instruction_text"),
}


def my_work(*, user: User, plan: object, today: dt.date, limit: int) -> list[WorkGroup]:
    """The six groups, each with its count and its first `limit` tasks: one statement.

    The visible tasks and their columns are computed once; per group a window counts the
    members (`n_<group>`) and numbers the rows members first, in the group's order
    (`k_<group>`: 1…n are the members), and only rows ranked within a group's first
    `limit` members come back. A task in several groups comes once and is rendered in
    each (a copy per group, with what that group asks of it).
    """
    tasks = work_tasks(user=user, plan=plan, today=today)
    conditions = group_conditions(today)
    orders = _group_orders()
    windows: dict[str, Window] = {}
    keep = Q()
    for name in GROUPS:
        member_first = Case(
            When(conditions[name], then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        windows[f"n_{name}"] = Window(Count("pk", filter=conditions[name]))
        windows[f"k_{name}"] = Window(RowNumber(), order_by=[member_first, *orders[name]])
        keep |= Q(**{f"k_{name}__lte": limit}) & Q(**{f"k_{name}__lte": F(f"n_{name}")})
    rows = list(tasks.annotate(**windows).filter(keep).order_by("id"))
    groups = []
    for name in GROUPS:
        respond_by, reason = _ASKED[name]
        ranked = []
        for row in rows:
            rank = getattr(row, f"k_{name}")
            if rank <= min(limit, getattr(row, f"n_{name}")):
                item = copy.copy(row)
                item.respond_by = getattr(row, respond_by) if respond_by else None
                item.reason = getattr(row, reason) if reason else None
                ranked.append((rank, item))
        count = getattr(rows[0], f"n_{name}") if rows else 0
        items = [item for _rank, item in sorted(ranked, key=lambda pair: pair[0])]
        groups.append(WorkGroup(name=name, count=count, items=items))
    return groups
