"""通报 — circulating a quarter's results: the supervision office publishes a rollup
version; when the plan's issuing body circulates its rollups (IssuingBody.circulate_rollups,
on by default), every department's lead and staff then read that version's department rows
(the ranking, scores and red-item counts by department), not only their own row. Drafts
(unpublished versions) stay with the office: a department reads nothing of them. When
circulation is off, a department lead reads its own row of every version, as before 通报."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import Conflict, PermissionDenied
from tasks_app.models import Membership, Rollup, User
from tasks_app.org.plan_scope import district_plans_of
from tasks_app.org.visibility import is_supervisor


class RollupAlreadyPublished(Conflict):
    default_detail = gettext_lazy("该季度汇总已通报。")
    default_code = "rollup_published"


def circulating_body_ids(user: User) -> QuerySet:
    """The bodies whose circulated rollups `user` reads: those of their departments that
    circulate (a subquery, no query of its own)."""
    return Membership.objects.filter(user=user, department__body__circulate_rollups=True).values(
        "department__body_id"
    )


def circulated_q(user: User, prefix: str = "") -> Q:
    """Rollups circulated to `user`: published, of a circulating body of theirs."""
    return Q(
        **{
            f"{prefix}published_at__isnull": False,
            f"{prefix}plan__body_id__in": circulating_body_ids(user),
        }
    )


def reads_circulated_rollups(user: User) -> bool:
    """Whether any published rollup is circulated to `user` (staff read rollups only then)."""
    return Rollup.objects.filter(circulated_q(user)).exists()


@transaction.atomic
def rollup_publish(*, rollup: Rollup, actor: User) -> Rollup:
    """通报 of one rollup version by the supervision office of the plan's body; once."""
    locked = Rollup.objects.select_for_update().select_related("plan").get(pk=rollup.pk)
    plans = district_plans_of(actor)
    own = plans is None or plans.filter(pk=locked.plan_id).exists()
    if not is_supervisor(actor) or not own:
        raise PermissionDenied(_("只有督查室可以通报季度汇总。"))
    if locked.published_at is not None:
        raise RollupAlreadyPublished()
    locked.published_at, locked.published_by = timezone.now(), actor
    locked.save(update_fields=["published_at", "published_by"])
    return locked
