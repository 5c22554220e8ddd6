"""Mass assignment (OWASP API3): every field a client could send, by every role.

PATCH /tasks/{id}/ is tried with every key of the task's own representation plus model
columns it does not show, as each role: only owner, title and co_departments (lead of the
lead department, supervisor) and due_date (supervisor) may change; everything else is
refused (400 naming the field, or 403/404) and the task, its co-departments, milestones
and history stay exactly as they were. The creating endpoints get the same treatment for
the server-owned fields of what they create (author, department, status, verifier, …).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from indicators_app.models import IndicatorJudgement, Observation
from tasks_app.models import (
    Attachment,
    Comment,
    ExtensionRequest,
    HistoryEvent,
    Milestone,
    ProgressReport,
    ReportDraft,
    RollupJob,
    SupervisionNotice,
    Task,
    User,
)
from tasks_app.workflow import rules as workflow
from tests.api.tasks_support import World
from tests.security.figures import count
from tests.security.objects import Objects, bearer, seed

pytestmark = pytest.mark.django_db

ROLES = (
    "supervisor",
    "leader",
    "lead_lead",
    "lead_staff",
    "co_lead",
    "co_staff",
    "other_lead",
    "other_staff",
)


def _client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


def _patch_values(world: World, objects: Objects) -> dict[str, Any]:
    """A plausible new value for every key of the task representation and more."""
    other = world.other_dept
    return {
        # writable, for the right role
        "owner": world.lead_staff.pk,
        "title": "被改写的标题",
        "co_departments": [other.pk],
        "due_date": f"{world.plan.year}-11-30",
        # never writable through PATCH
        "id": objects.hidden_task.pk,
        "code": "2025-9.9.9-99",
        "text": "篡改后的原文",
        "plan": world.plan.pk,
        "chapter": objects.hidden_task.chapter_id,
        "measure": objects.hidden_task.measure_id,
        "lead_department": other.pk,
        "start_date": f"{world.plan.year}-01-02",
        "original_due_date": f"{world.plan.year}-12-30",
        "status": "completed",
        "progress": 100,
        "expected_progress": 0,
        "flag": "green",
        "is_overdue": False,
        "report_period": "2025-05",
        "report_status": "in",
        "key_results": [{"value": 1, "unit": "个", "label": "x"}],
        "version": 999,
        "completed_at": "2025-06-01T10:00:00+08:00",
        "created_at": "2025-01-01T10:00:00+08:00",
        "updated_at": "2025-01-01T10:00:00+08:00",
        "allowed_actions": ["approve"],
        "capabilities": ["edit_due_date"],
        # model columns and spellings the representation does not show
        "is_archived": True,
        "sentence_no": 99,
        "lead_department_id": other.pk,
        "owner_id": world.other_lead.pk,
        "plan_id": world.plan.pk,
    }


def _allowed(role: str, field: str, world: World) -> bool:
    relations = workflow.relations(getattr(world, role), world.task)
    capability = workflow.PATCH_FIELDS.get(field)
    return capability is not None and workflow.has_capability(relations, capability)


def task_state(task: Task) -> dict[str, Any]:
    task = Task.objects.get(pk=task.pk)
    return {
        "row": model_to_dict(task, exclude=["co_departments"]),
        "updated_at": task.updated_at,
        "co_departments": sorted(task.co_departments.values_list("pk", flat=True)),
        "milestones": sorted(Milestone.objects.filter(task=task).values_list("pk", "due_date")),
        "history": HistoryEvent.objects.filter(task=task).count(),
    }


@pytest.mark.slow
def test_patch_changes_only_what_the_role_may_change(world: World, media) -> None:
    objects = seed(world)
    before = task_state(world.task)
    problems = []
    attempts = 0
    for role in ROLES:
        client = _client(getattr(world, role))
        for field, value in _patch_values(world, objects).items():
            attempts += 1
            with transaction.atomic():
                response = client.patch(world.url(), {field: value}, format="json")
                after = task_state(world.task)
                transaction.set_rollback(True)
            label = f"{role} PATCH {field}"
            if role.startswith("other_"):
                if response.status_code != 404:
                    problems.append(f"{label}: {response.status_code}, expected 404")
            elif _allowed(role, field, world):
                if response.status_code != 200 or after == before:
                    problems.append(f"{label}: {response.status_code}, allowed but not applied")
            else:
                if response.status_code not in (400, 403):
                    problems.append(f"{label}: {response.status_code} {response.content[:200]}")
                elif response.status_code == 400:
                    attrs = {e["attr"] for e in response.json()["errors"]}
                    if field not in attrs and "non_field_errors" not in attrs:
                        problems.append(f"{label}: 400 names {attrs}, not {field}")
                if after != before:
                    problems.append(f"{label}: refused ({response.status_code}) but changed")
    count("mass-assignment attempts on PATCH /tasks/{id}/", attempts)
    assert not problems, "\n".join(problems)
    assert task_state(world.task) == before


def test_a_refused_field_refuses_the_whole_patch(world: World) -> None:
    before = task_state(world.task)
    response = _client(world.lead_lead).patch(
        world.url(), {"title": "合法的新标题", "status": "completed"}, format="json"
    )
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("status", "read_only")]
    assert task_state(world.task) == before


def test_due_date_is_the_supervisors_alone(world: World) -> None:
    """The one writable field whose writer is narrower than the others (and a 400, not a
    silent no-op, for the lead who may edit the rest)."""
    before = task_state(world.task)
    refused = _client(world.lead_lead).patch(
        world.url(), {"due_date": f"{world.plan.year}-11-30"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "not_allowed_for_role"
    assert task_state(world.task) == before
    done = _client(world.supervisor).patch(
        world.url(), {"due_date": f"{world.plan.year}-11-30"}, format="json"
    )
    assert done.status_code == 200
    task = Task.objects.get(pk=world.task.pk)
    assert task.due_date == dt.date(world.plan.year, 11, 30)
    assert task.original_due_date == before["row"]["original_due_date"]  # history keeps it


# --- creating endpoints: server-owned fields of what they create -------------------------


def _creations(world: World, objects: Objects) -> list[tuple[str, User, str, dict, dict, Any]]:
    """(name, actor, url, valid body, forged fields, rows that must not appear)."""
    task_url = world.url
    later = objects.extension_milestone.due_date + dt.timedelta(days=10)
    other = world.other_dept
    return [
        (
            "comment",
            world.lead_staff,
            task_url("comments/"),
            {"body": "正常的意见"},
            {"author": world.supervisor.pk, "task": objects.hidden_task.pk, "created_at": "x"},
            Comment.objects.all(),
        ),
        (
            "progress report",
            world.co_lead,
            task_url("progress-reports/"),
            {"percent": 60, "narrative": "进展", "red_reason": "滞后原因"},
            {
                "department": world.lead_dept.pk,
                "author": world.lead_lead.pk,
                "moves_task": True,
                "task": objects.hidden_task.pk,
            },
            ProgressReport.objects.all(),
        ),
        (
            "report draft",
            world.lead_staff,
            task_url("progress-reports/drafts/"),
            {"percent": 60, "narrative": "草稿", "red_reason": "滞后原因"},
            {
                "department": world.co_dept.pk,
                "author": world.lead_lead.pk,
                "status": "submitted",
                "report": 1,
                "task": objects.hidden_task.pk,
            },
            ReportDraft.objects.all(),
        ),
        (
            "extension request",
            world.lead_lead,
            task_url("extension-requests/"),
            {
                "milestone": objects.extension_milestone.pk,
                "new_due_date": later.isoformat(),
                "reason": "资金未到位",
            },
            {
                "status": "approved",
                "requested_by": world.supervisor.pk,
                "old_due_date": "2025-12-31",
                "is_late": False,
                "decided_by": world.supervisor.pk,
            },
            ExtensionRequest.objects.exclude(pk=objects.extension_request.pk),
        ),
        (
            "milestone",
            world.lead_lead,
            task_url("milestones/"),
            {"title": "新节点", "due_date": f"{world.plan.year}-11-30"},
            {"is_final": True, "completed_at": "2025-06-01T10:00:00+08:00", "sequence": 1},
            Milestone.objects.filter(title="新节点"),
        ),
        (
            "urge",
            world.supervisor,
            task_url("urge/"),
            {"comment": "请加快"},
            {"department": other.pk, "issued_by": world.leader.pk, "kind": "notice"},
            SupervisionNotice.objects.all(),
        ),
        (
            "transition",
            world.lead_lead,
            task_url("transitions/"),
            {"action": "start"},
            {"status": "completed", "progress": 100, "version": 1},
            HistoryEvent.objects.filter(task=world.task, action="start"),
        ),
    ]


def test_creating_endpoints_refuse_server_owned_fields(world: World, media) -> None:
    objects = seed(world)
    problems = []
    attempts = 0
    for name, actor, url, body, forged, rows in _creations(world, objects):
        for field, value in forged.items():
            attempts += 1
            before = rows.count()
            response = _client(actor).post(url, {**body, field: value}, format="json")
            if response.status_code != 400:
                problems.append(f"{name} with {field}: {response.status_code}")
                continue
            attrs = {e["attr"] for e in response.json()["errors"]}
            if not attrs & {field, "non_field_errors"}:
                problems.append(f"{name} with {field}: 400 on {attrs}")
            if rows.count() != before:
                problems.append(f"{name} with {field}: refused but created")
        created = _client(actor).post(url, body, format="json")  # the honest request works
        if created.status_code not in (200, 201):
            problems.append(f"{name} without forged fields: {created.status_code}")
    count("mass-assignment attempts on creating endpoints", attempts)
    assert not problems, "\n".join(problems)


def test_indicator_writes_ignore_who_and_what_the_client_claims(world: World, media) -> None:
    """The indicator inputs are not strict (unknown keys are ignored, not refused); what
    matters is that none of them reaches the row: reporter, verifier, status, indicator
    and judge always come from the request's user and path."""
    objects = seed(world)
    other_indicator = objects.qualitative_indicator
    url = f"/api/v1/indicators/{objects.indicator.pk}/observations/"
    response = _client(world.lead_staff).post(
        url,
        {
            "period": f"{world.plan.year}-Q1",
            "value": 3.3,
            "verification_status": "verified",
            "verified_by": world.supervisor.pk,
            "reported_by": world.supervisor.pk,
            "indicator": other_indicator.pk,
        },
        format="json",
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        row = Observation.objects.get(pk=response.json()["id"])
        assert (row.indicator_id, row.reported_by_id) == (objects.indicator.pk, world.lead_staff.pk)
        assert row.verification_status == Observation.Verification.UNVERIFIED
        assert row.verified_by_id is None
    assert not Observation.objects.filter(indicator=other_indicator).exists()

    judged = _client(world.supervisor).post(
        f"/api/v1/indicators/{other_indicator.pk}/judgement/",
        {"status": "at_risk", "reason": "研判", "judged_by": world.leader.pk},
        format="json",
    )
    assert judged.status_code in (201, 400), judged.content
    if judged.status_code == 201:
        assert IndicatorJudgement.objects.get(pk=judged.json()["id"]).judged_by == world.supervisor

    built = _client(world.supervisor).post(
        "/api/v1/rollups/",
        {"year": world.plan.year, "quarter": 1, "requested_by": world.leader.pk, "status": "done"},
        format="json",
    )
    assert built.status_code in (202, 400), built.content
    if built.status_code == 202:
        job = RollupJob.objects.get(pk=built.json()["job"])
        assert (job.requested_by, job.status) == (world.supervisor, RollupJob.Status.QUEUED)


def test_upload_metadata_comes_from_the_server(world: World, media) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.security.objects import png_bytes

    client = _client(world.lead_staff)
    response = client.post(
        world.url("attachments/"),
        {
            "file": SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
            "uploaded_by": world.supervisor.pk,
            "content_type": "application/x-msdownload",
            "original_name": "../../evil.exe",
            "task": world.co_dept.pk,
        },
        format="multipart",
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        row = Attachment.objects.get(pk=response.json()["id"])
        assert (row.uploaded_by, row.task_id) == (world.lead_staff, world.task.pk)
        assert (row.content_type, row.original_name) == ("image/png", "photo.png")
