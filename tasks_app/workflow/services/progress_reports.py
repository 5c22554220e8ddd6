"""progress_report_create: a department's progress report on a task, with evidence.

A lead-department report moves the task's progress and its key results' actual values;
a co-department report ("its part") is recorded with its percent and moves nothing.
A report that leaves the task red must say why (red_reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import PermissionDenied, ValidationError
from tasks_app.models import (
    Attachment,
    Department,
    KeyResult,
    ProgressReport,
    ProgressReportValue,
    Task,
    User,
)
from tasks_app.workflow import cadence as report_cadence
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.flags import RED, with_flags
from tasks_app.workflow.services.report_notices import is_red, report_filed_notify
from tasks_app.workflow.services.task_writes import (
    TaskClosed,
    history_record,
    now,
    task_bump,
    task_lock,
    today,
)

STAFF_WRITE_DRAFTS_MESSAGE = gettext_lazy(
    "联络员的进展请填写为报告草稿，由本部门负责人审核后报送。"
)


@dataclass(frozen=True)
class KeyResultValue:
    key_result_id: int
    value: Decimal


def _reporting_department(actor: User, task: Task) -> tuple[Department, bool]:
    """(department the report is filed for, whether it moves the task)."""
    rels = workflow.relations(actor, task)
    moves = workflow.has_capability(rels, workflow.Capability.REPORT_PROGRESS)
    if not moves and not workflow.has_capability(rels, workflow.Capability.REPORT_PART):
        if workflow.has_capability(rels, workflow.Capability.DRAFT_REPORT):
            raise PermissionDenied(str(STAFF_WRITE_DRAFTS_MESSAGE))
        raise PermissionDenied(workflow.CAPABILITY_DENIED_MESSAGES[workflow.Capability.REPORT_PART])
    if task.status in workflow.CLOSED_STATUSES:
        raise TaskClosed()
    if moves:
        return task.lead_department, True
    department = (
        Department.objects.filter(co_tasks=task, memberships__user=actor).order_by("pk").first()
    )
    return department, False


def _resolve_period(task: Task, department: Department, period: str | None, day: dt.date) -> str:
    current = report_cadence.period_of(day)
    if period is None:
        previous = report_cadence.previous_period(current)
        reported = ProgressReport.objects.filter(
            task=task, department=department, period=previous
        ).exists()
        return report_cadence.default_report_period(day, previous_reported=reported)
    try:
        report_cadence.parse_period(period)
    except ValueError:
        raise ValidationError({"period": [_("报告期格式应为YYYY-MM。")]}, code="invalid") from None
    if not report_cadence.period_of(task.start_date) <= period <= current:
        raise ValidationError(
            {"period": [_("报告期须在任务开始之后且不晚于本月。")]}, code="out_of_range"
        )
    return period


def _key_results(task: Task, values: Sequence[KeyResultValue]) -> dict[int, KeyResult]:
    ids = [v.key_result_id for v in values]
    found = {
        kr.pk: kr
        for kr in KeyResult.objects.select_for_update().filter(task=task, pk__in=ids).order_by("pk")
    }
    errors = []
    for index, item in enumerate(values):
        if item.key_result_id not in found:
            errors.append(_("第%(n)d项：该量化指标不属于此任务。") % {"n": index + 1})
        elif ids.count(item.key_result_id) > 1:
            errors.append(_("第%(n)d项：同一量化指标只能填报一次。") % {"n": index + 1})
    if errors:
        raise ValidationError({"key_result_values": errors}, code="invalid")
    return found


def _attachments(task: Task, attachment_ids: Sequence[int]) -> list[Attachment]:
    rows = list(
        Attachment.objects.select_for_update()
        .filter(task=task, pk__in=attachment_ids, report__isnull=True)
        .order_by("pk")
    )
    if len(rows) != len(set(attachment_ids)):
        raise ValidationError(
            {"attachments": [_("附件不存在、不属于此任务或已关联其他报告。")]}, code="invalid"
        )
    return rows


def _apply_to_task(
    task: Task,
    actor: User,
    report: ProgressReport,
    values: Sequence[KeyResultValue],
    found: dict[int, KeyResult],
) -> None:
    """The lead department's report moves progress and key-result actuals (with history)."""
    stamp = now()
    changed = []
    for item in values:
        kr = found[item.key_result_id]
        if kr.actual_value != item.value:
            history_record(
                task=task,
                actor=actor,
                action="report",
                field=f"key_result:{kr.pk}",
                from_value=kr.actual_value,
                to_value=item.value,
            )
        kr.actual_value, kr.actual_reported_at = item.value, stamp
        changed.append(kr)
    KeyResult.objects.bulk_update(changed, ["actual_value", "actual_reported_at"])
    before = task.progress
    task.progress = report.percent
    task_bump(task, ["progress"])
    history_record(
        task=task,
        actor=actor,
        action="report",
        field="progress",
        from_value=before,
        to_value=report.percent,
        reason=report.red_reason,
    )


def _require_red_reason(task: Task, report: ProgressReport) -> None:
    flag = with_flags(Task.objects.filter(pk=task.pk), today=today()).values_list("flag", flat=True)
    if not report.red_reason and flag.get() == RED:
        raise ValidationError(
            {"red_reason": [_("报告后任务仍为红灯，请说明滞后原因。")]}, code="required"
        )


@transaction.atomic
def progress_report_create(
    *,
    task: Task,
    actor: User,
    percent: int,
    narrative: str,
    red_reason: str = "",
    values: Sequence[KeyResultValue] = (),
    attachment_ids: Sequence[int] = (),
    period: str | None = None,
    drafted_by: User | None = None,
) -> ProgressReport:
    """File a report for `period` (default: see report_cadence.default_report_period).

    `drafted_by`: the staff member whose draft the report was submitted from (the actor,
    the department's lead, is its author). The people who share the task hear of it
    (report_notices.report_filed_notify)."""
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": [_("进度须在0到100之间。")]}, code="out_of_range")
    locked = task_lock(task=task)
    department, moves = _reporting_department(actor, locked)
    found = _key_results(locked, values)
    evidence = _attachments(locked, attachment_ids)
    report = ProgressReport.objects.create(
        task=locked,
        author=actor,
        department=department,
        period=_resolve_period(locked, department, period, today()),
        percent=percent,
        narrative=narrative,
        red_reason=(red_reason or "").strip(),
        drafted_by=drafted_by,
    )
    ProgressReportValue.objects.bulk_create(
        [
            ProgressReportValue(report=report, key_result_id=v.key_result_id, value=v.value)
            for v in values
        ]
    )
    Attachment.objects.filter(pk__in=[a.pk for a in evidence]).update(
        report=report, updated_at=now()
    )
    was_red = bool(moves and report.red_reason) and is_red(locked.pk)
    if moves:
        _apply_to_task(locked, actor, report, values, found)
    else:
        history_record(
            task=locked,
            actor=actor,
            action="report_part",
            field="progress",
            to_value=percent,
            reason=report.red_reason,
        )
    _require_red_reason(locked, report)
    report_filed_notify(task=locked, report=report, moves=moves, was_red=was_red)
    return report
