"""Computed state that changes with the date: recorded so that `updated_since` finds it.

A task's flag and overdue state are computed in SQL for the day (flags.py); nothing is
written when a deadline passes overnight, so a client syncing with `updated_since` would
keep yesterday's colour. Once a day (beat: 00:05 Asia/Shanghai, migration 0008) one
UPDATE stamps `updated_at` on exactly the tasks whose flag or overdue state on `today`
differs from the day before; the next sync returns them. Set-based: the comparison is a
correlated subquery per task inside one statement, no Python loop over tasks.

`expected_progress` (序时进度) moves a little every day for every running task and is not
recorded: a client that shows it recomputes it from start_date and due_date, or reads the
task again.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from tasks_app.models import Task
from tasks_app.workflow.flags import with_flags, with_overdue


def _state(tasks: QuerySet[Task], day: dt.date) -> QuerySet[Task]:
    return with_overdue(with_flags(tasks, today=day), today=day)


@transaction.atomic
def task_flag_changes_record(*, today: dt.date, since: dt.date | None = None) -> int:
    """Stamp updated_at on tasks whose flag or overdue state on `today` differs from `since`
    (default: the day before). Returns how many tasks were stamped."""
    since = since or today - dt.timedelta(days=1)
    before = _state(Task.objects.filter(pk=OuterRef("pk")), since)
    changed = (
        _state(Task.objects.all(), today)
        .annotate(
            flag_before=Subquery(before.values("flag")[:1]),
            overdue_before=Subquery(before.values("is_overdue")[:1]),
        )
        .exclude(flag=F("flag_before"), is_overdue=F("overdue_before"))
    )
    return Task.objects.filter(pk__in=changed.values("pk")).update(updated_at=timezone.now())
