"""Who reads which rollups and rows.

Supervisors, district leaders and admins read every rollup and every row of their own
body's plans (admins: of every plan). A department lead (部门负责人) reads the rollups of
their departments' plans too, but only the rows of the departments they lead: no plan or
chapter rows, no other department. 通报 (tasks_app/rollups/circulation.py): of a published
version of a body that circulates its rollups, every lead and staff member of its
departments reads every department row. Everyone else: nothing.
"""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from tasks_app.models import (
    IssuingBody,
    Membership,
    Rollup,
    RollupJob,
    RollupLevel,
    RollupRow,
    User,
)
from tasks_app.models.org import DEFAULT_BODY_CODE
from tasks_app.org.plan_scope import district_plans_of, own_body, plans_visible_to
from tasks_app.org.visibility import sees_everything
from tasks_app.rollups.circulation import circulated_q, reads_circulated_rollups


def led_department_ids(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user=user, role=Membership.DeptRole.LEAD).values_list(
            "department_id", flat=True
        )
    )


def rollups_readable_by(user: User) -> bool:
    return (
        sees_everything(user)
        or Membership.objects.filter(user=user, role=Membership.DeptRole.LEAD).exists()
        or reads_circulated_rollups(user)
    )


def rollups_list(
    *, user: User, year: int | None = None, quarter: int | None = None
) -> QuerySet[Rollup]:
    """Rollups of the plans `user` may read, newest first, with `latest_version` of their
    (plan, year, quarter) annotated."""
    rollups = Rollup.objects.select_related("built_by")
    district_plans = district_plans_of(user) if sees_everything(user) else None
    if sees_everything(user):
        if district_plans is not None:
            rollups = rollups.filter(plan_id__in=district_plans.values("pk"))
    else:
        rollups = rollups.filter(plan_id__in=plans_visible_to(user).values("pk"))
        leads = Membership.objects.filter(user=user, role=Membership.DeptRole.LEAD)
        if not leads.exists():  # staff: circulated versions only
            rollups = rollups.filter(circulated_q(user))
        else:  # leads: versions of bodies that do not circulate, circulated ones otherwise
            rollups = rollups.filter(
                Q(plan__body__circulate_rollups=False) | Q(published_at__isnull=False)
            )
    if year is not None:
        rollups = rollups.filter(year=year)
    if quarter is not None:
        rollups = rollups.filter(quarter=quarter)
    newest = (
        Rollup.objects.filter(
            plan_id=OuterRef("plan_id"), year=OuterRef("year"), quarter=OuterRef("quarter")
        )
        .order_by("-version")
        .values("version")[:1]
    )
    return rollups.annotate(latest_version=Subquery(newest)).annotate(
        is_latest=Q(version=F("latest_version"))
    )


def rollup_rows_visible(
    *, user: User, department_id: int | None = None, summary_only: bool = False
) -> QuerySet[RollupRow]:
    """Rows the user may read, optionally one department's, or (summary_only) the plan row
    for district readers when no department is named."""
    level_order = Case(
        *(When(level=level, then=Value(n)) for n, level in enumerate(RollupLevel.values)),
        output_field=IntegerField(),
    )
    rows = RollupRow.objects.order_by(level_order, "position", "id")
    if not sees_everything(user):
        led = Membership.objects.filter(user=user, role=Membership.DeptRole.LEAD)
        # own rows where the body does not circulate (as before 通报); every department's
        # row of a circulated version; nothing of an unpublished version where it does
        own = Q(
            department_id__in=led.values("department_id"),
            rollup__plan__body__circulate_rollups=False,
        )
        rows = rows.filter(own | circulated_q(user, "rollup__"), level=RollupLevel.DEPARTMENT)
    if department_id is not None:
        return rows.filter(level=RollupLevel.DEPARTMENT, department_id=department_id)
    if summary_only and sees_everything(user):
        return rows.filter(level=RollupLevel.PLAN)
    return rows


def rollup_jobs_visible(user: User) -> QuerySet[RollupJob]:
    """Build jobs of the district reader's own body's plans (administrators: all)."""
    if not sees_everything(user):
        return RollupJob.objects.none()
    plans = district_plans_of(user)
    if plans is None:
        return RollupJob.objects.all()
    scope = Q(plan_id__in=plans.values("pk"))
    # Jobs without a plan (queued before plans had bodies) build the default body's plan.
    if IssuingBody.objects.filter(code=DEFAULT_BODY_CODE, pk=own_body(user)).exists():
        scope |= Q(plan__isnull=True)
    return RollupJob.objects.filter(scope)
