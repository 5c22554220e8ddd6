"""What the task screen shows around a task, read in a fixed number of statements: its
milestones, the latest progress report (with figures and attachments), the pending
extension request, the last reason a completion claim was returned (退回), the open
督办单 (formal supervision notices, open or answered) and the newest attachments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tasks_app.models import (
    Attachment,
    ExtensionRequest,
    HistoryEvent,
    Milestone,
    ProgressReport,
    ProgressReportValue,
    SupervisionNotice,
    Task,
)
from tasks_app.workflow.selectors import (
    task_extension_requests,
    task_history,
    task_milestones,
    task_progress_reports,
)

RECENT_ATTACHMENTS = 6


@dataclass(frozen=True)
class TaskScreen:
    milestones: list[Milestone]
    latest_report: ProgressReport | None
    latest_report_values: list[ProgressReportValue]
    latest_report_attachments: list[Attachment]
    open_extension_request: ExtensionRequest | None
    last_return: HistoryEvent | None
    open_notices: list[SupervisionNotice]
    recent_attachments: list[Attachment]


def task_screen(*, task: Task, today: dt.date) -> TaskScreen:
    """Eight statements whatever the task holds: the report's figures and files are read
    by the report's id as a subquery, so they cost the same when there is no report."""
    pending = ExtensionRequest.Status.PENDING
    open_states = (SupervisionNotice.Status.OPEN, SupervisionNotice.Status.ANSWERED)
    newest = ProgressReport.objects.filter(task=task).order_by("-created_at", "-id")
    latest_id = newest.values("pk")[:1]
    return TaskScreen(
        milestones=list(task_milestones(task, today=today).order_by("due_date", "sequence")),
        latest_report=task_progress_reports(task)
        .prefetch_related(None)
        .filter(pk__in=latest_id)
        .first(),
        latest_report_values=list(
            ProgressReportValue.objects.filter(report_id__in=latest_id).order_by("key_result_id")
        ),
        latest_report_attachments=list(
            Attachment.objects.filter(report_id__in=latest_id).order_by("id")
        ),
        open_extension_request=task_extension_requests(task)
        .filter(status=pending)
        .order_by("-created_at", "-id")
        .first(),
        last_return=task_history(task).filter(action="return").order_by("-at", "-id").first(),
        open_notices=list(
            SupervisionNotice.objects.filter(task=task, kind="notice", status__in=open_states)
            .select_related("department", "issued_by", "answered_by")
            .order_by("-created_at", "-id")
        ),
        recent_attachments=list(
            Attachment.objects.filter(task=task).order_by("-created_at", "-id")[:RECENT_ATTACHMENTS]
        ),
    )
