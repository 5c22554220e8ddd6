"""Signed, short-lived links to evidence files and thumbnails: fetched without a header,
cacheable privately for their remaining life, with an ETag; expired → 403, altered → 404."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tasks_app.models import Attachment
from tasks_app.workflow.file_links import FILE, THUMBNAIL, link_token
from tasks_app.workflow.services.attachments import attachment_create
from tests.api.tasks_support import World
from tests.openapi import assert_matches_schema

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(size: int = 400) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "green").save(buffer, "PNG")
    return buffer.getvalue()


def attach(world: World, name: str, content: bytes) -> Attachment:
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return attachment_create(task=world.task, actor=world.lead_staff, upload=upload)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def max_age(response) -> int:
    cache_control = response["Cache-Control"]
    assert cache_control.startswith("private, max-age="), cache_control
    return int(cache_control.removeprefix("private, max-age="))


def test_listed_attachments_carry_signed_links_that_work_without_a_header(
    world: World, validated_api
) -> None:
    photo, pdf = attach(world, "现场.png", png()), attach(world, "方案.pdf", PDF)
    rows = validated_api(world.co_staff).get(world.url("attachments/")).json()["results"]
    by_id = {row["id"]: row for row in rows}
    assert by_id[pdf.pk]["thumbnail_url"] is None
    anonymous = Client()

    file = anonymous.get(path_of(by_id[photo.pk]["file_url"]))
    assert file.status_code == 200
    assert b"".join(file.streaming_content) == png()
    assert file["Content-Type"] == "image/png"
    assert 595 <= max_age(file) <= 600
    assert file["ETag"] == f'"{photo.sha256[:40]}"'

    thumb = anonymous.get(path_of(by_id[photo.pk]["thumbnail_url"]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) <= 160
    assert thumb["ETag"] != file["ETag"]

    document = anonymous.get(path_of(by_id[pdf.pk]["file_url"]))
    assert document.status_code == 200
    assert document["Content-Disposition"].startswith("attachment")


def test_if_none_match_gives_304_with_the_remaining_life(world: World, clock) -> None:
    photo = attach(world, "a.png", png())
    url = f"/api/v1/files/{link_token(attachment_id=photo.pk, kind=FILE)}/"
    tag = Client().get(url)["ETag"]
    clock.shift(dt.timedelta(minutes=4))
    again = Client().get(url, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again["ETag"] == tag
    assert 355 <= max_age(again) <= 360
    assert Client().get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_expired_links_are_403_in_the_error_shape(world: World, clock, settings) -> None:
    photo = attach(world, "a.png", png())
    settings.SIGNED_FILE_URL_MAX_AGE_SECONDS = 60
    url = f"/api/v1/files/{link_token(attachment_id=photo.pk, kind=THUMBNAIL)}/"
    assert Client().get(url).status_code == 200
    clock.shift(dt.timedelta(seconds=61))
    expired = Client().get(url)
    assert_matches_schema(expired)
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["code"] == "link_expired"


def test_altered_or_forged_links_are_404(world: World) -> None:
    photo, other = attach(world, "a.png", png()), attach(world, "b.pdf", PDF)
    token = link_token(attachment_id=photo.pk, kind=FILE)
    # the right shape, signed with another salt (or key): not ours
    forged = signing.dumps({"a": other.pk, "k": FILE, "e": 2**40}, salt="elsewhere")
    for bad in (token[:-2] + "xx", "nonsense", forged, token.replace(":", "_", 1)):
        response = Client().get(f"/api/v1/files/{bad}/")
        assert_matches_schema(response)
        assert response.status_code == 404, bad
        assert response.json()["errors"][0]["code"] == "not_found"
    # a thumbnail of a file that is no image, and a link to a deleted attachment
    not_an_image = link_token(attachment_id=other.pk, kind=THUMBNAIL)
    assert Client().get(f"/api/v1/files/{not_an_image}/").status_code == 404
    gone = link_token(attachment_id=999_999, kind=FILE)
    assert Client().get(f"/api/v1/files/{gone}/").status_code == 404


def test_the_permission_checked_download_stays(world: World, validated_api) -> None:
    photo = attach(world, "a.png", png())
    url = world.url(f"attachments/{photo.pk}/file/")
    assert validated_api(world.lead_staff).get(url).status_code == 200
    assert validated_api(world.other_staff).get(url).status_code == 404
    assert Client().get(url).status_code == 401
