"""report_filed: a filed progress report reaches the people who share the task.

Recipients (docs/supervision-loop.md, "Who hears what"):
- the leads (dept_lead) of the task's lead department and of its co-departments, and the
  task's owner — those who share the task and would otherwise only see the report by
  looking;
- the supervision office (督查室) only when the report newly says the task is behind
  schedule: a lead-department report that leaves the task red (the flag, as
  _require_red_reason reads it) with its red reason (滞后原因), and either turned the
  task red or is the first of the department's reports on it to give a reason. The
  office sees red tasks on its dashboards and the reminder ladder escalates overdue
  ones, so it hears of the turn, not of every month a task stays red; co-department
  reports ("its part") never move the task's flag and never reach it.
Never the report's author; each person once; only active people who can still see the
task. Set-based: at most four reads choose the recipients (the flag before and after and the
previous report, only for a lead report with a red reason; the people), then
tasks_app.inbox.fanout writes every row in bulk — the same number of statements for one
recipient or fifty.
"""

from __future__ import annotations

from django.db.models import Q

from tasks_app.inbox.audience import sees_task_q, task_members_q
from tasks_app.inbox.fanout import task_notify_people
from tasks_app.inbox.notify import task_params
from tasks_app.models import Membership, ProgressReport, Role, Task, User
from tasks_app.workflow.flags import RED, with_flags
from tasks_app.workflow.services.task_writes import today

REPORT_FILED = "report_filed"
REPORT_FILED_RED = "report_filed_red"  # the template of a report with a red reason


def is_red(task_id: int) -> bool:
    """The task's flag now (one read), as _require_red_reason reads it."""
    flag = with_flags(Task.objects.filter(pk=task_id), today=today())
    return flag.values_list("flag", flat=True).get() == RED


def newly_behind(report: ProgressReport, *, moves: bool, was_red: bool) -> bool:
    """A lead-department report that leaves the task red, with its reason, and either
    turned it red or is the first of the department's reports to give a reason. At most
    two reads, only for a lead-department report with a red reason."""
    if not moves or not report.red_reason or not is_red(report.task_id):
        return False  # a reason given while on schedule ("待验收") is not news
    if not was_red:
        return True
    previous = (
        ProgressReport.objects.filter(
            task_id=report.task_id, department_id=report.department_id, pk__lt=report.pk
        )
        .order_by("-pk")
        .values_list("red_reason", flat=True)
        .first()
    )
    return not previous


def report_recipients(task: Task, report: ProgressReport, *, supervisors: bool) -> list[User]:
    """The people to tell of `report`, by id (one query)."""
    leads = Membership.objects.filter(task_members_q(task), role=Membership.DeptRole.LEAD).values(
        "user_id"
    )
    concerned = Q(pk__in=leads)
    if task.owner_id is not None:
        concerned |= Q(pk=task.owner_id)
    if supervisors:  # the office of the task's own body (of_task_body_q, in sees_task_q)
        concerned |= Q(district_role=Role.SUPERVISOR)
    return list(
        User.objects.filter(concerned, is_active=True)
        .filter(sees_task_q(task))
        .exclude(pk=report.author_id)
        .order_by("pk")
    )


def report_filed_notify(
    *, task: Task, report: ProgressReport, moves: bool, was_red: bool = False
) -> None:
    """Tell the people who share `task` that `report` was filed (in its transaction).
    `was_red`: the task's flag before a lead-department report with a red reason moved
    it (is_red; False when not read)."""
    params = task_params(
        task,
        report.author,
        department=report.department.name,
        period=report.period,
        percent=report.percent,
        narrative=report.narrative,
        reason=report.red_reason,
    )
    if report.red_reason:
        params["template"] = REPORT_FILED_RED
    recipients = report_recipients(
        task, report, supervisors=newly_behind(report, moves=moves, was_red=was_red)
    )
    task_notify_people(
        task=task,
        kind=REPORT_FILED,
        params=params,
        recipients=recipients,
        payload={
            "progress_report": report.pk,
            "department": report.department_id,
            "period": report.period,
            "percent": report.percent,
            "moves_task": moves,
            "red": bool(report.red_reason),
        },
    )
