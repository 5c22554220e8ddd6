"""Celery tasks of tasks_app: a few lines each, ids in, a service call, JSON out.

Global Celery settings apply (acks_late, reject_on_worker_lost, prefetch 1, JSON only);
each task sets its own time limits. The schedule lives in the database
(django-celery-beat, installed by the data steps of migrations 0005 and 0011; editable
in the admin).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from celery.signals import worker_ready

from plantracker import clock
from tasks_app.reminders.deliveries import deliveries_sweep, delivery_attempt
from tasks_app.reminders.run import reminders_run
from tasks_app.rollups.build import rollup_build_previous_quarter, rollup_job_run
from tasks_app.workflow.flag_changes import task_flag_changes_record


@shared_task(name="tasks_app.reminders_run", soft_time_limit=600, time_limit=660)
def reminders_run_task(today: str | None = None) -> dict:
    """The daily run (beat: 09:00 Asia/Shanghai); skips non-working days by itself."""
    day = dt.date.fromisoformat(today) if today else clock.today()
    return reminders_run(today=day).as_dict()


@shared_task(
    bind=True, name="tasks_app.delivery_send", soft_time_limit=60, time_limit=90, max_retries=None
)
def delivery_send(self, delivery_id: int) -> str:
    """Send one outbox row; on failure retry after the row's own backoff."""
    outcome = delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in_seconds is not None:
        # +1 s: the row becomes claimable at next_attempt_at, not a moment before.
        raise self.retry(countdown=outcome.retry_in_seconds + 1)
    return outcome.status


@shared_task(name="tasks_app.deliveries_sweep", soft_time_limit=60, time_limit=90)
def deliveries_sweep_task() -> int:
    """Re-enqueue outbox rows that are due: lost messages, retries, abandoned claims."""
    return len(deliveries_sweep())


@shared_task(name="tasks_app.rollup_build_job", soft_time_limit=1200, time_limit=1320)
def rollup_build_job(job_id: int) -> int | None:
    return rollup_job_run(job_id=job_id)


@shared_task(name="tasks_app.rollup_build_quarter_closed", soft_time_limit=1200, time_limit=1320)
def rollup_build_quarter_closed(today: str | None = None) -> int | None:
    """Beat: 06:00 on the first day of each quarter, for the quarter just closed."""
    day = dt.date.fromisoformat(today) if today else clock.today()
    return rollup_build_previous_quarter(today=day)


@shared_task(name="tasks_app.task_flag_changes", soft_time_limit=300, time_limit=360)
def task_flag_changes(today: str | None = None) -> int:
    """Beat: 00:05 Asia/Shanghai; tasks whose flag or overdue state changed overnight."""
    day = dt.date.fromisoformat(today) if today else clock.today()
    return task_flag_changes_record(today=day)


@shared_task(name="tasks_app.attachment_thumbnail", soft_time_limit=60, time_limit=90)
def attachment_thumbnail(attachment_id: int) -> str | None:
    """Decode an uploaded image once and store its thumbnail (services.attachment_images)."""
    from tasks_app.workflow.services.attachment_images import attachment_thumbnail_make

    return attachment_thumbnail_make(attachment_id=attachment_id)


@worker_ready.connect
def _sweep_on_worker_start(sender=None, **kwargs) -> None:
    # A restarted worker picks up what a killed one left behind, without waiting for beat.
    deliveries_sweep_task.delay()
