"""A completion claim (申请销号) needs progress 100 and evidence, or a stated reason."""

from __future__ import annotations

from tasks_app.models import HistoryEvent, TaskStatus
from tasks_app.workflow.services.progress_reports import progress_report_create
from tasks_app.workflow.services.task_transition import task_transition
from tests.api.tasks_support import World
from tests.claims import claim_ready


def submit(validated_api, world: World, **body):
    return validated_api(world.lead_lead).post(
        world.url("transitions/"), {"action": "submit", **body}, format="json"
    )


def started(world: World) -> None:
    task_transition(task=world.task, actor=world.lead_lead, action="start")


def test_a_claim_below_100_names_progress(world: World, validated_api) -> None:
    started(world)
    progress_report_create(
        task=world.task, actor=world.lead_lead, percent=60, narrative="x", red_reason="r"
    )
    refused = submit(validated_api, world, no_evidence_reason="无")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "progress"
    world.task.refresh_from_db()
    assert world.task.status == TaskStatus.IN_PROGRESS


def test_a_claim_without_evidence_names_evidence(world: World, validated_api) -> None:
    started(world)
    progress_report_create(
        task=world.task, actor=world.lead_lead, percent=100, narrative="x", red_reason="r"
    )
    refused = submit(validated_api, world)
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "evidence"
    ok = submit(validated_api, world, no_evidence_reason="会议类任务，无书面材料")
    assert ok.status_code == 200 and ok.json()["status"] == TaskStatus.PENDING_REVIEW
    kept = HistoryEvent.objects.get(task=world.task, action="claim_no_evidence")
    assert kept.reason == "会议类任务，无书面材料"


def test_a_claim_with_evidence_passes(world: World, validated_api, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    started(world)
    claim_ready(world.task, world.lead_lead)
    assert submit(validated_api, world).status_code == 200
    assert not HistoryEvent.objects.filter(task=world.task, action="claim_no_evidence").exists()


def test_the_rule_can_be_turned_off(world: World, validated_api, settings) -> None:
    settings.PLANTRACKER = {**settings.PLANTRACKER, "COMPLETION_REQUIRES_EVIDENCE": False}
    started(world)
    assert submit(validated_api, world).status_code == 200
