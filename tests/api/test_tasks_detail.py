"""GET /tasks/{id}/ (ETag, 304) and PATCH: fields by role, validation, If-Match, history."""

from __future__ import annotations

import datetime as dt

from tasks_app.models import HistoryEvent, Milestone, Task, TaskStatus
from tests.api.tasks_support import SHANGHAI, World, is_task_tag


def snapshot(task: Task) -> tuple:
    task.refresh_from_db()
    co = tuple(sorted(task.co_departments.values_list("pk", flat=True)))
    return (task.title, task.owner_id, task.due_date, task.status, task.progress, task.version, co)


def history_count(task: Task) -> int:
    return HistoryEvent.objects.filter(task=task).count()


# --- GET -----------------------------------------------------------------------------


DETAIL_BY_ROLE = {
    "supervisor": 200,
    "leader": 200,
    "lead_lead": 200,
    "lead_staff": 200,
    "co_lead": 200,
    "co_staff": 200,
    "other_lead": 404,
    "other_staff": 404,
}


def test_detail_by_role(world: World, validated_api) -> None:
    for who, status in DETAIL_BY_ROLE.items():
        response = validated_api(getattr(world, who)).get(world.url())
        assert response.status_code == status, who
        if status == 200:
            assert response.json()["id"] == world.task.pk
            assert is_task_tag(response["ETag"], world.task.pk, 1, "20250610")


def test_detail_names_what_the_caller_may_do(world: World, validated_api) -> None:
    lead = validated_api(world.lead_lead).get(world.url()).json()
    assert lead["allowed_actions"] == ["start"]
    assert "request_extension" in lead["capabilities"]
    staff = validated_api(world.lead_staff).get(world.url()).json()
    assert staff["allowed_actions"] == []
    # staff write drafts; the department's lead files reports
    assert "draft_report" in staff["capabilities"]
    assert "report_progress" not in staff["capabilities"]
    assert validated_api(world.leader).get(world.url()).json()["capabilities"] == ["view"]


