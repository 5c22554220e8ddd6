"""Progress reports: who may file, what a report moves, validation, cadence, idempotency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tasks_app.models import (
    Attachment,
    HistoryEvent,
    KeyResult,
    Milestone,
    ProgressReport,
    Task,
    TaskStatus,
)
from tests.api.tasks_support import PINNED, SHANGHAI, World
from tests.openapi import assert_constant_queries


def report(client, world: World, task: Task | None = None, headers: dict | None = None, **body):
    body.setdefault("narrative", "按计划推进")
    return client.post(world.url("progress-reports/", task), body, format="json", **(headers or {}))


def written(task: Task) -> tuple:
    task.refresh_from_db()
    actuals = tuple(KeyResult.objects.filter(task=task).values_list("actual_value", flat=True))
    return (
        task.progress,
        task.version,
        actuals,
        ProgressReport.objects.filter(task=task).count(),
        HistoryEvent.objects.filter(task=task).count(),
    )


def key_result_task(world: World) -> Task:
    """A task of the lead department with a key result (made so if the plan has none)."""
    task = Task.objects.filter(lead_department=world.lead_dept, key_results__isnull=False).first()
    if task is None:
        task = world.task
        KeyResult.objects.create(task=task, order=1, value=Decimal(19000), unit="亩", label="农田")
    return task


def test_lead_report_moves_progress_and_key_results(world: World, validated_api) -> None:
    task = key_result_task(world)
    kr = task.key_results.order_by("order").first()
    response = report(
        validated_api(world.lead_lead),
        world,
        task,
        percent=60,
        key_result_values=[{"key_result": kr.pk, "value": 12000.5}],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["percent"], body["moves_task"], body["period"]) == (60, True, "2025-06")
    assert body["key_result_values"] == [{"key_result": kr.pk, "value": 12000.5}]
    assert body["department"]["id"] == world.lead_dept.pk
    task.refresh_from_db()
    kr.refresh_from_db()
    assert task.progress == 60 and task.version == 2
    assert kr.actual_value == Decimal("12000.5") and kr.actual_reported_at is not None
    detail = validated_api(world.lead_lead).get(world.url(task=task)).json()
    assert {"id": kr.pk, "actual": 12000.5}.items() <= next(
        k for k in detail["key_results"] if k["id"] == kr.pk
    ).items()
    events = HistoryEvent.objects.filter(task=task, action="report").values_list("field", flat=True)
    assert set(events) == {"progress", f"key_result:{kr.pk}"}


def test_co_department_reports_its_part_without_moving_the_task(
    world: World, validated_api
) -> None:
    before_progress = world.task.progress
    response = report(validated_api(world.co_lead), world, percent=80, red_reason="配合部分")
    assert response.status_code == 201, response.content
    assert response.json()["moves_task"] is False
    assert response.json()["department"]["id"] == world.co_dept.pk
    world.task.refresh_from_db()
    assert (world.task.progress, world.task.version) == (before_progress, 1)
    assert HistoryEvent.objects.filter(task=world.task, action="report_part").count() == 1


def test_who_may_report(world: World, validated_api) -> None:
    expected = {
        "supervisor": 403,
        "leader": 403,
        "lead_lead": 201,
        "lead_staff": 403,  # staff write drafts (tests/loop/test_loop_drafts.py)
        "co_lead": 201,
        "co_staff": 403,
        "other_lead": 404,
        "other_staff": 404,
    }
    for who, status in expected.items():
        response = report(validated_api(getattr(world, who)), world, percent=50)
        assert response.status_code == status, (who, response.content)
    assert ProgressReport.objects.filter(task=world.task).count() == 2


def test_reading_reports(world: World, validated_api) -> None:
    report(validated_api(world.lead_lead), world, percent=50)
    for who in ("supervisor", "leader", "lead_staff", "co_lead"):
        rows = validated_api(getattr(world, who)).get(world.url("progress-reports/")).json()
        assert [r["percent"] for r in rows["results"]] == [50], who
    assert validated_api(world.other_staff).get(world.url("progress-reports/")).status_code == 404


def test_bad_input_is_400_naming_the_field_and_writes_nothing(world: World, validated_api) -> None:
    other_task_kr = KeyResult.objects.exclude(task=world.task).first()
    foreign_attachment = Attachment.objects.create(
        task=Task.objects.exclude(pk=world.task.pk).first(),
        uploaded_by=world.supervisor,
        file="evidence/x.png",
        original_name="x.png",
        content_type="image/png",
        size=1,
        sha256="0",
    )
    cases = [
        ({"percent": 150}, "percent"),
        ({"percent": -1}, "percent"),
        ({"percent": "half"}, "percent"),
        ({"percent": 50, "narrative": ""}, "narrative"),
        (
            {"percent": 50, "key_result_values": [{"key_result": other_task_kr.pk, "value": 1}]},
            "key_result_values",
        ),
        ({"percent": 50, "attachments": [foreign_attachment.pk]}, "attachments"),
        ({"percent": 50, "attachments": ["x"]}, "attachments"),
        (
            {"percent": 50, "key_result_values": [{"key_result": "a", "value": 1}]},
            "key_result_values",
        ),
        (
            {"percent": 50, "key_result_values": [{"key_result": 1, "value": -5}]},
            "key_result_values",
        ),
        ({"percent": 50, "key_result_values": "many"}, "key_result_values"),
        ({"percent": 50, "period": "2025-13"}, "period"),
        ({"percent": 50, "period": "2025-08"}, "period"),  # a future month
        ({"percent": 50, "progress": 90}, "non_field_errors"),
    ]
    client = validated_api(world.lead_lead)
    before = written(world.task)
    for body, field in cases:
        response = report(client, world, **body)
        assert response.status_code == 400, (body, response.content)
        assert field in {e["attr"] for e in response.json()["errors"]}, (body, response.json())
    assert written(world.task) == before


def test_malformed_json_and_wrong_content_type(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    before = written(world.task)
    url = world.url("progress-reports/")
    broken = client.post(url, data='{"percent": 5', content_type="application/json")
    assert broken.status_code == 400 and broken.json()["errors"][0]["code"] == "parse_error"
    assert client.post(url, data="percent=5", content_type="text/plain").status_code == 415
    assert written(world.task) == before


def test_a_report_that_leaves_the_task_red_needs_a_reason(world: World, validated_api) -> None:
    # 2025-06-10: 160 of 364 days → 43 % expected; 10 % is 33 points behind → red.
    client = validated_api(world.lead_lead)
    before = written(world.task)
    response = report(client, world, percent=10)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "red_reason"
    assert written(world.task) == before
    ok = report(client, world, percent=10, red_reason="资金未到位")
    assert ok.status_code == 201 and ok.json()["red_reason"] == "资金未到位"
    assert report(client, world, percent=45).status_code == 201  # no longer red: no reason


def test_evidence_is_linked_to_the_report(world: World, validated_api, tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path
    attachment = Attachment.objects.create(
        task=world.task,
        uploaded_by=world.lead_staff,
        file="evidence/p.png",
        original_name="p.png",
        content_type="image/png",
        size=1,
        sha256="0",
    )
    client = validated_api(world.lead_lead)
    response = report(client, world, percent=50, attachments=[attachment.pk])
    assert response.status_code == 201
    assert response.json()["attachments"] == [attachment.pk]
    again = report(client, world, percent=55, attachments=[attachment.pk])
    assert again.status_code == 400  # already part of a report


def test_reporting_period_and_cadence_status(world: World, validated_api, clock) -> None:
    client = validated_api(world.lead_lead)
    # Checkpoints met, so the reports below do not leave the task red.
    Milestone.objects.filter(task=world.task, is_final=False).update(completed_at=PINNED)
    clock.move_to(dt.datetime(2025, 7, 3, 10, tzinfo=SHANGHAI))
    assert report(client, world, percent=50).json()["period"] == "2025-06"  # grace window
    assert report(client, world, percent=52).json()["period"] == "2025-07"  # June is in
    explicit = report(client, world, percent=53, period="2025-05")
    assert explicit.json()["period"] == "2025-05"
    clock.move_to(dt.datetime(2025, 7, 10, 10, tzinfo=SHANGHAI))
    row = client.get(world.url()).json()
    assert (row["report_period"], row["report_status"]) == ("2025-06", "in")
    clock.move_to(dt.datetime(2025, 6, 10, 10, tzinfo=SHANGHAI))
    row = client.get(world.url()).json()
    assert (row["report_period"], row["report_status"]) == ("2025-05", "late")


def test_closed_task_refuses_reports(world: World, validated_api) -> None:
    Task.objects.filter(pk=world.task.pk).update(status=TaskStatus.COMPLETED)
    response = report(validated_api(world.lead_lead), world, percent=100)
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "task_closed"


def test_replayed_idempotency_key_returns_the_same_report(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    headers = {"HTTP_IDEMPOTENCY_KEY": "report-7f3a"}
    first = report(client, world, percent=50, headers=headers)
    again = report(client, world, percent=50, headers=headers)
    assert first.status_code == again.status_code == 201, (first.content, again.content)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ProgressReport.objects.filter(task=world.task).count() == 1
    world.task.refresh_from_db()
    assert world.task.version == 2  # applied once


def test_constant_queries(world: World, validated_api) -> None:
    task = key_result_task(world)
    kr = task.key_results.first()
    for percent in range(40, 52):
        report(
            validated_api(world.lead_lead),
            world,
            task,
            percent=percent,
            key_result_values=[{"key_result": kr.pk, "value": percent}],
        )
    assert_constant_queries(
        validated_api(world.co_lead if task == world.task else world.supervisor),
        world.url("progress-reports/", task),
    )
