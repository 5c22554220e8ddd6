"""Extensions that can be granted: past the plan year up to the limit, milestones in
order; pending requests withdrawn with history when the task closes."""

from __future__ import annotations

import datetime as dt

import pytest

from plantracker.errors import Conflict, ValidationError
from tasks_app.models import ExtensionRequest, HistoryEvent, Milestone, Notification
from tasks_app.workflow.services.extensions import (
    extension_limit,
    extension_request_create,
    extension_request_decide,
)
from tasks_app.workflow.services.task_transition import task_transition
from tests.api.tasks_support import World

D = dt.date


def ask(world: World, new: dt.date, milestone: Milestone | None = None) -> ExtensionRequest:
    return extension_request_create(
        task=world.task,
        actor=world.lead_lead,
        new_due_date=new,
        reason="征地手续未完成",
        milestone_id=milestone.pk if milestone else None,
    )


def test_past_the_year_up_to_the_limit(world: World, settings) -> None:
    assert extension_limit(world.task) == D(2026, 3, 31)
    with pytest.raises(ValidationError) as refused:
        ask(world, D(2026, 4, 1))
    assert "2026-03-31" in str(refused.value.detail["new_due_date"][0])
    request = ask(world, D(2026, 3, 31))
    extension_request_decide(extension_request=request, actor=world.supervisor, approve=True)
    world.task.refresh_from_db()
    assert world.task.due_date == D(2026, 3, 31)
    assert Milestone.objects.get(task=world.task, is_final=True).due_date == D(2026, 3, 31)
    settings.PLANTRACKER = {**settings.PLANTRACKER, "EXTENSION_MAX_QUARTERS_PAST_YEAR": 2}
    assert extension_limit(world.task) == D(2026, 6, 30)


def test_a_milestone_cannot_overtake_the_next_one(world: World) -> None:
    first, second = Milestone.objects.filter(task=world.task, is_final=False).order_by("due_date")[
        :2
    ]
    with pytest.raises(ValidationError) as refused:
        ask(world, second.due_date + dt.timedelta(days=1), milestone=first)
    assert second.due_date.isoformat() in str(refused.value.detail["new_due_date"][0])
    with pytest.raises(ValidationError):
        ask(world, world.task.due_date + dt.timedelta(days=1), milestone=first)
    assert ask(world, second.due_date, milestone=first).status == ExtensionRequest.Status.PENDING


def test_pending_requests_are_withdrawn_with_history_when_the_task_closes(world: World) -> None:
    request = ask(world, D(2026, 2, 27))
    task_transition(task=world.task, actor=world.supervisor, action="cancel", reason="政策调整")
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.WITHDRAWN
    event = HistoryEvent.objects.get(task=world.task, action="extension_withdraw")
    assert event.to_value == {"extension_request": request.pk, "status": "withdrawn"}
    assert Notification.objects.filter(
        recipient=world.lead_lead, kind="extension_withdrawn"
    ).exists()
    with pytest.raises(Conflict):
        extension_request_decide(extension_request=request, actor=world.supervisor, approve=True)
