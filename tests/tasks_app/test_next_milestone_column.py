"""Task.next_open_milestone_due is kept by the database on every kind of write."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, Q
from django.utils import timezone

from tasks_app.models import Milestone, Plan, Task


def _stored_equals_computed() -> list[tuple[int, dt.date | None, dt.date | None]]:
    """Tasks whose stored date differs from MIN(due_date) of their open milestones."""
    rows = Task.objects.annotate(
        computed=Min("milestones__due_date", filter=Q(milestones__completed_at__isnull=True))
    ).values_list("pk", "next_open_milestone_due", "computed")
    return [row for row in rows if row[1] != row[2]]


def _stored(task: Task) -> dt.date | None:
    return Task.objects.values_list("next_open_milestone_due", flat=True).get(pk=task.pk)


def test_imported_plan_has_every_task_right(plan: Plan) -> None:
    assert Task.objects.filter(next_open_milestone_due__isnull=False).count() > 50
    assert _stored_equals_computed() == []


def test_every_kind_of_milestone_write_keeps_it(plan: Plan) -> None:
    task = Task.objects.filter(plan=plan, milestones__isnull=False).distinct().first()
    first = task.milestones.filter(completed_at__isnull=True).order_by("due_date").first()
    assert _stored(task) == first.due_date

    # complete the earliest (save): the next one takes over
    first.completed_at = timezone.now()
    first.save()
    assert _stored(task) == (
        task.milestones.filter(completed_at__isnull=True).order_by("due_date").first().due_date
    )
    # an earlier open milestone created through the ORM
    early = Milestone.objects.create(
        task=task,
        sequence=99,
        title="earlier",
        due_date=dt.date(2025, 1, 15),
        original_due_date=dt.date(2025, 1, 15),
    )
    assert _stored(task) == dt.date(2025, 1, 15)
    # QuerySet.update() moves it; bulk_create adds an even earlier one
    Milestone.objects.filter(pk=early.pk).update(due_date=dt.date(2025, 1, 20))
    assert _stored(task) == dt.date(2025, 1, 20)
    Milestone.objects.bulk_create(
        [
            Milestone(
                task=task,
                sequence=100,
                title="bulk",
                due_date=dt.date(2025, 1, 10),
                original_due_date=dt.date(2025, 1, 10),
            )
        ]
    )
    assert _stored(task) == dt.date(2025, 1, 10)
    # deletes
    Milestone.objects.filter(task=task, sequence__in=[99, 100]).delete()
    assert _stored_equals_computed() == []
    # every milestone completed: no date
    Milestone.objects.filter(task=task).update(completed_at=timezone.now())
    assert _stored(task) is None
    assert _stored_equals_computed() == []


def test_a_stale_value_saved_by_the_application_is_corrected(plan: Plan) -> None:
    task = Task.objects.filter(plan=plan, milestones__isnull=False).distinct().first()
    right = _stored(task)
    task.next_open_milestone_due = dt.date(2000, 1, 1)  # stale / wrong, saved in full
    task.save()
    assert _stored(task) == right
    Task.objects.filter(pk=task.pk).update(next_open_milestone_due=dt.date(2000, 1, 1))
    assert _stored(task) == right
