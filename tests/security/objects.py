"""Objects every security test needs around `tests.api.tasks_support.world`'s task.

`seed(world)` gives the world's task one of everything a route can point at (an evidence
photo, an open checkpoint, a pending extension request, an indicator answered for by
the task's lead department with one observation, a frozen rollup and a build job, one
notification per person), so that every route of the URL conf has a real object to hit.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from indicators_app.models import Indicator, Observation
from tasks_app.inbox.notifications import notification_create
from tasks_app.models import (
    Attachment,
    ExtensionRequest,
    LeaderInstruction,
    Milestone,
    Notification,
    ReportDraft,
    Rollup,
    RollupJob,
    SupervisionNotice,
    Task,
    User,
)
from tasks_app.rollups.build import rollup_build
from tasks_app.supervision.instructions import instruction_create
from tasks_app.supervision.notices import notice_answer
from tasks_app.supervision.urge import task_urge
from tasks_app.workflow.services.attachments import attachment_create
from tasks_app.workflow.services.extensions import extension_request_create
from tasks_app.workflow.services.report_drafts import report_draft_create
from tests.api.tasks_support import World

# The indicator the lead department answers for in these tests (a rate, quarterly figures),
# and one with a qualitative target (达到市级要求) that supervisors judge by hand.
INDICATOR_NAME = "城镇登记失业率"
QUALITATIVE_INDICATOR_NAME = "细颗粒物浓度"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
    return buffer.getvalue()


def bearer(user: User) -> str:
    """An `Authorization` header value with a real access token for `user`."""
    return f"Bearer {AccessToken.for_user(user)}"


def refresh_token(user: User) -> str:
    return str(RefreshToken.for_user(user))


@dataclass
class Objects:
    attachment: Attachment
    open_milestone: Milestone  # not final, not done, due before the task: completable
    extension_milestone: Milestone  # another open checkpoint: a new request may target it
    extension_request: ExtensionRequest  # pending, on `open_milestone`
    indicator: Indicator  # responsible department: the task's lead department
    qualitative_indicator: Indicator  # judged by supervisors (judgement/)
    observation: Observation
    rollup: Rollup
    rollup_job: RollupJob
    notifications: dict[str, Notification]  # role name → that person's notification
    hidden_task: Task  # a task neither the lead department nor its co-department sees
    open_notice: SupervisionNotice  # 督办单 on the task, to answer
    answered_notice: SupervisionNotice  # on a second task of both departments, to review
    instruction: LeaderInstruction  # 领导批示 on the task, to answer
    report_draft: ReportDraft  # the lead department's staff's draft, to submit


def _open_milestones(task: Task) -> list[Milestone]:
    return list(
        Milestone.objects.filter(task=task, is_final=False, completed_at__isnull=True)
        .filter(due_date__gt=dt.date(2025, 6, 10))
        .order_by("due_date")
    )


def _hidden_task(world: World) -> Task:
    involved = {world.lead_dept.pk, world.co_dept.pk}
    return (
        Task.objects.filter(plan=world.plan)
        .exclude(lead_department__in=involved)
        .exclude(co_departments__in=involved)
        .order_by("code")
        .first()
    )


def seed(world: World) -> Objects:
    """Create the objects (MEDIA_ROOT must point at a temporary folder)."""
    task = world.task
    upload = SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png")
    attachment = attachment_create(task=task, actor=world.lead_staff, upload=upload)
    open_milestones = _open_milestones(task)
    assert len(open_milestones) >= 2, "the 2025 plan gives year-end tasks quarterly checkpoints"
    request = extension_request_create(
        task=task,
        actor=world.lead_lead,
        new_due_date=open_milestones[0].due_date + dt.timedelta(days=20),
        reason="配套资金尚未到位",
        milestone_id=open_milestones[0].pk,
    )
    indicator = Indicator.objects.get(plan=world.plan, name=INDICATOR_NAME)
    Indicator.objects.filter(pk=indicator.pk).update(responsible_department=world.lead_dept)
    indicator.refresh_from_db()
    observation = Observation.objects.create(
        indicator=indicator,
        period="2025-01",
        period_end=dt.date(2025, 1, 31),
        value=Decimal("3.1"),
        unit=indicator.unit,
        reported_by=world.lead_staff,
    )
    rollup = rollup_build(year=world.plan.year, quarter=1, built_by=world.supervisor)
    job = RollupJob.objects.create(year=world.plan.year, quarter=1, requested_by=world.supervisor)
    notifications = {
        name: notification_create(recipient=user, kind="urge", title=f"给{name}的通知", body="内容")
        for name, user in world.everyone.items()
    }
    open_notice = task_urge(task=task, actor=world.supervisor, comment="节点逾期", notice=True)
    second = (
        Task.objects.filter(plan=world.plan, lead_department=world.lead_dept)
        .exclude(pk=task.pk)
        .order_by("code")
        .first()
    )
    second.co_departments.add(world.co_dept)
    answered = task_urge(task=second, actor=world.supervisor, comment="请反馈", notice=True)
    answered = notice_answer(notice=answered, actor=world.lead_lead, text="已整改")
    instruction = instruction_create(task=task, actor=world.leader, text="请加快推进")
    report_draft = report_draft_create(
        task=task, actor=world.lead_staff, percent=40, narrative="草稿", red_reason="滞后"
    )
    return Objects(
        report_draft=report_draft,
        open_notice=open_notice,
        answered_notice=answered,
        instruction=instruction,
        attachment=attachment,
        open_milestone=open_milestones[0],
        extension_milestone=open_milestones[1],
        extension_request=request,
        indicator=indicator,
        qualitative_indicator=Indicator.objects.get(
            plan=world.plan, name=QUALITATIVE_INDICATOR_NAME
        ),
        observation=observation,
        rollup=rollup,
        rollup_job=job,
        notifications=notifications,
        hidden_task=_hidden_task(world),
    )
