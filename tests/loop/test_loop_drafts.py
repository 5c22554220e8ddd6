"""Report drafts: staff write them, only their department sees them, the lead submits
them (edited or not), and only the submission counts."""

from __future__ import annotations

from tasks_app.models import HistoryEvent, ProgressReport, ReportDraft, Task
from tests.api.tasks_support import World

DRAFTS = "progress-reports/drafts/"


def draft(validated_api, world: World, user=None, **body):
    payload = {"percent": 60, "narrative": "完成主体施工60%", "red_reason": "雨季", **body}
    return validated_api(user or world.lead_staff).post(world.url(DRAFTS), payload, format="json")


def test_staff_report_is_a_draft_that_moves_nothing(world: World, validated_api) -> None:
    direct = validated_api(world.lead_staff).post(
        world.url("progress-reports/"), {"percent": 60, "narrative": "x"}, format="json"
    )
    assert direct.status_code == 403 and "草稿" in direct.json()["errors"][0]["detail"]
    before = Task.objects.get(pk=world.task.pk)
    created = draft(validated_api, world)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["report"], body["author"]["id"]) == (
        "draft",
        None,
        world.lead_staff.pk,
    )
    after = Task.objects.get(pk=world.task.pk)
    assert (after.progress, after.version) == (before.progress, before.version)
    assert not ProgressReport.objects.filter(task=world.task).exists()
    seen = validated_api(world.supervisor).get(world.url()).json()
    assert seen["progress"] == before.progress
    assert (
        validated_api(world.supervisor).get(world.url("progress-reports/")).json()["results"] == []
    )


def test_only_the_department_sees_its_drafts(world: World, validated_api) -> None:
    draft(validated_api, world)
    draft(validated_api, world, user=world.co_staff, percent=30, narrative="配合部分")
    seen = {
        who: [d["percent"] for d in validated_api(user).get(world.url(DRAFTS)).json()]
        for who, user in world.everyone.items()
        if who not in ("other_lead", "other_staff")
    }
    assert seen == {
        "supervisor": [],
        "leader": [],
        "lead_lead": [60],
        "lead_staff": [60],
        "co_lead": [30],
        "co_staff": [30],
    }
    assert validated_api(world.other_lead).get(world.url(DRAFTS)).status_code == 404


def test_the_lead_submits_an_edited_draft_and_both_are_kept(world: World, validated_api) -> None:
    did = draft(validated_api, world).json()["id"]
    submit = world.url(f"{DRAFTS}{did}/submit/")
    assert validated_api(world.lead_staff).post(submit, {}, format="json").status_code == 403
    assert validated_api(world.co_lead).post(submit, {}, format="json").status_code == 404
    filed = validated_api(world.lead_lead).post(submit, {"percent": 40}, format="json")
    assert filed.status_code == 201, filed.json()
    report = filed.json()
    assert (report["percent"], report["narrative"]) == (40, "完成主体施工60%")
    assert report["author"]["id"] == world.lead_lead.pk
    assert report["drafted_by"]["id"] == world.lead_staff.pk
    world.task.refresh_from_db()
    assert world.task.progress == 40
    kept = ReportDraft.objects.get(pk=did)
    assert (kept.percent, kept.status, kept.report_id) == (60, "submitted", report["id"])
    assert kept.submitted_by == world.lead_lead
    event = HistoryEvent.objects.get(task=world.task, action="report_draft_submit")
    assert event.actor == world.lead_lead
    assert event.from_value["drafted_by"] == world.lead_staff.username
    assert event.to_value["edited"] == ["percent"]
    again = validated_api(world.lead_lead).post(submit, {}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "draft_submitted"
    history = validated_api(world.supervisor).get(world.url("history/")).json()["results"]
    assert "report_draft_submit" in {e["action"] for e in history}


def test_a_co_department_draft_is_filed_as_its_part(world: World, validated_api) -> None:
    did = draft(validated_api, world, user=world.co_staff, percent=30).json()["id"]
    filed = validated_api(world.co_lead).post(
        world.url(f"{DRAFTS}{did}/submit/"), {}, format="json"
    )
    assert filed.status_code == 201 and filed.json()["moves_task"] is False


def test_bad_draft_input_names_the_field(world: World, validated_api) -> None:
    bad = draft(validated_api, world, percent=150)
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "percent"
    assert draft(validated_api, world, user=world.supervisor).status_code == 403
    assert not ReportDraft.objects.exists()
