"""The reminder ladder: which rungs an item has reached today, and who hears at each.

  due_soon    — due within WARNING_WINDOW_WORKING_DAYS (today included): the owner
                (the department leads when no owner is assigned);
  overdue     — past due (催办): the owner and the lead department's leads;
                a monthly report's two rungs reach the department's staff (联络员) too,
                since they write it. An owner hears only while they can see the task;
  supervision — ESCALATE_SUPERVISION_AFTER_WORKING_DAYS or more working days overdue:
                every supervision-office user of the item's issuing body, and a 督办单
                (formal supervision notice) is recorded against the department, once per
                item and due date;
  leaders     — ESCALATE_LEADERS_AFTER_WORKING_DAYS or more: every district leader of
                the item's issuing body.

Rungs are cumulative: an item 20 working days late is at overdue, supervision and
leaders at once, each with its own recipients and its own cool-down.
Working days follow the official calendar (tasks_app.workflow.workdays).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Subquery
from django.db.models.functions import Coalesce

from tasks_app.inbox.audience import owners_seeing
from tasks_app.models import Department, IssuingBody, Membership, ReminderLevel, Role, User
from tasks_app.models.org import DEFAULT_BODY_CODE
from tasks_app.reminders.items import ReminderItem
from tasks_app.workflow.workdays import warning_window_end, working_days_between

REPORT_KIND = "progress_report"  # a monthly report: its department's staff write it
LEVEL_ORDER = {level: index for index, level in enumerate(ReminderLevel.values)}


@dataclass(frozen=True)
class LadderRules:
    today: dt.date
    warn_until: dt.date
    supervision_after_working_days: int
    leaders_after_working_days: int

    @classmethod
    def for_day(cls, today: dt.date) -> LadderRules:
        conf = settings.PLANTRACKER
        return cls(
            today=today,
            warn_until=warning_window_end(today),
            supervision_after_working_days=conf["ESCALATE_SUPERVISION_AFTER_WORKING_DAYS"],
            leaders_after_working_days=conf["ESCALATE_LEADERS_AFTER_WORKING_DAYS"],
        )


@functools.lru_cache(maxsize=4096)
def working_days_overdue(due_date: dt.date, today: dt.date) -> int:
    """Working days in (due_date, today]; 0 when not past due. Cached per distinct date."""
    return max(0, working_days_between(due_date, today))


def levels_for(item: ReminderItem, rules: LadderRules) -> list[str]:
    """The rungs the item stands on today, lowest first (empty: nothing to say)."""
    if item.due_date >= rules.today:
        return [ReminderLevel.DUE_SOON] if item.due_date <= rules.warn_until else []
    late = working_days_overdue(item.due_date, rules.today)
    levels = [ReminderLevel.OVERDUE]
    if late >= rules.supervision_after_working_days:
        levels.append(ReminderLevel.SUPERVISION)
    if late >= rules.leaders_after_working_days:
        levels.append(ReminderLevel.LEADERS)
    return levels


@dataclass
class Audience:
    """Everyone the ladder may address, loaded in four queries for all items at once.

    Supervisors and leaders hear only of items of their own issuing body (an item's body
    is its department's); a person without a body belongs to the default one (大兴区).
    """

    leads_by_department: dict[int, list[int]] = field(default_factory=dict)
    supervisors: list[int] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)
    active_owners: set[int] = field(default_factory=set)  # of items without a task
    # (task id, owner id) where the owner is active and can still see the task.
    seeing_owners: set[tuple[int, int]] = field(default_factory=set)
    # Staff (联络员) write the reports: they hear of their department's report deadlines.
    staff_by_department: dict[int, list[int]] = field(default_factory=dict)
    body_of_department: dict[int, int] = field(default_factory=dict)
    supervisors_by_body: dict[int, list[int]] = field(default_factory=dict)
    leaders_by_body: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def for_items(cls, items: Iterable[ReminderItem]) -> Audience:
        items = list(items)
        audience = cls()
        if not items:
            return audience
        department_ids = {item.department_id for item in items}
        members = Membership.objects.filter(
            department_id__in=department_ids, user__is_active=True
        ).order_by("department_id", "user_id")
        leads: dict[int, list[int]] = defaultdict(list)
        staff: dict[int, list[int]] = defaultdict(list)
        for department_id, user_id, role in members.values_list("department_id", "user_id", "role"):
            (leads if role == Membership.DeptRole.LEAD else staff)[department_id].append(user_id)
        audience.leads_by_department = dict(leads)
        audience.staff_by_department = dict(staff)
        audience.body_of_department = dict(
            Department.objects.filter(pk__in=department_ids).values_list("pk", "body_id")
        )
        default_body = IssuingBody.objects.filter(code=DEFAULT_BODY_CODE).values("pk")[:1]
        district = (
            User.objects.filter(is_active=True, district_role__in=(Role.SUPERVISOR, Role.LEADER))
            .annotate(body_key=Coalesce("body_id", Subquery(default_body)))
            .order_by("id")
        )
        by_body: dict[str, dict[int, list[int]]] = {
            Role.SUPERVISOR: defaultdict(list),
            Role.LEADER: defaultdict(list),
        }
        for user_id, role, body_id in district.values_list("id", "district_role", "body_key"):
            (audience.supervisors if role == Role.SUPERVISOR else audience.leaders).append(user_id)
            by_body[role][body_id].append(user_id)
        audience.supervisors_by_body = dict(by_body[Role.SUPERVISOR])
        audience.leaders_by_body = dict(by_body[Role.LEADER])
        owned = [item for item in items if item.owner_id]
        audience.seeing_owners = owners_seeing({item.task_id for item in owned if item.task_id})
        audience.active_owners = set(
            User.objects.filter(
                pk__in={item.owner_id for item in owned if not item.task_id}, is_active=True
            ).values_list("id", flat=True)
        )
        return audience

    def body_of(self, item: ReminderItem) -> int | None:
        return self.body_of_department.get(item.department_id)

    def district_people(self, level: str, body_id: int | None) -> list[int]:
        """The supervisors (SUPERVISION) or leaders (LEADERS) of one body."""
        people = self.supervisors_by_body if level == ReminderLevel.SUPERVISION else None
        people = self.leaders_by_body if people is None else people
        return list(people.get(body_id, [])) if body_id is not None else []

    def owner_of(self, item: ReminderItem) -> list[int]:
        """The item's owner, while active and (for a task's item) able to see the task."""
        if not item.owner_id:
            return []
        if item.task_id:
            return [item.owner_id] if (item.task_id, item.owner_id) in self.seeing_owners else []
        return [item.owner_id] if item.owner_id in self.active_owners else []

    def recipients(self, item: ReminderItem, level: str) -> list[int]:
        owner = self.owner_of(item)
        leads = self.leads_by_department.get(item.department_id, [])
        staff = (
            self.staff_by_department.get(item.department_id, []) if item.kind == REPORT_KIND else []
        )
        if level == ReminderLevel.DUE_SOON:
            return list(dict.fromkeys([*(owner or leads), *staff]))
        if level == ReminderLevel.OVERDUE:
            return list(dict.fromkeys([*owner, *leads, *staff]))
        return self.district_people(level, self.body_of(item))


@dataclass(frozen=True)
class Candidate:
    """One reminder that is due today: this item, at this rung, to this person."""

    item: ReminderItem
    level: str
    recipient_id: int
    working_days_overdue: int

    @property
    def ledger_key(self) -> tuple[str, str, int]:
        return (self.item.key, self.level, self.recipient_id)


def candidates_for(
    items: Iterable[ReminderItem], rules: LadderRules, audience: Audience
) -> list[Candidate]:
    """Every (item, rung, recipient) due today, before cool-down; no queries."""
    found: dict[tuple[str, str, int], Candidate] = {}
    for item in items:
        late = working_days_overdue(item.due_date, rules.today)
        for level in levels_for(item, rules):
            for recipient_id in audience.recipients(item, level):
                candidate = Candidate(item, level, recipient_id, late)
                found.setdefault(candidate.ledger_key, candidate)
    return list(found.values())
