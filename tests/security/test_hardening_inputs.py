"""Hardening of the inputs: uploads by content, body and page sizes, string lengths.

Every refusal is a 4xx in the one error shape that names the field, never a 500, and
writes nothing. (The content checks of allowed types and the 413 for oversized files are
also in tests/api/test_tasks_evidence.py; here the hostile cases.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from indicators_app.models import Indicator
from tasks_app.models import Attachment, Comment, Milestone, Notification, ProgressReport
from tests.api.tasks_support import World
from tests.conftest import PASSWORD
from tests.security.figures import count
from tests.security.objects import bearer, png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 120 + b"PE\x00\x00"
SCRIPT = b"<script>alert(1)</script>"


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


def _errors(response) -> list[tuple[str | None, str]]:
    return [(e["attr"], e["code"]) for e in response.json()["errors"]]


def _upload(world: World, name: str, content: bytes, **extra):
    file = SimpleUploadedFile(name, content, content_type="image/png")
    return _api(world.lead_staff).post(
        world.url("attachments/"), {"file": file, **extra}, format="multipart"
    )


# --- uploads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.png", EXE), ("photo.png", SCRIPT), ("scan.pdf", EXE), ("photo.png", b"")],
)
def test_an_upload_is_judged_by_its_bytes_not_its_name(
    world: World, media: Path, name: str, content: bytes
) -> None:
    response = _upload(world, name, content)
    assert response.status_code == 400, response.content
    assert _errors(response)[0][0] == "file"
    assert not Attachment.objects.exists() and not [p for p in media.rglob("*") if p.is_file()]


def test_a_pdf_named_png_is_stored_and_served_as_a_pdf(world: World, media: Path) -> None:
    response = _upload(world, "photo.png", PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["content_type"], body["original_name"]) == ("application/pdf", "photo.pdf")
    download = _api(world.leader).get(body["download_url"])
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "hostile",
    [
        "../../../../etc/passwd.png",
        "..\\..\\windows\\system32\\evil.png",
        "/etc/cron.d/evil.png",
        "a\x00b.png",
        "<img src=x onerror=alert(1)>.png",
        "长" * 300 + ".png",
    ],
)
def test_hostile_file_names_are_cleaned_and_files_stay_in_media_root(
    world: World, media: Path, hostile: str
) -> None:
    response = _upload(world, hostile, png_bytes())
    assert response.status_code == 201, response.content
    name = response.json()["original_name"]
    assert "/" not in name and "\\" not in name and "\x00" not in name and "<" not in name
    assert len(name) <= 154 and name.endswith(".png")
    stored = Path(Attachment.objects.get().file.path).resolve()
    assert stored.is_relative_to(media.resolve())
    assert stored.name != hostile and ".." not in stored.parts
    assert all(p.resolve().is_relative_to(media.resolve()) for p in media.rglob("*"))


def test_an_oversized_upload_is_413_before_it_is_read(world: World, settings, media) -> None:
    settings.ATTACHMENT_MAX_BYTES = 50_000
    near = _upload(world, "big.png", png_bytes() + b"\x00" * 60_000)
    far = _upload(world, "huge.png", png_bytes() + b"\x00" * 200_000)  # past the framing too
    for response in (near, far):
        assert response.status_code == 413
        assert _errors(response) == [("file", "too_large")]
    assert not Attachment.objects.exists()


# --- request size ---------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_413_and_writes_nothing(world: World, settings) -> None:
    body = json.dumps({"body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = _api(world.lead_staff).post(
        world.url("comments/"), data=body, content_type="application/json"
    )
    assert response.status_code == 413, response.content[:300]
    assert _errors(response) == [(None, "too_large")]
    assert not Comment.objects.exists()


def test_a_multipart_text_field_over_the_limit_is_413(world: World, settings, media) -> None:
    response = _upload(
        world, "p.png", png_bytes(), note="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    )
    assert response.status_code == 413, response.content[:300]
    assert not Attachment.objects.exists()


def test_a_form_with_too_many_fields_is_refused(world: World, settings) -> None:
    """Request bodies are JSON (uploads multipart): a form is 415 before it is parsed."""
    fields = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    indicator = Indicator.objects.filter(plan=world.plan).first()
    url = f"/api/v1/indicators/{indicator.pk}/judgement/"
    response = _api(world.supervisor).post(
        url, data=fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415, response.content[:300]
    assert _errors(response) == [(None, "unsupported_media_type")]


# --- page size --------------------------------------------------------------------------


def test_page_size_is_capped_at_200_and_nonsense_falls_back(world: World) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=world.lead_lead, kind="urge", title=f"通知{n}", body="-")
        for n in range(260)
    )
    client = _api(world.lead_lead)
    sizes = {}
    for page_size in ("100000", "201", "200", "-1", "0", "abc", "1e9", "9" * 40):
        response = client.get("/api/v1/notifications/", {"page_size": page_size})
        assert response.status_code == 200, (page_size, response.content[:200])
        sizes[page_size] = len(response.json()["results"])
    assert sizes["100000"] == sizes["201"] == sizes["200"] == 200
    assert sizes["-1"] == sizes["0"] == sizes["abc"] == sizes["1e9"] == 50
    assert sizes["9" * 40] == 200
    count("page_size values checked", len(sizes))


# --- string lengths ---------------------------------------------------------------------

MEGABYTE = 1024 * 1024


def _too_long(world: World, milestone: Milestone) -> list[tuple]:
    """(who, method, url, body, the field that must be named) — each over its limit."""
    due = f"{world.plan.year}-11-30"
    report = {"percent": 10, "narrative": "ok", "red_reason": "ok"}
    reports, moves = "progress-reports/", "transitions/"
    return [
        ("lead_staff", "post", "comments/", {"body": "x" * MEGABYTE}, "body"),
        ("lead_staff", "post", "comments/", {"body": "意" * 5001}, "body"),
        ("lead_lead", "patch", "", {"title": "题" * 201}, "title"),
        ("lead_lead", "patch", "", {"title": "x" * MEGABYTE}, "title"),
        ("lead_staff", "post", reports, {**report, "narrative": "n" * 5001}, "narrative"),
        ("lead_staff", "post", reports, {**report, "red_reason": "r" * 2001}, "red_reason"),
        ("lead_lead", "post", moves, {"action": "start", "comment": "c" * 2001}, "comment"),
        ("supervisor", "post", "urge/", {"comment": "c" * 2001}, "comment"),
        ("lead_lead", "post", "milestones/", {"title": "t" * 201, "due_date": due}, "title"),
        (
            "lead_lead",
            "post",
            "extension-requests/",
            {"milestone": milestone.pk, "new_due_date": due, "reason": "r" * 2001},
            "reason",
        ),
    ]  # fmt: skip


def test_over_long_strings_are_400_naming_the_field(world: World) -> None:
    milestone = Milestone.objects.filter(task=world.task, is_final=False).order_by("-due_date")[0]
    before = (Comment.objects.count(), ProgressReport.objects.count(), Milestone.objects.count())
    for who, method, suffix, body, field in _too_long(world, milestone):
        response = getattr(_api(getattr(world, who)), method)(
            world.url(suffix), body, format="json"
        )
        assert response.status_code == 400, (suffix, field, response.content[:200])
        assert (field, "max_length") in _errors(response), (suffix, _errors(response))
    assert before == (
        Comment.objects.count(),
        ProgressReport.objects.count(),
        Milestone.objects.count(),
    )
    count("over-long string fields refused", len(_too_long(world, milestone)))


def test_over_long_headers_and_queries_are_refused_or_harmless(world: World) -> None:
    client = _api(world.lead_staff)
    keyed = client.post(
        world.url("comments/"), {"body": "意见"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201
    )
    assert keyed.status_code == 400 and _errors(keyed) == [("Idempotency-Key", "max_length")]
    assert not Comment.objects.exists()
    search = client.get("/api/v1/tasks/", {"search": "查" * 20_000})
    assert search.status_code == 200 and search.json()["results"] == []


def test_the_console_login_is_locked_too(world: World) -> None:
    browser = Client()
    for _ in range(5):
        browser.post("/console/login/", {"username": world.lead_lead.username, "password": "x"})
    browser.post("/console/login/", {"username": world.lead_lead.username, "password": PASSWORD})
    assert "_auth_user_id" not in browser.session
