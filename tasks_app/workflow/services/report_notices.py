"""report_filed: a filed progress report reaches the people who share the task.

Recipients (docs/supervision-loop.md, "Who hears what"):
- the leads (dept_lead) of the task's lead department and of its co-departments, and the
  task's owner — those who share the task and would otherwise only see the report by
  looking;
- the supervision office (督查室) only when the report newly says the task is behind
  schedule: a lead-department report carrying a red reason (滞后原因) whose previous
  lead-department report carried none. The office sees red tasks on its dashboards and
  the reminder ladder escalates overdue ones, so it hears of the turn, not of every
  month a task stays red; co-department reports ("its part") never move the task's flag
  and never reach it.
Never the report's author; each person once; only active people who can still see the
task. Set-based: two reads choose the recipients (the previous report, the people), then
tasks_app.inbox.fanout writes every row in bulk — the same number of statements for one
recipient or fifty.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from tasks_app.inbox.audience import sees_task_q
from tasks_app.inbox.fanout import task_notify_people
from tasks_app.inbox.notify import task_params
from tasks_app.models import Membership, ProgressReport, Role, Task, User

REPORT_FILED = "report_filed"
REPORT_FILED_RED = "report_filed_red"  # the template of a report with a red reason


def newly_behind(report: ProgressReport, moves: bool) -> bool:
    """A lead-department report with a red reason after one without (or after none)."""
    if not moves or not report.red_reason:
        return False
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
    departments = Q(department_id=task.lead_department_id) | Q(department__co_tasks=task.pk)
    leads = Membership.objects.filter(
        departments, role=Membership.DeptRole.LEAD, user=OuterRef("pk")
    )
    concerned = Q(Exists(leads))
    if task.owner_id is not None:
        concerned |= Q(pk=task.owner_id)
    if supervisors:
        concerned |= Q(district_role=Role.SUPERVISOR)
    return list(
        User.objects.filter(concerned, is_active=True)
        .filter(sees_task_q(task.pk))
        .exclude(pk=report.author_id)
        .order_by("pk")
    )


def report_filed_notify(*, task: Task, report: ProgressReport, moves: bool) -> None:
    """Tell the people who share `task` that `report` was filed (in its transaction)."""
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
    recipients = report_recipients(task, report, supervisors=newly_behind(report, moves))
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
