"""The console's test world: the real 2025 plan in mid-June, with reports, evidence, an
extension request, indicator figures and two frozen rollups, all made through the services.

`console_world` names the people and departments:
  supervisor                  — 督查室 (is_staff);
  lead_a / staff_a            — lead and staff of department A, which leads `task`;
  lead_b                      — lead of department B, which has no part in A's tasks.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.test import Client
from PIL import Image

from indicators_app.models import Indicator
from indicators_app.services.observations import observation_create
from tasks_app.models import Department, ExtensionRequest, Milestone, Plan, Rollup, Task, User
from tasks_app.rollups.build import rollup_build
from tasks_app.workflow.services.attachments import attachment_create
from tasks_app.workflow.services.extensions import extension_request_create
from tasks_app.workflow.services.milestones import milestone_complete
from tasks_app.workflow.services.progress_reports import KeyResultValue, progress_report_create
from tasks_app.workflow.services.task_transition import task_transition
from tasks_app.workflow.services.task_update import task_update
from tests.claims import claim
from tests.conftest import PASSWORD

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2025-06-16, 10:00 in Beijing: Q1 checkpoints passed, the June one still open.
PINNED = dt.datetime(2025, 6, 16, 10, 0, tzinfo=SHANGHAI)
TODAY = PINNED.date()


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(PINNED, tick=True) as traveller:
        yield traveller


@dataclass
class ConsoleWorld:
    plan: Plan
    task: Task  # led by A, has a co-department, a report with evidence, an extension request
    dept_a: Department
    dept_b: Department
    supervisor: User
    lead_a: User
    staff_a: User
    lead_b: User
    extension: ExtensionRequest
    rollup: Rollup

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def png_bytes(colour: str = "#3b73b9", size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def pick_task(plan: Plan) -> Task:
    """A year-long task with a co-department and key results, lead by a busy department."""
    return (
        Task.objects.filter(plan=plan, due_date=dt.date(2025, 12, 31))
        .annotate(co_count=Count("co_departments", distinct=True))
        .annotate(kr_count=Count("key_results", distinct=True))
        .filter(co_count__gte=1, kr_count__gte=1)
        .order_by("code")
        .first()
    )


def unrelated_department(dept_a: Department) -> Department:
    """A department leading tasks, with no part in A's tasks (nor A in theirs)."""
    a_tasks = Task.objects.filter(lead_department=dept_a).values("pk")
    return (
        Department.objects.filter(lead_tasks__isnull=False)
        .exclude(pk=dept_a.pk)
        .exclude(co_tasks__in=a_tasks)
        .exclude(lead_tasks__co_departments=dept_a)
        .distinct()
        .order_by("code")
        .first()
    )


def _work_on(task: Task, lead: User, *, percent: int, with_evidence: bool = False) -> None:
    """Start and report `percent`; evidence: a photo and key-result figures, and the Q1
    checkpoint left open (the task stays overdue); else the Q1 checkpoint is done."""
    task_transition(task=task, actor=lead, action="start")
    first = Milestone.objects.filter(task=task).order_by("due_date").first()
    if not with_evidence and first is not None and first.due_date < TODAY and not first.is_final:
        milestone_complete(task=Task.objects.get(pk=task.pk), actor=lead, milestone=first)
    evidence = []
    if with_evidence:
        upload = SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png")
        evidence.append(attachment_create(task=task, actor=lead, upload=upload).pk)
    values = [KeyResultValue(kr.pk, kr.value * Decimal("0.4")) for kr in task.key_results.all()[:2]]
    progress_report_create(
        task=Task.objects.get(pk=task.pk),
        actor=lead,
        percent=percent,
        narrative="已完成前期调研和方案编制，正在组织实施。",
        red_reason="部分项目审批流程较长。" if percent < 30 else "",
        values=values if with_evidence else (),
        attachment_ids=evidence,
    )


def _indicator_figures(plan: Plan, supervisor: User) -> None:
    figures = {
        "地区生产总值": [("2025-Q1", "5.3")],
        "城镇登记失业率": [("2025-Q1", "3.1")],
        "食品安全监测抽验合格率": [("2025-Q1", "99.2")],
        "生活垃圾回收利用率": [("2025-Q1", "36.5")],
    }
    for name, points in figures.items():
        indicator = Indicator.objects.select_related("plan").get(plan=plan, name=name)
        for period, value in points:
            observation_create(
                indicator=indicator,
                actor=supervisor,
                period=period,
                value=Decimal(value),
                source="区统计局",
                today=TODAY,
            )


@pytest.fixture
def console_world(
    clock: time_machine.Coordinates,
    plan: Plan,
    make_member: Callable[..., User],
    supervisor: User,
    settings,
    tmp_path,
) -> ConsoleWorld:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    task = pick_task(plan)
    assert task is not None, "the 2025 plan has year-long tasks with co-departments"
    dept_a = task.lead_department
    dept_b = unrelated_department(dept_a)
    lead_a = make_member(dept_a, "dept_lead")
    staff_a = make_member(dept_a, "dept_staff")
    lead_b = make_member(dept_b, "dept_lead")
    task_update(task=task, actor=lead_a, changes={"owner": lead_a})
    _work_on(Task.objects.get(pk=task.pk), lead_a, percent=25, with_evidence=True)
    others = list(Task.objects.filter(lead_department=dept_a).exclude(pk=task.pk)[:3])
    for other in others[:2]:
        _work_on(other, lead_a, percent=45)
    task_transition(task=Task.objects.get(pk=others[2].pk), actor=lead_a, action="start")
    claim(Task.objects.get(pk=others[2].pk), lead_a)
    task_transition(task=Task.objects.get(pk=others[2].pk), actor=supervisor, action="approve")
    q2 = Milestone.objects.filter(task=task, is_final=False, completed_at__isnull=True)
    extension = extension_request_create(
        task=Task.objects.get(pk=task.pk),
        actor=lead_a,
        new_due_date=dt.date(2025, 6, 30),  # not past the next checkpoint (kept in order)
        reason="受汛期影响，施工窗口推迟。",
        milestone_id=q2.order_by("due_date").first().pk,
    )
    _indicator_figures(plan, supervisor)
    rollup_build(year=2025, quarter=1, built_by=supervisor, today=TODAY)
    rollup = rollup_build(year=2025, quarter=2, built_by=supervisor, today=TODAY)
    return ConsoleWorld(
        plan=plan,
        task=Task.objects.get(pk=task.pk),
        dept_a=dept_a,
        dept_b=dept_b,
        supervisor=supervisor,
        lead_a=lead_a,
        staff_a=staff_a,
        lead_b=lead_b,
        extension=extension,
        rollup=rollup,
    )


__all__ = ["PASSWORD", "TODAY", "ConsoleWorld", "png_bytes"]
