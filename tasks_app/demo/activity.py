"""demo_activity_ensure: walk the plan's year up to the demo date through the services, so
a demo shows a plan in progress: owners, monthly reports, milestones met or missed,
completion claims submitted, returned and approved, extensions, 督办单 and urges, leader
instructions, staff drafts, indicator observations (registered steps) and the running
quarter's rollup.

Deterministic (tasks by code, fixed shares) and idempotent: nothing is done when the plan
already has a report. Every write is a service call, so history and notifications are
the ones real use would leave.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from plantracker import clock
from plantracker.errors import ValidationError
from tasks_app.demo.registry import run_demo_steps
from tasks_app.inbox.services import report_notices_mark_read_before
from tasks_app.models import (
    Milestone,
    Plan,
    ProgressReport,
    Task,
    TaskStatus,
    User,
)
from tasks_app.rollups.build import rollup_build
from tasks_app.rollups.quarters import Quarter
from tasks_app.supervision.instructions import instruction_create, instruction_respond
from tasks_app.supervision.notices import notice_answer
from tasks_app.supervision.urge import task_urge
from tasks_app.workflow.cadence import period_of, previous_period
from tasks_app.workflow.services.extensions import (
    extension_request_create,
    extension_request_decide,
)
from tasks_app.workflow.services.milestones import milestone_complete
from tasks_app.workflow.services.progress_reports import progress_report_create
from tasks_app.workflow.services.report_drafts import report_draft_create
from tasks_app.workflow.services.task_transition import task_transition
from tasks_app.workflow.services.task_update import task_update

logger = logging.getLogger(__name__)

# What each task becomes, by its position in code order (index % 10).
ON_TRACK, BEHIND, LATE, APPROVED, CLAIMED = "on_track", "behind", "late", "approved", "claimed"
ROLE_BY_SLOT = (
    ON_TRACK,
    ON_TRACK,
    ON_TRACK,
    BEHIND,
    ON_TRACK,
    BEHIND,
    LATE,
    LATE,
    APPROVED,
    CLAIMED,
)
REPORT_MONTHS = (3, 5, 7, 8)
LATE_REASON = "前期手续办理滞后，正在协调推进"


@dataclass(frozen=True)
class Cast:
    supervisor: User
    leader: User
    leads: dict[int, User]  # department id → lead.<code>
    staff: dict[int, User]  # department id → staff.<code>


def _cast() -> Cast | None:
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    if "supervisor" not in users or "leader" not in users:
        return None
    leads, staff = {}, {}
    for user in users.values():
        prefix, _, code = user.username.partition(".")
        if prefix in ("lead", "staff") and code:
            membership = user.memberships.filter(department__code=code).first()
            if membership is not None:
                (leads if prefix == "lead" else staff)[membership.department_id] = user
    return Cast(users["supervisor"], users["leader"], leads, staff)


def _expected(task: Task, today: dt.date) -> int:
    """序时进度, as tasks_app.workflow.flags computes it."""
    if task.start_date >= today:
        return 0
    if task.due_date <= today:
        return 100
    span = max((task.due_date - task.start_date).days, 1)
    return (today - task.start_date).days * 100 // span


def _report(task: Task, lead: User, *, percent: int, period: str, narrative: str) -> None:
    try:
        progress_report_create(
            task=task, actor=lead, percent=percent, narrative=narrative, period=period
        )
    except ValidationError as error:
        if "red_reason" not in str(error.detail):
            raise
        progress_report_create(
            task=task,
            actor=lead,
            percent=percent,
            narrative=narrative,
            period=period,
            red_reason=LATE_REASON,
        )


def _reports(task: Task, lead: User, target: int, today: dt.date) -> None:
    first = period_of(task.start_date)
    months = [m for m in REPORT_MONTHS if f"{today.year}-{m:02d}" >= first and m < today.month]
    for step, month in enumerate(months, start=1):
        percent = max(1, target * step // len(months))
        period = f"{today.year}-{month:02d}"
        _report(
            task,
            lead,
            percent=percent,
            period=period,
            narrative=f"{period}：按计划推进，完成{percent}%。",
        )


def _meet_milestones(task: Task, lead: User, today: dt.date) -> None:
    due = Milestone.objects.filter(
        task=task, is_final=False, completed_at__isnull=True, due_date__lt=today
    ).order_by("due_date")
    for milestone in due:
        milestone_complete(task=task, actor=lead, milestone=milestone)


def _target(role: str, task: Task, today: dt.date) -> int:
    expected = _expected(task, today)
    conf = settings.PLANTRACKER
    if role == ON_TRACK:
        return min(95, expected + 5)
    if role == BEHIND:
        gap = (conf["FLAG_YELLOW_BEHIND_POINTS"] + conf["FLAG_RED_BEHIND_POINTS"]) // 2
        return max(5, expected - gap)
    if role == LATE:
        return max(5, expected - conf["FLAG_RED_BEHIND_POINTS"] - 15)
    return 100


def _claim(task: Task, lead: User, supervisor: User, *, approve: bool, returned: bool) -> None:
    reason = "制度文件已印发，验收以文件为准，另无现场材料"
    task_transition(task=task, actor=lead, action="submit", no_evidence_reason=reason)
    if returned:
        task_transition(task=task, actor=supervisor, action="return", reason="缺少验收材料")
        return
    if approve:
        task_transition(task=task, actor=supervisor, action="approve", reason="同意销号")


def _task_walk(task: Task, role: str, index: int, cast: Cast, today: dt.date) -> None:
    lead = cast.leads.get(task.lead_department_id)
    if lead is None:
        return
    task_update(task=task, actor=lead, changes={"owner": lead})
    task_transition(task=task, actor=lead, action="start")
    if task.due_date <= today and role in (ON_TRACK, BEHIND):
        role = APPROVED
    _reports(task, lead, _target(role, task, today), today)
    if role != LATE:
        _meet_milestones(task, lead, today)
    if role == APPROVED:
        _claim(task, lead, cast.supervisor, approve=True, returned=False)
    elif role == CLAIMED:
        _claim(task, lead, cast.supervisor, approve=False, returned=index // 10 % 2 == 1)


def _late_follow_up(late: list[Task], cast: Cast, today: dt.date) -> None:
    """Extensions (approved, pending, rejected), 督办单 (one answered) and urges."""
    for n, task in enumerate(late[:6]):
        lead = cast.leads[task.lead_department_id]
        if n < 3:
            open_ones = Milestone.objects.filter(task=task, completed_at__isnull=True)
            milestone = (
                open_ones.filter(is_final=False, due_date__lt=today).order_by("-due_date").first()
            )
            if milestone is not None:
                # no later than the next checkpoint (milestones stay in order)
                following = open_ones.filter(due_date__gt=milestone.due_date).order_by("due_date")
                limit = following.values_list("due_date", flat=True).first() or task.due_date
                new_date = min(today + dt.timedelta(days=10), limit)
                request = extension_request_create(
                    task=task,
                    actor=lead,
                    new_due_date=new_date,
                    reason="配套资金尚未到位，申请调整节点",
                    milestone_id=milestone.pk,
                )
                if n == 0:
                    extension_request_decide(
                        extension_request=request, actor=cast.supervisor, approve=True
                    )
                elif n == 2:
                    extension_request_decide(
                        extension_request=request,
                        actor=cast.supervisor,
                        approve=False,
                        comment="节点不宜后移，请加快推进",
                    )
        notice = n % 2 == 1
        issued = task_urge(
            task=task,
            actor=cast.supervisor,
            comment="节点已逾期，请于5个工作日内反馈整改情况" if notice else "请加快推进",
            notice=notice,
        )
        if notice and n == 1:
            notice_answer(notice=issued, actor=lead, text="已召开专题会，明确整改时限")


def _instructions(tasks: list[Task], cast: Cast) -> None:
    for n, task in enumerate(tasks[:3]):
        instruction = instruction_create(
            task=task, actor=cast.leader, text="请牵头部门加强统筹，月底前报送推进情况"
        )
        if n == 0:
            lead = cast.leads[task.lead_department_id]
            instruction_respond(instruction=instruction, actor=lead, text="已部署，专人负责推进")


def _drafts(tasks: list[Task], cast: Cast, today: dt.date) -> None:
    for task in tasks[:2]:
        staff = cast.staff.get(task.lead_department_id)
        if staff is not None:
            report_draft_create(
                task=task,
                actor=staff,
                percent=min(100, Task.objects.get(pk=task.pk).progress + 5),
                narrative="本月新增完成部分工作量（联络员草稿，待负责人报送）",
            )


def demo_activity_ensure(*, plan: Plan, today: dt.date) -> bool:
    """Walk `plan` to `today` (a date inside its year). False when already done."""
    if ProgressReport.objects.filter(task__plan=plan).exists():
        return False
    cast = _cast()
    if cast is None or not plan.year == today.year:
        return False
    with clock.pinned(today), transaction.atomic():
        tasks = list(
            Task.objects.filter(plan=plan, status=TaskStatus.NOT_STARTED, start_date__lt=today)
            .select_related("lead_department")
            .order_by("code")
        )
        roles = {task.pk: ROLE_BY_SLOT[i % len(ROLE_BY_SLOT)] for i, task in enumerate(tasks)}
        for index, task in enumerate(tasks):
            _task_walk(Task.objects.get(pk=task.pk), roles[task.pk], index, cast, today)
        late = [t for t in tasks if roles[t.pk] == LATE and t.due_date > today]
        _late_follow_up(late, cast, today)
        open_tasks = [
            t for t in tasks if Task.objects.get(pk=t.pk).status == TaskStatus.IN_PROGRESS
        ]
        by_busiest = _busiest_department_first(open_tasks)
        _instructions(by_busiest, cast)
        _drafts(by_busiest[3:], cast, today)
        # The backfilled months' report notices were read in their months; the latest
        # closed month's stay unread, so the inbox shows this month's work, not 70 reports.
        report_notices_mark_read_before(plan=plan, period=previous_period(period_of(today)))
        run_demo_steps(plan=plan, today=today)
        quarter = Quarter.of(today)
        rollup_build(
            year=quarter.year, quarter=quarter.quarter, plan=plan, built_by=cast.supervisor
        )
    logger.info("demo activity: %d tasks walked to %s", len(tasks), today)
    return True


def _busiest_department_first(tasks: list[Task]) -> list[Task]:
    """Tasks of the department leading the most first (区发展改革委 in the 2025 plan)."""
    counts: dict[int, int] = {}
    for task in tasks:
        counts[task.lead_department_id] = counts.get(task.lead_department_id, 0) + 1
    return sorted(tasks, key=lambda t: (-counts[t.lead_department_id], t.code))
