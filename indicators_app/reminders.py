"""Reminder provider: indicator figures that are overdue or due soon, for the department.

For each indicator with a responsible department, the period chased is the latest period
of its frequency (month, quarter or year) whose due date — `due_day` of the month after
the period ends — is before `today`, capped at the plan year's last period. The figure
is missing when no observation of that indicator ends on that period's last day (a
"2025-03" year-to-date figure covers Q1; "2025" covers December and Q4). Only the latest
overdue period is chased (one query: overdue_observation_items). The registered provider,
observation_reminder_items, adds the period falling due by `warn_until` (a second query),
so the ladder can send its due-soon rung too. Items have no owner: the ladder addresses
the responsible department's leads.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateField, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from indicators_app.models import Indicator, Observation
from indicators_app.periods import due_date, latest_due_period_ends, period_for
from tasks_app.models import PlanStatus
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.registry import register_provider

KIND = "indicator_observation"


def _chased_period_end(today: dt.date) -> Case:
    ends = latest_due_period_ends(today)
    whens = []
    for frequency in Indicator.Frequency.values:
        whens.append(
            When(
                frequency=frequency,
                due_day__lt=today.day,
                then=Value(ends[(frequency, True)]),
            )
        )
        whens.append(When(frequency=frequency, then=Value(ends[(frequency, False)])))
    return Case(*whens, output_field=DateField())


def overdue_observation_items(*, today: dt.date) -> list[ReminderItem]:
    """Indicators whose figure for the latest period due before `today` is missing."""
    return _missing_items(due_before=today)


@register_provider
def observation_reminder_items(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    """Provider of the reminder registry: overdue figures plus those due by `warn_until`."""
    items = {item.key: item for item in overdue_observation_items(today=today)}
    if warn_until >= today:
        for item in _missing_items(due_before=warn_until + dt.timedelta(days=1)):
            items.setdefault(item.key, item)
    return list(items.values())


def _missing_items(*, due_before: dt.date) -> list[ReminderItem]:
    """Missing figures of the latest period of each indicator due before `due_before`."""
    # A closed (结转) plan's indicators are no longer chased.
    chased = Indicator.objects.filter(
        responsible_department__isnull=False, plan__status=PlanStatus.OPEN
    ).annotate(chased_end=_chased_period_end(due_before))
    figures = Observation.objects.filter(indicator=OuterRef("pk"))
    covered = Exists(figures.filter(period_end=OuterRef("chased_end")))
    year_end_covered = Exists(
        figures.filter(
            period_end__year=OuterRef("plan__year"), period_end__month=12, period_end__day=31
        )
    )
    rows = chased.filter(
        (Q(chased_end__year=F("plan__year")) & ~covered)
        | (Q(chased_end__year__gt=F("plan__year")) & ~year_end_covered)
    ).values_list(
        "id",
        "name",
        "frequency",
        "due_day",
        "responsible_department_id",
        "chased_end",
        "plan__year",
    )
    items = []
    for pk, name, frequency, due_day, department_id, end, year in rows.order_by("id"):
        end = end if end.year == year else dt.date(year, 12, 31)
        period = period_for(frequency, end)
        items.append(
            ReminderItem(
                kind=KIND,
                object_id=pk,
                period=period.text,
                title=_("%(name)s %(period)s 数据未报送") % {"name": name, "period": period.text},
                due_date=due_date(end, due_day),
                department_id=department_id,
                owner_id=None,
            )
        )
    return items
