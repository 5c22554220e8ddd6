"""Comments and evidence attachments: roles, content checks, limits, storage, idempotency."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from tasks_app.models import Attachment, Comment, HistoryEvent
from tasks_app.workflow.services.comments import comment_create
from tests.api.tasks_support import World, assert_multipart_response_matches_schema
from tests.openapi import assert_constant_queries


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image(fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, fmt)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(user, world: World, name: str, content: bytes, headers: dict | None = None):
    """POST one file as `user` (plain client; the response is checked against the schema)."""
    client = APIClient()
    client.force_authenticate(user)
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client.post(
        world.url("attachments/"), {"file": file}, format="multipart", **(headers or {})
    )
    assert_multipart_response_matches_schema(response)
    return response


# --- comments ------------------------------------------------------------------------


def test_who_may_comment(world: World, validated_api) -> None:
    expected = {
        "supervisor": 201,
        "leader": 403,
        "lead_lead": 201,
        "lead_staff": 201,
        "co_lead": 201,
        "co_staff": 201,
        "other_lead": 404,
        "other_staff": 404,
    }
    for who, status in expected.items():
        response = validated_api(getattr(world, who)).post(
            world.url("comments/"), {"body": f"{who} 的意见"}, format="json"
        )
        assert response.status_code == status, (who, response.content)
    assert Comment.objects.filter(task=world.task).count() == 5
    assert HistoryEvent.objects.filter(task=world.task, action="comment").count() == 5
    listed = validated_api(world.leader).get(world.url("comments/")).json()["results"]
    assert listed[0]["body"] == "co_staff 的意见"  # newest first
    assert validated_api(world.other_lead).get(world.url("comments/")).status_code == 404


def test_comment_validation_and_idempotency(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    url = world.url("comments/")
    for body, attr in (
        ({"body": ""}, "body"),
        ({}, "body"),
        ({"body": "x", "task": 1}, "non_field_errors"),
        ({"body": "x" * 5001}, "body"),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400 and response.json()["errors"][0]["attr"] == attr
    headers = {"HTTP_IDEMPOTENCY_KEY": "c-1"}
    first = client.post(url, {"body": "一次"}, format="json", **headers)
    again = client.post(url, {"body": "一次"}, format="json", **headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Comment.objects.filter(task=world.task).count() == 1


def test_comments_constant_queries(world: World, validated_api) -> None:
    for n in range(12):
        comment_create(task=world.task, actor=world.lead_staff, body=f"第{n}条")
    assert_constant_queries(validated_api(world.co_staff), world.url("comments/"))


# --- attachments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("现场.png", image("PNG"), "image/png"),
        ("photo.jpg", image("JPEG"), "image/jpeg"),
        ("photo.webp", image("WEBP"), "image/webp"),
        ("报告.pdf", PDF, "application/pdf"),
        (
            "说明.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("台账.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_allowed_types_are_stored_under_a_generated_name(
    world: World, validated_api, media: Path, name: str, content: bytes, mime: str
) -> None:
    response = upload(world.lead_staff, world, name, content)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["content_type"], body["size"], body["original_name"]) == (mime, len(content), name)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    stored = Attachment.objects.get(pk=body["id"]).file.name
    assert stored.startswith("evidence/2025/06/") and Path(stored).stem not in name
    assert (media / stored).read_bytes() == content


def test_the_file_name_is_cleaned_and_the_type_comes_from_the_content(
    world: World, validated_api, media: Path
) -> None:
    response = upload(world.lead_lead, world, "../../etc/passwd.pdf", image())
    assert response.status_code == 201
    assert response.json()["original_name"] == "passwd.png"  # the real type's extension
    stored = Attachment.objects.get().file.name
    assert "passwd" not in stored and ".." not in stored
    assert all(path.is_relative_to(media) for path in media.rglob("*"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.png", b"#!/bin/sh\nrm -rf /\n"),  # text dressed as an image
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200),
        ("archive.zip", zipfile.ZipFile.__doc__.encode()[:0] + b"PK\x05\x06" + b"\x00" * 18),
        ("anim.gif", b"GIF89a" + b"\x00" * 20),
        ("empty.pdf", b""),
    ],
)
def test_other_types_are_refused_and_nothing_is_stored(
    world: World, validated_api, media: Path, name: str, content: bytes
) -> None:
    response = upload(world.lead_lead, world, name, content)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == "file"
    assert not Attachment.objects.exists() and not list(media.rglob("*.*"))


def test_oversized_upload_is_413(world: World, validated_api, settings, media: Path) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1000
    big = image() + b"\x00" * 2000
    response = upload(world.lead_lead, world, "big.png", big)
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert (error["code"], error["attr"]) == ("too_large", "file")
    huge = upload(world.lead_lead, world, "huge.png", image() + b"\x00" * 70_000)
    assert huge.status_code == 413  # refused from Content-Length, before parsing
    assert not Attachment.objects.exists()


def test_upload_needs_multipart_and_a_file(world: World, validated_api) -> None:
    as_json = validated_api(world.lead_lead).post(
        world.url("attachments/"), {"file": "x"}, format="json"
    )
    assert as_json.status_code == 415
    client = APIClient()
    client.force_authenticate(world.lead_lead)
    missing = client.post(world.url("attachments/"), {}, format="multipart")
    assert_multipart_response_matches_schema(missing)
    assert missing.status_code == 400 and missing.json()["errors"][0]["attr"] == "file"


def test_who_may_upload_and_download(world: World, validated_api) -> None:
    expected = {
        "supervisor": 403,
        "leader": 403,
        "lead_lead": 201,
        "lead_staff": 201,
        "co_lead": 201,
        "co_staff": 201,
        "other_lead": 404,
        "other_staff": 404,
    }
    for who, status in expected.items():
        response = upload(getattr(world, who), world, f"{who}.png", image())
        assert response.status_code == status, (who, response.content)
    first = Attachment.objects.order_by("pk").first()
    url = world.url(f"attachments/{first.pk}/file/")
    # A file, not JSON: read with a plain client (the schema lists the allowed types).
    reader = APIClient()
    reader.force_authenticate(world.leader)
    download = reader.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == image()
    assert download["Content-Type"] == "image/png"
    assert validated_api(world.other_lead).get(url).status_code == 404
    listed = validated_api(world.supervisor).get(world.url("attachments/")).json()["results"]
    assert len(listed) == 4 and listed[0]["download_url"].endswith("/file/")


def test_attachment_idempotency_and_constant_queries(world: World, validated_api) -> None:
    headers = {"HTTP_IDEMPOTENCY_KEY": "upload-1"}
    first = upload(world.lead_staff, world, "a.png", image(), headers)
    again = upload(world.lead_staff, world, "a.png", image(), headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Attachment.objects.count() == 1
    for n in range(11):
        upload(world.lead_staff, world, f"{n}.png", image())
    assert_constant_queries(validated_api(world.co_lead), world.url("attachments/"))
