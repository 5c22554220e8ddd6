"""Reads for the directory side of the API: departments, plans and their tree,
milestones of visible tasks, and a person's inbox. Querysets annotated in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from tasks_app.models import (
    Chapter,
    Department,
    Measure,
    Milestone,
    Notification,
    Plan,
    TaskStatus,
    User,
)
from tasks_app.org.plan_scope import departments_visible_to, plans_visible_to
from tasks_app.org.visibility import tasks_visible_to
from tasks_app.workflow.flags import FLAGS, NOT_CHASED_STATUSES, with_flags


def departments_all(user: User) -> QuerySet[Department]:
    """The departments of the user's issuing bodies: names are public within a district,
    not beyond it."""
    return departments_visible_to(user)


def plans_all(user: User) -> QuerySet[Plan]:
    """The plans `user` may see, without their (long) source text."""
    return plans_visible_to(user).defer("source_text")


def milestones_visible_to(user: User) -> QuerySet[Milestone]:
    """Milestones of the tasks `user` may see, with the task's code, title and lead."""
    visible_tasks = tasks_visible_to(user).values("pk")
    return Milestone.objects.filter(task_id__in=visible_tasks).annotate(
        task_code=F("task__code"),
        task_title=F("task__title"),
        task_status=F("task__status"),
        lead_department_id=F("task__lead_department_id"),
        plan_id=F("task__plan_id"),
    )


def milestones_overdue_q(today: dt.date) -> Q:
    """Open milestones past their date, of tasks still chased (not done, cancelled, suspended)."""
    return Q(completed_at__isnull=True, due_date__lt=today) & ~Q(
        task__status__in=NOT_CHASED_STATUSES
    )


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's own inbox."""
    return Notification.objects.filter(recipient=user)


# --- Plan tree -------------------------------------------------------------------------

STATUSES = tuple(TaskStatus.values)


def _count_annotations() -> dict[str, Count]:
    counts: dict[str, Count] = {"total": Count("pk")}
    for status in STATUSES:
        counts[f"status_{status}"] = Count("pk", filter=Q(status=status))
    for flag in FLAGS:
        counts[f"flag_{flag}"] = Count("pk", filter=Q(flag=flag))
    return counts


def _empty_counts() -> dict[str, Any]:
    return {
        "total": 0,
        "by_status": dict.fromkeys(STATUSES, 0),
        "by_flag": dict.fromkeys(FLAGS, 0),
    }


def _add_counts(target: dict[str, Any], row: dict[str, Any]) -> None:
    target["total"] += row["total"]
    for status in STATUSES:
        target["by_status"][status] += row[f"status_{status}"]
    for flag in FLAGS:
        target["by_flag"][flag] += row[f"flag_{flag}"]


def plan_task_counts(*, plan: Plan, user: User, today: dt.date) -> dict[int, dict[str, Any]]:
    """{measure_id: aggregate row} over the tasks of `plan` that `user` may see (one query)."""
    tasks = with_flags(tasks_visible_to(user).filter(plan=plan), today=today)
    rows = tasks.order_by().values("measure_id").annotate(**_count_annotations())
    return {row["measure_id"]: row for row in rows}


def plan_tree(*, plan: Plan, user: User, today: dt.date) -> dict[str, Any]:
    """Chapters → measures of `plan`, each with task counts by status and by flag.

    Counts include only tasks visible to `user`; three queries whatever the plan's size.
    The Python work is over chapters and measures (tens), never over tasks.
    """
    counts_by_measure = plan_task_counts(plan=plan, user=user, today=today)
    chapters = {
        c.pk: {
            "id": c.pk,
            "number": c.number,
            "title": c.title,
            "counts": _empty_counts(),
            "measures": [],
        }
        for c in Chapter.objects.filter(plan=plan).order_by("number")
    }
    tree = {
        "id": plan.pk,
        "year": plan.year,
        "title": plan.title,
        "as_of": today,
        "counts": _empty_counts(),
        "chapters": list(chapters.values()),
    }
    measures = Measure.objects.filter(chapter__plan=plan).order_by("chapter__number", "number")
    for measure in measures.only("pk", "chapter_id", "number", "title"):
        node = {
            "id": measure.pk,
            "number": measure.number,
            "title": measure.title,
            "counts": _empty_counts(),
        }
        row = counts_by_measure.get(measure.pk)
        if row:
            _add_counts(node["counts"], row)
            _add_counts(chapters[measure.chapter_id]["counts"], row)
            _add_counts(tree["counts"], row)
        chapters[measure.chapter_id]["measures"].append(node)
    return tree