def test_unknown_and_archived_tasks_are_404(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    assert client.get("/api/v1/tasks/999999/").status_code == 404
    Task.objects.filter(pk=world.task.pk).update(is_archived=True)
    assert client.get(world.url()).status_code == 404


def test_the_tag_changes_with_the_day_but_writes_compare_versions(
    world: World, validated_api, clock
) -> None:
    client = validated_api(world.lead_lead)
    yesterday = client.get(world.url())["ETag"]
    clock.move_to(dt.datetime(2025, 6, 11, 9, tzinfo=SHANGHAI))
    today = client.get(world.url(), HTTP_IF_NONE_MATCH=yesterday)
    assert today.status_code == 200  # flag and expected progress are of a new day
    assert is_task_tag(today["ETag"], world.task.pk, 1, "20250611")
    # Nobody wrote since: yesterday's tag is not stale for a write.
    ok = client.patch(world.url(), {"title": "新"}, format="json", HTTP_IF_MATCH=yesterday)
    assert ok.status_code == 200
    stale = client.patch(world.url(), {"title": "旧"}, format="json", HTTP_IF_MATCH=yesterday)
    assert stale.status_code == 412


def test_if_none_match_gives_304_until_something_changes(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    tag = client.get(world.url())["ETag"]
    not_modified = client.get(world.url(), HTTP_IF_NONE_MATCH=tag)
    assert not_modified.status_code == 304 and not not_modified.content
    client.post(world.url("transitions/"), {"action": "start"}, format="json")
    changed = client.get(world.url(), HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


# --- PATCH: who may write what ---------------------------------------------------------


def test_lead_assigns_an_owner_renames_and_sets_co_departments(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    before = history_count(world.task)
    body = {
        "owner": world.lead_staff.pk,
        "title": "新的任务简称",
        "co_departments": [world.co_dept.pk, world.other_dept.pk],
    }
    response = client.patch(world.url(), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["owner"]["id"] == world.lead_staff.pk and data["title"] == "新的任务简称"
    assert {d["id"] for d in data["co_departments"]} == {world.co_dept.pk, world.other_dept.pk}
    assert is_task_tag(response["ETag"], world.task.pk, 2, "20250610")
    events = HistoryEvent.objects.filter(task=world.task).order_by("-id")[:3]
    assert {e.field for e in events} == {"owner", "title", "co_departments"}
    assert all(e.actor == world.lead_lead and e.action == "update" for e in events)
    assert history_count(world.task) == before + 3
    # The other department now shares the task, so it sees it.
    assert validated_api(world.other_lead).get(world.url()).status_code == 200


def test_read_only_fields_are_400_naming_the_field(world: World, validated_api) -> None:
    before = snapshot(world.task)
    values = {
        "status": "completed",
        "flag": "green",
        "acknowledgement": "acknowledged",
        "progress": 100,
        "version": 9,
        "code": "X",
    }
    for field, value in values.items():
        response = validated_api(world.lead_lead).patch(
            world.url(), {"title": "x", field: value}, format="json"
        )
        assert response.status_code == 400, field
        assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(field, "read_only")]
    assert snapshot(world.task) == before


def test_unknown_field_is_400_naming_it(world: World, validated_api) -> None:
    before = snapshot(world.task)
    response = validated_api(world.supervisor).patch(world.url(), {"colour": "red"}, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["attr"], error["code"]) == ("non_field_errors", "unknown_field")
    assert "colour" in error["detail"]
    assert snapshot(world.task) == before


def test_a_lead_may_not_move_the_due_date(world: World, validated_api) -> None:
    before = snapshot(world.task)
    response = validated_api(world.lead_lead).patch(
        world.url(), {"due_date": "2025-11-30"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "due_date"
    assert snapshot(world.task) == before


def test_others_may_not_patch(world: World, validated_api) -> None:
    before = snapshot(world.task)
    expected = {
        "leader": 403,
        "lead_staff": 403,
        "co_lead": 403,
        "co_staff": 403,
        "other_lead": 404,
        "other_staff": 404,
    }
    for who, status in expected.items():
        response = validated_api(getattr(world, who)).patch(
            world.url(), {"title": "x"}, format="json"
        )
        assert response.status_code == status, who
    assert snapshot(world.task) == before


def test_supervisor_moves_the_due_date_and_the_original_stays(world: World, validated_api) -> None:
    response = validated_api(world.supervisor).patch(
        world.url(), {"due_date": "2025-11-15"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["due_date"] == "2025-11-15"
    assert response.json()["original_due_date"] == "2025-12-31"
    final = Milestone.objects.get(task=world.task, is_final=True)
    assert final.due_date == dt.date(2025, 11, 15)
    event = HistoryEvent.objects.filter(task=world.task, field="due_date").get()
    assert (event.from_value, event.to_value, event.actor) == (
        "2025-12-31",
        "2025-11-15",
        world.supervisor,
    )


def test_bad_values_are_400_naming_the_field(world: World, validated_api) -> None:
    cases = [
        ({"owner": world.other_lead.pk}, "owner"),  # not a member of the lead department
        ({"owner": 999999}, "owner"),
        ({"title": ""}, "title"),
        ({"co_departments": [world.lead_dept.pk]}, "co_departments"),
        ({"co_departments": [999999]}, "co_departments"),
        ({"due_date": "2026-01-15"}, "due_date"),  # outside the plan year
        ({"due_date": "2024-12-31"}, "due_date"),
        ({"due_date": "31/12/2025"}, "due_date"),
    ]
    before, events = snapshot(world.task), history_count(world.task)
    for body, field in cases:
        response = validated_api(world.supervisor).patch(world.url(), body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in {e["attr"].split(".")[0] for e in response.json()["errors"]}, body
    assert snapshot(world.task) == before and history_count(world.task) == events


def test_wrong_content_type_is_415_and_malformed_json_400(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    before = snapshot(world.task)
    text = client.patch(world.url(), data="title=x", content_type="text/plain")
    assert text.status_code == 415
    form = client.patch(
        world.url(), data="title=x", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415
    broken = client.patch(world.url(), data='{"title": ', content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["code"] == "parse_error"
    assert snapshot(world.task) == before


def test_closed_task_refuses_edits_with_409(world: World, validated_api) -> None:
    Task.objects.filter(pk=world.task.pk).update(status=TaskStatus.COMPLETED)
    response = validated_api(world.lead_lead).patch(world.url(), {"title": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "task_closed"


# --- PATCH: concurrency ----------------------------------------------------------------


def test_stale_if_match_is_412_and_nothing_changes(world: World, validated_api) -> None:
    lead, supervisor = validated_api(world.lead_lead), validated_api(world.supervisor)
    tag = lead.get(world.url())["ETag"]
    assert (
        supervisor.patch(
            world.url(), {"title": "督查室改的"}, format="json", HTTP_IF_MATCH=tag
        ).status_code
        == 200
    )
    before, events = snapshot(world.task), history_count(world.task)
    stale = lead.patch(world.url(), {"title": "负责人改的"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["code"] == "stale"
    assert snapshot(world.task) == before and history_count(world.task) == events
    fresh = lead.get(world.url())["ETag"]
    ok = lead.patch(world.url(), {"title": "负责人改的"}, format="json", HTTP_IF_MATCH=fresh)
    assert ok.status_code == 200 and ok.json()["title"] == "负责人改的"
