"""Report drafts: staff (联络员) write them, only their department sees them, and the
department's lead submits them (edited or not); the submission is the report in effect.

A draft never touches the task: flags, rollups, the latest progress and every other
reader see reports only. On submission the draft is kept as written (status submitted,
linked to the report), the report records who drafted it, and one history event says who
drafted and who submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.models import Department, Membership, ProgressReport, ReportDraft, Task, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services.progress_reports import KeyResultValue, progress_report_create
from tasks_app.workflow.services.task_writes import TaskClosed, history_record, now, task_lock

DRAFT_SUBMITTED_ACTION = "report_draft_submit"


class DraftSubmitted(Conflict):
    default_detail = _("该草稿已报送。")
    default_code = "draft_submitted"


@dataclass(frozen=True)
class DraftChanges:
    """What the lead changes on submission; None keeps the draft's value."""

    percent: int | None = None
    narrative: str | None = None
    red_reason: str | None = None
    values: Sequence[KeyResultValue] | None = None
    attachment_ids: Sequence[int] | None = None
    period: str | None = None


def _draft_department(actor: User, task: Task) -> Department:
    """The lead department if the actor belongs to it, else the actor's co-department."""
    rels = workflow.relations(actor, task)
    if not workflow.has_capability(rels, workflow.Capability.DRAFT_REPORT):
        raise PermissionDenied(
            workflow.CAPABILITY_DENIED_MESSAGES[workflow.Capability.DRAFT_REPORT]
        )
    if task.status in workflow.CLOSED_STATUSES:
        raise TaskClosed()
    if rels & workflow.LEAD_DEPARTMENT:
        return task.lead_department
    return Department.objects.filter(co_tasks=task, memberships__user=actor).order_by("pk").first()


def report_drafts_visible_to(user: User, task: Task) -> QuerySet[ReportDraft]:
    """The task's drafts of the departments the user belongs to (supervisors see none)."""
    return (
        ReportDraft.objects.filter(task=task, department__memberships__user=user)
        .select_related("author", "department", "submitted_by")
        .distinct()
    )


@transaction.atomic
def report_draft_create(
    *,
    task: Task,
    actor: User,
    percent: int,
    narrative: str,
    red_reason: str = "",
    values: Sequence[KeyResultValue] = (),
    attachment_ids: Sequence[int] = (),
    period: str | None = None,
) -> ReportDraft:
    """Save a draft for the actor's department. Checked in full when it is submitted."""
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": [_("进度须在0到100之间。")]}, code="out_of_range")
    locked = task_lock(task=task)
    return ReportDraft.objects.create(
        task=locked,
        department=_draft_department(actor, locked),
        author=actor,
        period=period or "",
        percent=percent,
        narrative=narrative,
        red_reason=(red_reason or "").strip(),
        key_result_values=[{"key_result": v.key_result_id, "value": str(v.value)} for v in values],
        attachment_ids=sorted(set(attachment_ids)),
    )


def _lead_of(actor: User, department: Department) -> bool:
    return Membership.objects.filter(
        user=actor, department=department, role=Membership.DeptRole.LEAD
    ).exists()


def _draft_values(draft: ReportDraft) -> list[KeyResultValue]:
    return [KeyResultValue(v["key_result"], Decimal(v["value"])) for v in draft.key_result_values]


def _pick(change: Any, kept: Any) -> Any:
    return kept if change is None else change


@transaction.atomic
def report_draft_submit(
    *, draft: ReportDraft, actor: User, changes: DraftChanges | None = None
) -> ProgressReport:
    """The department's lead files the draft (with `changes`, if any) as a report."""
    changes = changes or DraftChanges()
    task_lock(task=draft.task_id)
    locked = ReportDraft.objects.select_for_update().select_related("task").get(pk=draft.pk)
    if not _lead_of(actor, locked.department):
        raise PermissionDenied(_("只有本部门负责人可以报送报告草稿。"))
    if locked.status != ReportDraft.Status.DRAFT:
        raise DraftSubmitted()
    report = progress_report_create(
        task=locked.task,
        actor=actor,
        percent=_pick(changes.percent, locked.percent),
        narrative=_pick(changes.narrative, locked.narrative),
        red_reason=_pick(changes.red_reason, locked.red_reason),
        values=_pick(changes.values, _draft_values(locked)),
        attachment_ids=_pick(changes.attachment_ids, locked.attachment_ids),
        period=_pick(changes.period, locked.period or None),
        drafted_by=locked.author,
    )
    if report.department_id != locked.department_id:
        raise PermissionDenied(_("只有本部门负责人可以报送报告草稿。"))
    locked.status, locked.report = ReportDraft.Status.SUBMITTED, report
    locked.submitted_by, locked.submitted_at = actor, now()
    locked.save(update_fields=["status", "report", "submitted_by", "submitted_at", "updated_at"])
    history_record(
        task=locked.task,
        actor=actor,
        action=DRAFT_SUBMITTED_ACTION,
        field="report",
        from_value={"draft": locked.pk, "drafted_by": locked.author.get_username()},
        to_value={
            "report": report.pk,
            "percent": report.percent,
            "edited": _draft_edits(locked, report),
        },
    )
    return report


def _draft_edits(draft: ReportDraft, report: ProgressReport) -> list[str]:
    """Which of the draft's fields the lead changed (the draft itself keeps the original)."""
    return [
        name
        for name in ("percent", "narrative", "red_reason")
        if getattr(draft, name) != getattr(report, name)
    ]
