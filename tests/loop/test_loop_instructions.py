"""领导批示: a leader writes on a task, the department's leads and the office hear of it,
the lead department answers once; unanswered past the deadline, it is chased."""

from __future__ import annotations

import datetime as dt

from tasks_app.models import HistoryEvent, Notification, ReminderDispatch
from tasks_app.reminders.run import reminders_run
from tests.api.tasks_support import World

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def write(api, world: World, text: str = "请加快推进，月底前报进展"):
    return api(world.leader).post(world.url("instructions/"), {"text": text}, format="json")


def test_only_a_leader_writes_and_the_department_and_office_hear(world: World, api) -> None:
    assert api(world.supervisor).post(world.url("instructions/"), {"text": "x"}).status_code == 403
    created = write(api, world, "第二条批示")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["respond_by"] == "2025-06-17" and body["author"]["username"] == "leader"
    for user in (world.lead_lead, world.supervisor):
        assert Notification.objects.filter(recipient=user, kind="leader_instruction").exists()
    assert not Notification.objects.filter(recipient=world.co_lead).exists()
    en = api(world.lead_lead).get("/api/v1/notifications/", **EN).json()["results"][0]
    assert en["title"].startswith("Leader instruction:") and "第二条批示" in en["body"]
    timeline = api(world.lead_lead).get(world.url("history/")).json()["results"]
    assert any(event["action"] == "leader_instruction" for event in timeline)


def test_the_lead_department_answers_once(world: World, api) -> None:
    pk = write(api, world).json()["id"]
    url = f"/api/v1/instructions/{pk}/response/"
    assert api(world.co_lead).post(url, {"text": "配合"}, format="json").status_code == 403
    answered = api(world.lead_staff).post(url, {"text": "已部署落实"}, format="json")
    assert answered.status_code == 200 and answered.json()["response"] == "已部署落实"
    assert api(world.lead_lead).post(url, {"text": "再答"}, format="json").status_code == 409
    assert Notification.objects.filter(recipient=world.leader, kind="instruction_answered").exists()
    assert HistoryEvent.objects.filter(task=world.task, action="instruction_response").exists()


def test_an_unanswered_instruction_is_chased(world: World, api, clock) -> None:
    pk = write(api, world).json()["id"]
    clock.move_to(dt.datetime(2025, 6, 18, 1, tzinfo=dt.UTC))
    reminders_run(today=dt.date(2025, 6, 18))
    chased = ReminderDispatch.objects.filter(item_key=f"leader_instruction:{pk}:")
    assert chased.filter(recipient=world.lead_lead, level="overdue").exists()
