"""Which plans a person may see, and which plan a list shows when the client names none.

Plans belong to an issuing body (发文单位, e.g. 大兴区). A supervisor or leader reads the
plans of their own body (`User.body`; empty means the default body, 大兴区); department
people read the plans of their departments' bodies; administrators read every plan.
Everything here is a queryset or a subquery expression, so scoping a list costs no
extra statement.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import BaseExpression

from tasks_app.models import Department, IssuingBody, Plan, User
from tasks_app.models.org import DEFAULT_BODY_CODE


def own_body(user: User) -> BaseExpression:
    """The id of the body `user` works for, as an SQL expression (no query of its own)."""
    if user.body_id is not None:
        return Value(user.body_id)
    return Subquery(IssuingBody.objects.filter(code=DEFAULT_BODY_CODE).values("pk")[:1])


def has_own_body(user: User) -> bool:
    """Whether `User.body` (or the default body) grants `user` any plan: district roles
    and people with a body set explicitly. Department people without one read their
    departments' bodies only."""
    return bool(user.is_superuser or user.district_role or user.body_id is not None)


def _body_scope(user: User, field: str) -> Q:
    """`field` (a body id column) among the bodies `user` belongs to: their own (district
    roles, or set explicitly) and their departments'."""
    department_bodies = Department.objects.filter(memberships__user=user).values("body_id")
    scope = Q(**{f"{field}__in": department_bodies})
    if has_own_body(user):
        scope |= Q(**{field: own_body(user)})
    return scope


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """The plans `user` may see (metadata, tree, and — per role — their tasks)."""
    if not user.is_authenticated:
        return Plan.objects.none()
    if user.is_superuser:
        return Plan.objects.all()
    return Plan.objects.filter(_body_scope(user, "body_id"))


def departments_visible_to(user: User) -> QuerySet[Department]:
    """The departments of the bodies `user` belongs to (all for administrators)."""
    if not user.is_authenticated:
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    return Department.objects.filter(_body_scope(user, "body_id"))


def district_plans_of(user: User) -> QuerySet[Plan] | None:
    """The plans whose every task a district role (supervisor, leader) reads; None: all
    plans (administrators)."""
    if user.is_superuser:
        return None
    return Plan.objects.filter(body_id=own_body(user))


def default_plan(user: User, *, today: dt.date) -> Subquery:
    """The plan a list shows when the client names none, as a subquery: this year's plan
    of the caller's body, else that body's latest plan (annual plans before other kinds)."""
    preference = Case(
        When(year=today.year, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    plans = plans_visible_to(user)
    ordering: list = [preference, "-year", "kind", "pk"]
    if has_own_body(user):
        own_first = Case(
            When(body_id=own_body(user), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        ordering.insert(0, own_first)
    return Subquery(plans.order_by(*ordering).values("pk")[:1])


def default_plan_object(user: User, *, today: dt.date) -> Plan | None:
    """The default plan as a row (for pages that show it), or None when there is none."""
    return Plan.objects.filter(pk=default_plan(user, today=today)).first()


def visible_plan_or_none(user: User, plan_id: object) -> Plan | None:
    """The plan with this id if `user` may see it; None for absent, hidden or malformed."""
    try:
        pk = int(str(plan_id))
    except ValueError:
        return None
    return plans_visible_to(user).filter(pk=pk).first()


def plan_to_build(user: User, *, plan_id: int | None, year: int) -> Plan | None:
    """The plan a supervisor's rollup build targets: the named one if visible, else their
    own body's plan of `year` (annual first); None when there is none."""
    if plan_id is not None:
        return plans_visible_to(user).filter(pk=plan_id).first()
    plans = district_plans_of(user)
    if plans is None:  # administrators: their own (or the default) body first
        plans = Plan.objects.filter(body_id=own_body(user))
    return plans.filter(year=year).order_by("kind", "pk").first()


def default_plan_id(user: User, *, today: dt.date) -> int | None:
    """The default plan's id (one small query), or None when there is none."""
    return (
        Plan.objects.filter(pk=default_plan(user, today=today)).values_list("pk", flat=True).first()
    )
