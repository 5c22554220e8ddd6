"""Writes of observations: report a figure, correct it with history, verify or question it.

- observation_create: the first figure for a period; a second figure for the same period
  is a correction (observation_correct) and needs a reason. Resubmitting the identical
  figure changes nothing (safe for clients that retry without an Idempotency-Key).
- observation_correct: keeps the earlier value, unit, source, note, author and
  verification in an ObservationRevision; the row shows the new value; the verification
  starts over (a corrected figure has not been verified).
- observation_verify: a supervisor verifies or questions (comment required) a figure.
Each runs in one transaction and bumps the indicator's updated_at (its ETag and sync
marker); a 地区生产总值 figure also bumps the indicators assessed against GDP growth.
Validation (period, unit, value) is in indicators_app.services.validation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators_app.assessment import GDP_INDICATOR_NAME, GDP_SYNC_MARK
from indicators_app.models import Indicator, Observation, ObservationRevision
from indicators_app.permissions import can_report, can_verify
from indicators_app.services.validation import clean_period, clean_value
from plantracker import clock
from plantracker.errors import PermissionDenied, ValidationError
from tasks_app.models import User

CREATED, CORRECTED, UNCHANGED = "created", "corrected", "unchanged"
VERIFY, QUESTION = "verify", "question"


@dataclass(frozen=True)
class ObservationResult:
    observation: Observation
    outcome: str  # CREATED | CORRECTED | UNCHANGED


def indicator_touch(*, indicator: Indicator) -> None:
    """Bump updated_at of the indicator and of those whose status depends on it."""
    rows = Q(pk=indicator.pk)
    if indicator.name == GDP_INDICATOR_NAME:
        rows |= Q(plan_id=indicator.plan_id, target_text__contains=GDP_SYNC_MARK)
    Indicator.objects.filter(rows).update(updated_at=timezone.now())


def _check_reporter(actor: User, indicator: Indicator) -> None:
    if not can_report(actor, indicator):
        raise PermissionDenied(_("只有该指标的责任部门或督查室可以报送数据。"))


def observation_create(
    *,
    indicator: Indicator,
    actor: User,
    period: str,
    value: Decimal,
    unit: str | None = None,
    source: str | None = None,
    note: str | None = None,
    reason: str = "",
    today: dt.date | None = None,
) -> ObservationResult:
    """Report the figure of `indicator` for `period`; an existing period is corrected."""
    _check_reporter(actor, indicator)
    parsed = clean_period(indicator, period, today=today or clock.today())
    converted = clean_value(indicator, value, unit)
    with transaction.atomic():
        # One writer per indicator at a time: the period check below cannot race.
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        existing = Observation.objects.filter(indicator=locked, period=parsed.text).first()
        if existing is not None:
            return observation_correct(
                observation=existing,
                actor=actor,
                value=value,
                unit=unit,
                source=source,
                note=note,
                reason=reason,
            )
        observation = Observation.objects.create(
            indicator=locked,
            period=parsed.text,
            period_end=parsed.end,
            value=converted.value,
            unit=converted.unit,
            reported_value=value,
            reported_unit=(unit or "").strip() or converted.unit,
            source=source or "",
            note=note or "",
            reported_by=actor,
        )
        indicator_touch(indicator=locked)
    return ObservationResult(observation, CREATED)


def _is_same(obs: Observation, value: Decimal, unit: str, source: str, note: str) -> bool:
    return (obs.value, obs.unit, obs.source, obs.note) == (value, unit, source, note)


def observation_correct(
    *,
    observation: Observation,
    actor: User,
    value: Decimal,
    unit: str | None = None,
    source: str | None = None,
    note: str | None = None,
    reason: str,
) -> ObservationResult:
    """Replace the figure of an observation, keeping the earlier one in a revision row.

    source/note None keep the current text. The identical figure is a no-op (UNCHANGED).
    """
    indicator = observation.indicator
    _check_reporter(actor, indicator)
    converted = clean_value(indicator, value, unit)
    with transaction.atomic():
        obs = Observation.objects.select_for_update().get(pk=observation.pk)
        source = obs.source if source is None else source
        note = obs.note if note is None else note
        if _is_same(obs, converted.value, converted.unit, source, note):
            return ObservationResult(obs, UNCHANGED)
        if not (reason or "").strip():
            raise ValidationError(
                {"reason": [_("该期间已有数据，更正须填写原因。")]}, code="required"
            )
        ObservationRevision.objects.create(
            observation=obs,
            value=obs.value,
            unit=obs.unit,
            source=obs.source,
            note=obs.note,
            verification_status=obs.verification_status,
            reported_by_id=obs.reported_by_id,
            reported_at=obs.updated_at,
            corrected_by=actor,
            reason=reason.strip(),
        )
        obs.value, obs.unit, obs.source, obs.note = converted.value, converted.unit, source, note
        obs.reported_value, obs.reported_unit = value, (unit or "").strip() or converted.unit
        obs.reported_by = actor
        obs.verification_status = Observation.Verification.UNVERIFIED
        obs.verified_by, obs.verified_at, obs.verification_comment = None, None, ""
        obs.save()
        indicator_touch(indicator=indicator)
    return ObservationResult(obs, CORRECTED)


def observation_verify(
    *, observation: Observation, actor: User, action: str, comment: str = ""
) -> Observation:
    """A supervisor verifies (`verify`) or questions (`question`, comment required) a figure."""
    if not can_verify(actor):
        raise PermissionDenied(_("只有督查室可以审核指标数据。"))
    statuses = {
        VERIFY: Observation.Verification.VERIFIED,
        QUESTION: Observation.Verification.QUESTIONED,
    }
    if action not in statuses:
        raise ValidationError({"action": [_("操作须为 verify 或 question。")]}, code="invalid")
    comment = (comment or "").strip()
    if action == QUESTION and not comment:
        raise ValidationError({"comment": [_("提出疑问须填写意见。")]}, code="required")
    with transaction.atomic():
        obs = Observation.objects.select_for_update().get(pk=observation.pk)
        obs.verification_status = statuses[action]
        obs.verified_by, obs.verified_at = actor, timezone.now()
        obs.verification_comment = comment
        obs.save()
        indicator_touch(indicator=observation.indicator)
    return obs
