"""The task serializers render directly (render_task); DRF's generic walk is the reference.

For every task of the imported 2025 plan, made varied (owners, co-departments, actual values
of key results, a completed task, nulls), the direct rendering of TaskSerializer,
TaskDetailSerializer and OverdueItemSerializer equals what DRF's field-by-field
`Serializer.to_representation` produces from the same declared fields.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from tasks_app.api.tasks_serializers import (
    SCREEN_FIELDS,
    OverdueItemSerializer,
    TaskDetailSerializer,
    TaskSerializer,
)
from tasks_app.models import KeyResult, Task, TaskStatus
from tasks_app.workflow.selectors import overdue_items, tasks_for_api
from tests.api.tasks_support import World


def _json(data: dict) -> dict:
    return json.loads(JSONRenderer().render(data))


def _json_rows(rows: list[dict]) -> list[dict]:
    return [_json(row) for row in rows]


def _generic(serializer: serializers.Serializer, task: Task) -> dict:
    """DRF's own rendering: every declared field's get_attribute + to_representation."""
    return _json(serializers.ModelSerializer.to_representation(serializer, task))


def _direct(serializer: serializers.Serializer, task: Task) -> dict:
    data = serializer.to_representation(task)
    assert list(data) == list(serializer.fields), "fields in the declared order"
    return _json(data)


def _vary(world: World) -> None:
    """Give the plan the shapes a rendering can get wrong."""
    tasks = list(Task.objects.filter(plan=world.plan).order_by("pk"))
    Task.objects.filter(pk=tasks[0].pk).update(owner=world.lead_lead, progress=37)
    Task.objects.filter(pk=tasks[1].pk).update(
        status=TaskStatus.COMPLETED, progress=100, completed_at=timezone.now()
    )
    Task.objects.filter(pk=tasks[2].pk).update(original_due_date=dt.date(2025, 3, 31))
    KeyResult.objects.filter(task__plan=world.plan).update(actual_value=Decimal("12.34567"))
    first = KeyResult.objects.filter(task__plan=world.plan).order_by("pk").first()
    KeyResult.objects.filter(pk=first.pk).update(actual_value=None, value=Decimal("19000"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.slow
def test_direct_rendering_equals_drf_generic_rendering(world: World, language: str) -> None:
    _vary(world)
    today = timezone.localdate()
    request = APIRequestFactory().get("/api/v1/tasks/", HTTP_ACCEPT_LANGUAGE=language)
    request.user = world.supervisor
    context = {"request": request, "today": today}

    tasks = list(tasks_for_api(user=world.supervisor, today=today).order_by("pk"))
    assert len(tasks) == Task.objects.filter(is_archived=False).count() > 50
    for serializer_class in (TaskSerializer, TaskDetailSerializer):
        serializer = serializer_class(context=context)
        for task in tasks:
            assert _direct(serializer, task) == _generic(serializer, task), task.code

    overdue = list(overdue_items(user=world.supervisor, today=today))
    assert overdue, "the pinned day has overdue tasks"
    serializer = OverdueItemSerializer(context=context)
    for task in overdue:
        assert _direct(serializer, task) == _generic(serializer, task), task.code

    # The shapes above did occur (so the comparisons covered them).
    rendered = [TaskSerializer(t).data for t in tasks]
    assert any(r["owner"] is not None for r in rendered)
    assert any(r["owner"] is None for r in rendered)
    assert any(r["co_departments"] for r in rendered)
    assert any(kr["actual"] is None for r in rendered for kr in r["key_results"])
    assert any(kr["actual"] == 12.3457 for r in _json_rows(rendered) for kr in r["key_results"])
    assert any(r["status"] == TaskStatus.COMPLETED for r in rendered)
    assert any(r["original_due_date"] == "2025-03-31" for r in rendered)
    assert all(r["updated_at"].endswith("+08:00") for r in rendered)


def test_list_and_detail_render_the_same_task_alike(world: World, validated_api) -> None:
    listed = validated_api(world.supervisor).get(
        "/api/v1/tasks/", {"page_size": 200, "ordering": "code"}
    )
    assert listed.status_code == 200
    row = next(r for r in listed.json()["results"] if r["id"] == world.task.pk)
    detail = validated_api(world.supervisor).get(world.url()).json()
    assert {k: detail[k] for k in row} == row
    assert set(detail) - set(row) == {
        "completed_at",
        "created_at",
        "allowed_actions",
        "capabilities",
        "carried_from",
        "carried_to",
        *SCREEN_FIELDS,
    }


def test_notification_rendering_equals_drf_generic_rendering(world: World) -> None:
    from tasks_app.api.inbox_views import NotificationSerializer
    from tasks_app.models import Notification

    now = timezone.now()
    rows = [
        Notification(
            recipient=world.lead_lead,
            kind="reminder_digest",
            title="提醒",
            body="正文",
            payload={"level": 2, "tasks": [world.task.pk], "note": "中文"},
            task=world.task,
        ),
        Notification(recipient=world.lead_lead, kind="urge", title="督办", body="", payload={}),
    ]
    Notification.objects.bulk_create(rows)
    Notification.objects.filter(pk=rows[1].pk).update(read_at=now)
    serializer = NotificationSerializer()
    notifications = list(Notification.objects.filter(recipient=world.lead_lead).order_by("pk"))
    assert len(notifications) >= 2
    for notification in notifications:
        assert _direct(serializer, notification) == _generic(serializer, notification)
    rendered = [serializer.to_representation(n) for n in notifications]
    assert {r["is_read"] for r in rendered} == {True, False}
    assert any(r["task"] is None for r in rendered)


def test_the_per_day_queryset_is_never_evaluated_in_place(world: World) -> None:
    """Evaluating one task read (as a supervisor, unfiltered) must not leave rows behind
    for a later read: nothing but SQL text is shared between calls."""
    today = timezone.localdate()
    first = list(tasks_for_api(user=world.supervisor, today=today))
    Task.objects.filter(pk=world.task.pk).update(title="改过的标题")
    again = {t.pk: t.title for t in tasks_for_api(user=world.supervisor, today=today)}
    assert len(first) == len(again)
    assert again[world.task.pk] == "改过的标题"
