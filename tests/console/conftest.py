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
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.test import Client, override_settings
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
from tests.conftest import PASSWORD, new_member, new_supervisor
from tests.plan_snapshot import PlanSnapshot, import_seed_plan

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


def build_world(plan: Plan) -> ConsoleWorld:
    """The world, made through the services on top of the imported plan."""
    supervisor = new_supervisor()
    task = pick_task(plan)
    assert task is not None, "the 2025 plan has year-long tasks with co-departments"
    dept_a = task.lead_department
    dept_b = unrelated_department(dept_a)
    lead_a = new_member(dept_a, "dept_lead")
    staff_a = new_member(dept_a, "dept_staff")
    lead_b = new_member(dept_b, "dept_lead")
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


@dataclass(frozen=True)
class WorldSnapshot:
    """`build_world` run once per test database (tests/plan_snapshot.py): its rows, the
    keys of what it names, and its media folder (the evidence photo)."""

    rows: PlanSnapshot
    keys: dict[str, int]
    media: Path

    def restore(self) -> ConsoleWorld:
        self.rows.restore()
        k = self.keys
        return ConsoleWorld(
            plan=Plan.objects.get(pk=k["plan"]),
            task=Task.objects.get(pk=k["task"]),
            dept_a=Department.objects.get(pk=k["dept_a"]),
            dept_b=Department.objects.get(pk=k["dept_b"]),
            supervisor=User.objects.get(pk=k["supervisor"]),
            lead_a=User.objects.get(pk=k["lead_a"]),
            staff_a=User.objects.get(pk=k["staff_a"]),
            lead_b=User.objects.get(pk=k["lead_b"]),
            extension=ExtensionRequest.objects.get(pk=k["extension"]),
            rollup=Rollup.objects.get(pk=k["rollup"]),
        )


# The world is built a few minutes before the pinned instant, clock ticking, so that the
# order of its events is kept and everything a test does comes after them.
BUILT_AT = PINNED - dt.timedelta(minutes=10)


@pytest.fixture(scope="session")
def world_snapshot(
    plan_snapshot: PlanSnapshot | None, django_db_blocker, tmp_path_factory
) -> WorldSnapshot | None:
    """None off PostgreSQL, where every `console_world` is built again."""
    if plan_snapshot is None:
        return None
    media = tmp_path_factory.mktemp("console-world-media")
    keys: dict[str, int] = {}

    def make() -> Plan:
        world = build_world(plan_snapshot.restore())
        keys.update({name: getattr(world, name).pk for name in WORLD_NAMES})
        return world.plan

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        rows = PlanSnapshot.capture(
            make, at=BUILT_AT, tick=True, prepare=plan_snapshot.restore_bodies
        )
    return WorldSnapshot(rows=rows, keys=keys, media=media)


WORLD_NAMES = "plan task dept_a dept_b supervisor lead_a staff_a lead_b extension rollup".split()


@pytest.fixture
def console_world(
    clock: time_machine.Coordinates,
    db,
    world_snapshot: WorldSnapshot | None,
    settings,
    tmp_path,
) -> ConsoleWorld:
    """The console's world (built once per session on PostgreSQL, copied back per test);
    it holds the plan and the supervisor: a test asks for them through it."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    if world_snapshot is None:
        with time_machine.travel(BUILT_AT, tick=True):
            return build_world(import_seed_plan())
    shutil.copytree(world_snapshot.media, media)
    return world_snapshot.restore()


__all__ = ["PASSWORD", "TODAY", "ConsoleWorld", "png_bytes"]
