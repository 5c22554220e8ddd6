"""manage.py generate_city at a tiny scale: the promised row counts, and the same rows twice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F, Min, Q

from bench.city.rows import Sizes
from indicators_app.models import Indicator
from tasks_app.models import Department, Milestone, Notification, Plan, ProgressReport, Task, User

SCALE = 0.001
ANCHOR = dt.date(2025, 6, 18)
COUNTED = {
    "plans": Plan,
    "departments": Department,
    "people": User,
    "tasks": Task,
    "milestones": Milestone,
    "progress_reports": ProgressReport,
    "notifications": Notification,
    "indicators": Indicator,
}
# Row contents (passwords aside: their salt is random) of the generated tables.
FINGERPRINT_SQL = """
SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM tasks_app_task t),
       (SELECT md5(string_agg(m::text, ',' ORDER BY m.id)) FROM tasks_app_milestone m),
       (SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) FROM tasks_app_progressreport r),
       (SELECT md5(string_agg(n::text, ',' ORDER BY n.id)) FROM tasks_app_notification n),
       (SELECT md5(string_agg(concat_ws('|', u.id, u.username, u.email, u.display_name,
                                        u.district_role), ',' ORDER BY u.id))
          FROM tasks_app_user u),
       (SELECT md5(string_agg(o::text, ',' ORDER BY o.id)) FROM indicators_app_observation o)
"""


def _generate_and_read() -> tuple[dict[str, int], tuple]:
    """Generate, read counts and fingerprint, then roll the rows back."""
    with transaction.atomic():
        call_command("generate_city", scale=SCALE, anchor=ANCHOR, stdout=io.StringIO())
        counts = {name: model.objects.count() for name, model in COUNTED.items()}
        # COPY fires the milestone triggers: every task's stored next open milestone is set.
        stale = Task.objects.annotate(
            computed=Min("milestones__due_date", filter=Q(milestones__completed_at__isnull=True))
        ).exclude(next_open_milestone_due=F("computed"))
        counts["stale_next_milestone"] = stale.exclude(
            next_open_milestone_due__isnull=True, computed__isnull=True
        ).count()
        counts["with_next_milestone"] = Task.objects.filter(
            next_open_milestone_due__isnull=False
        ).count()
        with connection.cursor() as cursor:
            cursor.execute(FINGERPRINT_SQL)
            fingerprint = cursor.fetchone()
        transaction.set_rollback(True)
    return counts, fingerprint


@pytest.mark.django_db
def test_generate_city_counts_and_determinism(on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("generate_city writes with COPY: PostgreSQL only")
    first_counts, first = _generate_and_read()
    assert first_counts.pop("stale_next_milestone") == 0
    assert first_counts.pop("with_next_milestone") > 0
    assert first_counts == Sizes.for_scale(SCALE).expected_counts()
    assert Task.objects.count() == 0  # rolled back
    second_counts, second = _generate_and_read()
    second_counts.pop("stale_next_milestone"), second_counts.pop("with_next_milestone")
    assert second_counts == first_counts
    assert second == first
    assert all(first)
