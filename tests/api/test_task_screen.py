"""GET /tasks/{id}/ embeds the task screen: milestones, the latest report with its files,
the pending extension request, the last return reason, open 督办单 and recent attachments;
in a constant number of queries, with an ETag that follows what is embedded."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tasks_app.api.tasks_serializers import SCREEN_FIELDS, TASK_FIELDS
from tasks_app.models import Milestone, Task
from tasks_app.supervision.notices import notice_answer
from tasks_app.supervision.urge import task_urge
from tasks_app.workflow.services.attachments import attachment_create
from tasks_app.workflow.services.extensions import extension_request_create
from tasks_app.workflow.services.progress_reports import progress_report_create
from tasks_app.workflow.services.task_transition import task_transition
from tests.api.tasks_support import World
from tests.openapi import queries_for


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def photo(world: World, user=None, name: str = "现场.png"):
    upload = SimpleUploadedFile(name, png(), content_type="application/octet-stream")
    return attachment_create(task=world.task, actor=user or world.lead_staff, upload=upload)


def a_busy_day(world: World) -> dict:
    """A report with a photo, an extension request, a returned claim and a 督办单."""
    task = world.task
    Task.objects.filter(pk=task.pk).update(due_date=dt.date(2025, 10, 31))
    Milestone.objects.filter(task=task, is_final=True).update(due_date=dt.date(2025, 10, 31))
    picture = photo(world)
    report = progress_report_create(
        task=task,
        actor=world.lead_lead,
        percent=100,
        narrative="完成选址",
        attachment_ids=[picture.pk],
    )
    extension = extension_request_create(
        task=task, actor=world.lead_lead, new_due_date=dt.date(2025, 12, 15), reason="审批延后"
    )
    task_transition(task=task, actor=world.lead_lead, action="start")
    task_transition(task=task, actor=world.lead_lead, action="submit")
    task_transition(task=task, actor=world.supervisor, action="return", reason="佐证材料不全")
    notice = task_urge(task=task, actor=world.supervisor, comment="请说明进度", notice=True)
    return {"photo": picture, "report": report, "extension": extension, "notice": notice}


def test_a_quiet_task_embeds_empty_values_and_keeps_the_contract_fields(
    world: World, validated_api
) -> None:
    body = validated_api(world.co_staff).get(world.url()).json()
    assert list(body)[: len(TASK_FIELDS)] == TASK_FIELDS
    assert list(body)[-len(SCREEN_FIELDS) :] == SCREEN_FIELDS
    assert body["milestones"], "every task has at least its final milestone"
    assert body["milestones"][-1]["is_final"] is True
    dates = [m["due_date"] for m in body["milestones"]]
    assert dates == sorted(dates)
    assert body["latest_report"] is None
    assert body["open_extension_request"] is None
    assert body["last_return"] is None
    assert body["open_notices"] == [] and body["recent_attachments"] == []


def test_a_busy_task_in_one_call(world: World, validated_api) -> None:
    made = a_busy_day(world)
    body = validated_api(world.co_staff).get(world.url()).json()

    report = body["latest_report"]
    assert (report["id"], report["percent"], report["narrative"]) == (
        made["report"].pk,
        100,
        "完成选址",
    )
    assert report["attachments"] == [made["photo"].pk]
    (file,) = report["attachment_files"]
    assert file["id"] == made["photo"].pk and file["original_name"] == "现场.png"
    fetched = Client().get(re.sub(r"^https?://[^/]+", "", file["thumbnail_url"]))
    assert fetched.status_code == 200 and fetched["Content-Type"] == "image/png"

    extension = body["open_extension_request"]
    assert (extension["id"], extension["new_due_date"]) == (made["extension"].pk, "2025-12-15")
    assert extension["requested_by"]["id"] == world.lead_lead.pk
    assert body["last_return"]["reason"] == "佐证材料不全"
    assert body["last_return"]["actor"]["id"] == world.supervisor.pk
    assert [n["id"] for n in body["open_notices"]] == [made["notice"].pk]
    assert body["open_notices"][0]["status"] == "open"
    assert [a["id"] for a in body["recent_attachments"]] == [made["photo"].pk]

    # an answered notice is still open (awaiting review); the report list embeds files too
    notice_answer(notice=made["notice"], actor=world.lead_lead, text="已推进")
    body = validated_api(world.co_staff).get(world.url()).json()
    assert body["open_notices"][0]["status"] == "answered"
    listed = validated_api(world.co_staff).get(world.url("progress-reports/")).json()
    assert listed["results"][0]["attachment_files"][0]["id"] == made["photo"].pk


def test_the_detail_costs_the_same_queries_however_busy(world: World, validated_api) -> None:
    quiet, _ = queries_for(validated_api(world.lead_lead), world.url())
    a_busy_day(world)
    for n in range(8):
        picture = photo(world, name=f"{n}.png")
        progress_report_create(
            task=world.task,
            actor=world.lead_lead,
            percent=50 + n,
            narrative=f"第{n}次",
            attachment_ids=[picture.pk],
        )
    busy, response = queries_for(validated_api(world.lead_lead), world.url())
    assert response.status_code == 200
    assert len(response.json()["recent_attachments"]) == 6
    assert busy == quiet, (quiet, busy)


def test_the_tag_follows_what_is_embedded(world: World, validated_api) -> None:
    client = validated_api(world.co_staff)
    first = client.get(world.url())
    tag = first["ETag"]
    # the signed links differ at every rendering; the tag does not
    assert client.get(world.url(), HTTP_IF_NONE_MATCH=tag).status_code == 304
    # a co-department's report does not move the task's version, but the screen changed
    progress_report_create(
        task=world.task, actor=world.co_lead, percent=10, narrative="配合", red_reason="待协调"
    )
    changed = client.get(world.url(), HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed.json()["version"] == first.json()["version"]
    assert changed["ETag"] != tag
    # and a tag of an older screen is still good for a write (versions compare)
    lead = validated_api(world.lead_lead)
    ok = lead.post(world.url("transitions/"), {"action": "start"}, format="json", HTTP_IF_MATCH=tag)
    assert ok.status_code == 200
