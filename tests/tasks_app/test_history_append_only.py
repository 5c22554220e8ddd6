"""The history table refuses UPDATE and DELETE in the database itself, not just in the API."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tasks_app.models import HistoryEvent, Plan, Task

pytestmark = pytest.mark.django_db


def _event(plan: Plan) -> HistoryEvent:
    task = Task.objects.filter(plan=plan).first()
    return HistoryEvent.objects.create(task=task, action="comment", reason="evidence")


def test_history_rows_can_be_appended(plan: Plan) -> None:
    event = _event(plan)
    assert HistoryEvent.objects.filter(pk=event.pk, reason="evidence").exists()


def test_orm_update_is_refused(plan: Plan) -> None:
    event = _event(plan)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HistoryEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.reason = "rewritten"
        event.save()
    event.refresh_from_db()
    assert event.reason == "evidence"


def test_orm_and_raw_delete_are_refused(plan: Plan) -> None:
    event = _event(plan)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HistoryEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tasks_app_historyevent WHERE id = %s", [event.pk])
    assert HistoryEvent.objects.filter(pk=event.pk).exists()


def test_runs_on_postgresql(on_postgres: bool) -> None:
    """The suite's claim is about PostgreSQL; make sure that is what ran."""
    assert on_postgres
