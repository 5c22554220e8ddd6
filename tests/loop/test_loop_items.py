"""Supervision items from other sources (会议议定事项, 领导批示, 重大项目, 其他): the
supervision office registers one; it is a task of the year's 督办事项台账 and goes through
the same procedure and endpoints as a plan's task (交办 → 签收 → 进展报告 → 申请销号 →
审核销号)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from plantracker import clock
from tasks_app.models import (
    HistoryEvent,
    Milestone,
    Notification,
    Plan,
    ReminderDispatch,
    Task,
)
from tasks_app.reminders.run import reminders_run
from tasks_app.supervision.instructions import instruction_create
from tasks_app.supervision.items import instruction_to_item
from tests.api.tasks_support import World
from tests.claims import EVIDENCE_PDF

ITEMS = "/api/v1/supervision/items/"


def meeting_item(world: World, **extra) -> dict:
    today = clock.today()
    return {
        "source": "meeting",
        "source_name": "区政府第12次常务会议",
        "source_date": today.isoformat(),
        "source_text": "会议议定：年底前完成老旧小区改造方案。",
        "title": "制定老旧小区改造方案",
        "text": "牵头制定老旧小区综合整治改造实施方案，报区政府审定。",
        "lead_department": world.lead_dept.pk,
        "co_departments": [world.co_dept.pk],
        "due_date": (today + dt.timedelta(days=90)).isoformat(),
        "milestones": [
            {"title": "形成初稿", "due_date": (today + dt.timedelta(days=30)).isoformat()}
        ],
        "evidence_requirement": "区政府审定的实施方案文件",
        **extra,
    }


def test_a_meeting_item_goes_through_the_same_procedure_as_a_plan_task(
    world: World, validated_api
) -> None:
    office = validated_api(world.supervisor)
    made = office.post(ITEMS, meeting_item(world), format="json")
    assert made.status_code == 201, made.json()
    item = made.json()
    assert item["source"] == "meeting" and item["source_name"] == "区政府第12次常务会议"
    assert item["evidence_requirement"] == "区政府审定的实施方案文件"
    assert item["acknowledgement"] == "pending" and item["code"].startswith("督-")
    task = Task.objects.get(pk=item["id"])
    assert task.plan.kind == "supervision_ledger" and task.plan.body_id == world.plan.body_id
    finals = Milestone.objects.filter(task=task).order_by("sequence")
    assert [(m.title, m.is_final) for m in finals] == [("形成初稿", False), ("办结", True)]
    assert finals.last().due_date == task.due_date
    assert Notification.objects.filter(
        recipient=world.lead_lead, kind="task_assigned", task=task
    ).exists()
    # a plan task's representation says where it comes from, too
    plan_task = office.get(f"/api/v1/tasks/{world.task.pk}/").json()
    assert (plan_task["source"], plan_task["source_name"]) == ("plan", None)
    # the item is listed with the ledger's tasks, to those who see it
    listed = office.get("/api/v1/tasks/", {"plan": task.plan_id}).json()["results"]
    assert [row["id"] for row in listed] == [task.pk]
    mine = validated_api(world.lead_lead).get("/api/v1/tasks/", {"plan": task.plan_id}).json()
    assert [row["id"] for row in mine["results"]] == [task.pk]
    plans = office.get("/api/v1/plans/").json()
    plans = plans["results"] if isinstance(plans, dict) else plans
    assert task.plan_id in [p["id"] for p in plans]
    other = validated_api(world.other_lead).get(f"/api/v1/tasks/{task.pk}/")
    assert other.status_code == 404

    url = f"/api/v1/tasks/{task.pk}/"
    lead = validated_api(world.lead_lead)
    assert lead.post(url + "acknowledge/", {}, format="json").status_code == 200
    assert lead.post(url + "transitions/", {"action": "start"}, format="json").status_code == 200
    uploader = APIClient()  # (the schema-checking client does not read multipart bodies)
    uploader.force_authenticate(world.lead_lead)
    pdf = SimpleUploadedFile("审定方案.pdf", EVIDENCE_PDF, content_type="application/pdf")
    evidence = uploader.post(url + "attachments/", {"file": pdf}, format="multipart")
    assert evidence.status_code == 201
    report = {"percent": 100, "narrative": "方案已审定", "attachments": [evidence.json()["id"]]}
    assert lead.post(url + "progress-reports/", report, format="json").status_code == 201
    claimed = lead.post(url + "transitions/", {"action": "submit"}, format="json")
    assert claimed.status_code == 200, claimed.json()
    done = office.post(url + "transitions/", {"action": "approve"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    actions = list(HistoryEvent.objects.filter(task=task).values_list("action", flat=True))
    steps = ["item_create", "assign", "acknowledge", "report", "submit", "approve"]
    assert [a for a in actions if a in steps] == steps


def test_an_item_not_acknowledged_in_time_climbs_the_ladder(
    world: World, validated_api, clock
) -> None:
    made = validated_api(world.supervisor).post(ITEMS, meeting_item(world), format="json")
    assert made.status_code == 201, made.json()  # Tuesday 10 June 2025
    key = f"acknowledgement:{made.json()['id']}:2025-06-10"
    clock.move_to(dt.datetime(2025, 6, 16, 1, tzinfo=dt.UTC))
    reminders_run(today=dt.date(2025, 6, 16))
    assert ReminderDispatch.objects.filter(item_key=key, recipient=world.lead_lead).exists()


def test_items_share_one_ledger_per_year_with_a_chapter_per_source(
    world: World, validated_api
) -> None:
    office = validated_api(world.supervisor)
    first = office.post(ITEMS, meeting_item(world), format="json").json()
    second = office.post(ITEMS, meeting_item(world, title="第二项"), format="json").json()
    project = office.post(
        ITEMS,
        meeting_item(world, source="major_project", source_name="", source_date=None),
        format="json",
    ).json()
    tasks = Task.objects.filter(pk__in=[first["id"], second["id"], project["id"]])
    assert len({t.plan_id for t in tasks}) == 1
    assert Plan.objects.filter(kind="supervision_ledger").count() == 1
    by_id = {t.pk: t for t in tasks}
    assert by_id[first["id"]].measure_id == by_id[second["id"]].measure_id  # one meeting
    assert by_id[project["id"]].chapter_id != by_id[first["id"]].chapter_id
    assert len({first["code"], second["code"], project["code"]}) == 3


def test_only_the_supervision_office_registers_items(world: World, validated_api) -> None:
    for user in (world.leader, world.lead_lead, world.lead_staff, world.other_lead):
        refused = validated_api(user).post(ITEMS, meeting_item(world), format="json")
        assert refused.status_code == 403, user
    assert not Task.objects.filter(plan__kind="supervision_ledger").exists()


def test_bad_input_is_a_400_naming_the_field(world: World, validated_api) -> None:
    office = validated_api(world.supervisor)
    past = (clock.today() - dt.timedelta(days=1)).isoformat()
    cases = {
        "source": {"source": "plan"},
        "source_date": {"source_date": None},
        "due_date": {"due_date": past},
        "title": {"title": "   "},
        "co_departments": {"co_departments": [world.lead_dept.pk]},
        "milestones": {"milestones": [{"title": "晚了", "due_date": "2099-01-01"}]},
    }
    for field, change in cases.items():
        answer = office.post(ITEMS, meeting_item(world, **change), format="json")
        assert answer.status_code == 400, (field, answer.json())
        assert answer.json()["errors"][0]["attr"].split(".")[0] == field, answer.json()
    instruction = office.post(
        ITEMS, meeting_item(world, source="instruction", source_text=""), format="json"
    )
    assert instruction.status_code == 400
    assert instruction.json()["errors"][0]["attr"] == "source_text"
    assert not Task.objects.filter(plan__kind="supervision_ledger").exists()


def test_a_leaders_instruction_becomes_an_item_of_its_own(world: World, validated_api) -> None:
    instruction = instruction_create(task=world.task, actor=world.leader, text="请专题研究推进")
    url = f"/api/v1/instructions/{instruction.pk}/item/"
    assert validated_api(world.lead_lead).post(url, {}, format="json").status_code == 403
    made = validated_api(world.supervisor).post(url, {}, format="json")
    assert made.status_code == 201, made.json()
    item = made.json()
    assert (item["source"], item["source_text"]) == ("instruction", "请专题研究推进")
    assert item["lead_department"]["id"] == world.task.lead_department_id
    assert world.task.code in item["text"] and item["acknowledgement"] == "pending"
    link = HistoryEvent.objects.get(task=world.task, action="item_from_instruction")
    assert link.to_value["task_id"] == item["id"]
    again = validated_api(world.supervisor).post(url, {}, format="json")
    assert again.status_code == 409
    assert Task.objects.filter(source="instruction").count() == 1


def test_instruction_to_item_service_refuses_non_supervisors(world: World) -> None:
    import pytest

    from plantracker.errors import PermissionDenied

    instruction = instruction_create(task=world.task, actor=world.leader, text="请加快")
    with pytest.raises(PermissionDenied):
        instruction_to_item(actor=world.leader, instruction=instruction)


def test_the_console_form_registers_meeting_and_instruction_items(world: World) -> None:
    client = Client()
    client.force_login(world.supervisor)
    page = client.get("/console/items/new/")
    assert page.status_code == 200 and 'id="item-form"' in page.content.decode()
    today = clock.today()
    base = {
        "title": "推进重点工作",
        "text": "按会议要求推进。",
        "lead_department": world.lead_dept.pk,
        "co_departments": [world.co_dept.pk],
        "due_date": (today + dt.timedelta(days=60)).isoformat(),
        "milestone_title": "阶段成果",
        "milestone_due_date": (today + dt.timedelta(days=20)).isoformat(),
        "evidence_requirement": "工作总结",
    }
    meeting = {
        **base,
        "source": "meeting",
        "source_name": "专题会议",
        "source_date": today.isoformat(),
    }
    done = client.post("/console/items/new/", meeting)
    assert done.status_code == 302, done.content.decode()[:2000]
    item = Task.objects.get(source="meeting")
    assert done["Location"] == f"/console/tasks/{item.pk}/?plan={item.plan_id}"
    shown = client.get(done["Location"]).content.decode()
    assert 'id="item-source"' in shown and "专题会议" in shown and "工作总结" in shown
    assert item.milestones.count() == 2 and item.acknowledgement == "pending"
    bad = client.post(
        "/console/items/new/", {**base, "source": "instruction", "source_name": "区长"}
    )
    assert bad.status_code == 400 and "source_text" in bad.content.decode()
    ok = client.post(
        "/console/items/new/",
        {**base, "source": "instruction", "source_name": "区长", "source_text": "抓紧落实"},
    )
    assert ok.status_code == 302
    board = client.get("/console/overdue/", {"plan": item.plan_id}).content.decode()
    assert '<strong id="total-unacknowledged">2</strong>' in board
    lead = Client()
    lead.force_login(world.lead_lead)
    assert lead.get("/console/items/new/").status_code == 403


def test_bad_milestones_are_named_on_the_list(validated_api, world) -> None:
    """make test's fuzz pass found `milestones.0.non_field_errors` in a 400, which no
    schema entry matches: item errors are named on `milestones` itself."""
    response = validated_api(world.supervisor).post(
        "/api/v1/supervision/items/",
        {
            "source": "meeting",
            "source_name": "区政府常务会议",
            "source_date": "2025-06-01",
            "title": "推进老旧小区改造",
            "text": "会议议定：年内完成改造方案。",
            "lead_department": world.lead_dept.pk,
            "due_date": "2025-11-30",
            "milestones": [{"title": "方案", "due_date": "2025-08-01", "x": 1}, {}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"milestones"}
