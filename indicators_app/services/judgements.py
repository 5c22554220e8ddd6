"""Writes of judgements: a supervisor's recorded status for a qualitative target, with reason.

Only targets without a computable rule are judged (稳步增长, 达到市级要求, 进一步提升);
numeric, growth-rate and GDP-relative targets are computed, so judging them is a 409.
The latest judgement counts; earlier ones stay as history.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from indicators_app.assessment import is_judged
from indicators_app.models import AssessmentStatus, Indicator, IndicatorJudgement
from indicators_app.permissions import can_judge
from indicators_app.services.observations import indicator_touch
from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.models import User


def indicator_judge(
    *, indicator: Indicator, actor: User, status: str, reason: str
) -> IndicatorJudgement:
    """Record a supervisor's judgement (status + reason) of a qualitative indicator."""
    if not can_judge(actor):
        raise PermissionDenied(_("只有督查室可以研判指标。"))
    if status not in AssessmentStatus.values:
        raise ValidationError(
            {"status": [_("研判结果须为 on_track、at_risk、off_track 或 not_assessed。")]},
            code="invalid_choice",
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("研判须填写理由。")]}, code="required")
    if not is_judged(indicator):
        raise Conflict(_("该指标的目标可量化，状态由数据自动评估，无需研判。"))
    with transaction.atomic():
        judgement = IndicatorJudgement.objects.create(
            indicator=indicator, status=status, reason=reason.strip(), judged_by=actor
        )
        indicator_touch(indicator=indicator)
    return judgement
