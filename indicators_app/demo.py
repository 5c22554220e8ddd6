"""The demo's indicator figures (seed_demo): each responsible department's lead reports
its indicators' closed periods, some on target and some behind."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from indicators_app.models import Indicator
from indicators_app.services.observations import observation_create
from plantracker.errors import ApplicationError
from tasks_app.demo.registry import register_demo_step
from tasks_app.models import Membership, Plan, User

logger = logging.getLogger(__name__)

# Share of the target reported, by indicator position: on target, near, behind.
SHARES = (Decimal("1.02"), Decimal("0.97"), Decimal("0.8"))


def _periods(indicator: Indicator, today: dt.date) -> list[str]:
    year = today.year
    if indicator.frequency == Indicator.Frequency.MONTHLY:
        return [f"{year}-{m:02d}" for m in range(1, today.month)]
    if indicator.frequency == Indicator.Frequency.QUARTERLY:
        return [f"{year}-Q{q}" for q in range(1, 5) if dt.date(year, 3 * q, 28) < today]
    return []


def _lead(indicator: Indicator) -> User | None:
    membership = (
        Membership.objects.filter(
            department_id=indicator.responsible_department_id, role=Membership.DeptRole.LEAD
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return membership.user if membership else None


@register_demo_step
def demo_observations(*, plan: Plan, today: dt.date) -> int:
    created = 0
    indicators = Indicator.objects.filter(
        plan=plan, responsible_department__isnull=False, target_value__isnull=False
    ).order_by("order")
    for position, indicator in enumerate(indicators):
        lead = _lead(indicator)
        if lead is None:
            continue
        value = (indicator.target_value * SHARES[position % len(SHARES)]).quantize(Decimal("0.01"))
        for period in _periods(indicator, today):
            try:
                observation_create(
                    indicator=indicator, actor=lead, period=period, value=value, today=today
                )
                created += 1
            except ApplicationError as error:  # a figure the indicator's rules refuse
                logger.info("demo: %s %s not reported: %s", indicator.code, period, error)
    return created
