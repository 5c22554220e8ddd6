"""Task milestones (GET, POST, complete) and the append-only history, admin edits included."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.forms import model_to_dict
from django.test import RequestFactory

from tasks_app.admin import TaskAdmin
from tasks_app.models import HistoryEvent, Milestone, Task, User
from tasks_app.workflow.services.comments import comment_create
from tasks_app.workflow.services.milestones import milestone_create
from tests.api.tasks_support import World
from tests.openapi import assert_constant_queries


def add(client, world: World, **body):
    return client.post(world.url("milestones/"), body, format="json")


def test_reading_milestones(world: World, validated_api) -> None:
    for who in ("supervisor", "leader", "lead_staff", "co_staff"):
        rows = validated_api(getattr(world, who)).get(world.url("milestones/")).json()["results"]
        dates = [row["due_date"] for row in rows]
        assert dates == sorted(dates) and rows[-1]["is_final"], who
    assert validated_api(world.other_lead).get(world.url("milestones/")).status_code == 404


def test_who_may_add_a_checkpoint(world: World, validated_api) -> None:
    expected = {
        "supervisor": 201,
        "lead_lead": 201,
        "leader": 403,
        "lead_staff": 403,
        "co_lead": 403,
        "other_lead": 404,
    }
    for who, status in expected.items():
        response = add(
            validated_api(getattr(world, who)), world, title=f"{who}节点", due_date="2025-08-15"
        )
        assert response.status_code == status, (who, response.content)
    added = Milestone.objects.filter(task=world.task, title__endswith="节点")
    assert added.count() == 2 and not added.filter(is_final=True).exists()
    assert HistoryEvent.objects.filter(task=world.task, action="milestone_add").count() == 2
    world.task.refresh_from_db()
    assert world.task.version == 3


def test_checkpoint_dates_and_titles_are_checked(world: World, validated_api) -> None:
    Task.objects.filter(pk=world.task.pk).update(due_date=dt.date(2025, 11, 30))
    client = validated_api(world.lead_lead)
    count = Milestone.objects.count()
    for body, field in (
        ({"title": "节点", "due_date": "2026-02-01"}, "due_date"),  # outside the plan year
        ({"title": "节点", "due_date": "2025-12-15"}, "due_date"),  # after the task's deadline
        ({"title": "节点", "due_date": "2024-12-15"}, "due_date"),
        ({"due_date": "2025-08-01"}, "title"),
        ({"title": "节点", "due_date": "2025-08-01", "is_final": True}, "non_field_errors"),
    ):
        response = add(client, world, **body)
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["attr"] == field, body
    assert Milestone.objects.count() == count


def test_completing_a_checkpoint(world: World, validated_api) -> None:
    checkpoint = milestone_create(
        task=world.task, actor=world.lead_lead, title="方案印发", due_date=dt.date(2025, 7, 1)
    )
    url = world.url(f"milestones/{checkpoint.pk}/complete/")
    assert validated_api(world.lead_staff).post(url).status_code == 403
    assert validated_api(world.other_lead).post(url).status_code == 404
    done = validated_api(world.lead_lead).post(url)
    assert done.status_code == 200 and done.json()["completed_at"]
    assert validated_api(world.lead_lead).post(url).status_code == 409
    final = Milestone.objects.get(task=world.task, is_final=True)
    final_url = world.url(f"milestones/{final.pk}/complete/")
    assert validated_api(world.supervisor).post(final_url).status_code == 409
    foreign = Milestone.objects.exclude(task=world.task).first()
    foreign_url = world.url(f"milestones/{foreign.pk}/complete/")
    assert validated_api(world.supervisor).post(foreign_url).status_code == 404


def test_milestones_constant_queries(world: World, validated_api) -> None:
    for day in range(1, 13):
        milestone_create(
            task=world.task,
            actor=world.supervisor,
            title=f"节点{day}",
            due_date=dt.date(2025, 8, day),
        )
    assert_constant_queries(validated_api(world.co_lead), world.url("milestones/"))


def test_history_is_read_only_over_the_api(world: World, validated_api) -> None:
    comment_create(task=world.task, actor=world.lead_lead, body="意见")
    client = validated_api(world.supervisor)
    rows = client.get(world.url("history/")).json()["results"]
    assert [row["action"] for row in rows][-1] == "comment"
    assert rows[-1]["actor"]["id"] == world.lead_lead.pk
    count = HistoryEvent.objects.count()
    url = world.url("history/")
    assert client.post(url, {"action": "x"}, format="json").status_code == 405
    assert client.put(url, {"action": "x"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert HistoryEvent.objects.count() == count
    assert validated_api(world.other_staff).get(url).status_code == 404


def test_history_constant_queries(world: World, validated_api) -> None:
    for n in range(12):
        comment_create(task=world.task, actor=world.co_staff, body=f"意见{n}")
    assert_constant_queries(validated_api(world.leader), world.url("history/"))


def test_admin_edits_are_recorded_with_the_admin_as_actor(world: World) -> None:
    superuser = User.objects.create_superuser("root", "root@example.test", "x-Password-1")
    request = RequestFactory().post("/admin/")
    request.user = superuser
    task_admin = TaskAdmin(Task, admin.site)
    task = Task.objects.get(pk=world.task.pk)
    form_class = task_admin.get_form(request, task, change=True)
    data = model_to_dict(task, fields=list(form_class.base_fields))
    data["co_departments"] = [d.pk for d in data["co_departments"]]
    data.update(title="管理员改的标题", owner=world.lead_staff.pk)
    form = form_class(data, instance=task)
    assert form.is_valid(), form.errors
    obj = task_admin.save_form(request, form, change=True)
    task_admin.save_model(request, obj, form, change=True)
    task_admin.save_related(request, form, formsets=[], change=True)
    events = HistoryEvent.objects.filter(task=world.task, actor=superuser)
    assert {(e.action, e.field) for e in events} == {
        ("admin_update", "title"),
        ("admin_update", "owner"),
    }
    owner = events.get(field="owner")
    assert (owner.from_value, owner.to_value) == (None, world.lead_staff.pk)
    world.task.refresh_from_db()
    assert world.task.version == 2  # API clients holding the old ETag now get 412
