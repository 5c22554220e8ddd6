"""One way for tests to make a valid completion claim (申请销号): progress 100 through a
lead's report, and one evidence attachment (the rule of
tasks_app.workflow.services.completion_claims)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tasks_app.models import Attachment, Task, User
from tasks_app.workflow.services.attachments import attachment_create
from tasks_app.workflow.services.progress_reports import progress_report_create
from tasks_app.workflow.services.task_transition import task_transition

EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def claim_ready(task: Task, lead: User) -> None:
    """Bring `task` to 100 % (a report by `lead`) and give it one evidence file."""
    task.refresh_from_db()
    if task.progress < 100:
        progress_report_create(
            task=task, actor=lead, percent=100, narrative="已完成，申请销号", red_reason="待验收"
        )
    if not Attachment.objects.filter(task=task).exists():
        upload = SimpleUploadedFile("验收材料.pdf", EVIDENCE_PDF, content_type="application/pdf")
        attachment_create(task=task, actor=lead, upload=upload)


def claim(task: Task, lead: User) -> Task:
    """A valid completion claim by `lead` (the task must be in progress)."""
    claim_ready(task, lead)
    return task_transition(task=task, actor=lead, action="submit")
