"""The completion claim's evidence rule (申请销号): progress 100, and at least one evidence
attachment on the task or an explicit reason why none exists.

Controlled by PLANTRACKER["COMPLETION_REQUIRES_EVIDENCE"] (default True: the product rule).
The reason, when given, is kept as its own history event next to the claim.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from plantracker.errors import ValidationError
from tasks_app.models import Attachment, Task, User
from tasks_app.workflow.services.task_writes import history_record

NO_EVIDENCE_ACTION = "claim_no_evidence"
NO_EVIDENCE_REASON_MAX_CHARS = 2000


def evidence_required() -> bool:
    return bool(settings.PLANTRACKER.get("COMPLETION_REQUIRES_EVIDENCE", True))


def completion_claim_check(*, task: Task, no_evidence_reason: str) -> None:
    """Raise a 400 naming `progress`, `evidence` or `no_evidence_reason` when the claim
    does not meet the rule (call with the task locked)."""
    if len(no_evidence_reason) > NO_EVIDENCE_REASON_MAX_CHARS:
        raise ValidationError({"no_evidence_reason": [_("说明过长。")]}, code="max_length")
    if not evidence_required():
        return
    if task.progress < 100:
        raise ValidationError(
            {
                "progress": [
                    _("申请销号前须先报送100%%的进展（当前进度%(progress)d%%）。")
                    % {"progress": task.progress}
                ]
            },
            code="incomplete",
        )
    if not no_evidence_reason and not Attachment.objects.filter(task=task).exists():
        raise ValidationError(
            {
                "evidence": [
                    _(
                        "申请销号须上传至少一份佐证材料，或说明无佐证材料的原因（no_evidence_reason）。"
                    )
                ]
            },
            code="required",
        )


def completion_claim_record(*, task: Task, actor: User, no_evidence_reason: str) -> None:
    """Keep the stated reason for a claim without evidence in the task's history."""
    if no_evidence_reason:
        history_record(
            task=task,
            actor=actor,
            action=NO_EVIDENCE_ACTION,
            field="evidence",
            reason=no_evidence_reason,
        )
