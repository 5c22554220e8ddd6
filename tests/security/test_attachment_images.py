"""Evidence images cannot exhaust the server; evidence never leaves through /media/ (issue 17).

Before: a 154 KB PNG of 6300 × 6300 pixels was accepted, then decoded on every
/console/attachments/<id>/thumbnail/ request (~300 MB, ~1 s each; four at once peaked at
1.34 GB); `make run` (DEBUG) served /media/evidence/... to anyone. Now such an image is
a 400 at upload; a thumbnail is decoded once (a Celery task when the upload commits) and
served from its stored file with caching headers; /media/ is not routed at all.
"""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import clear_url_caches
from PIL import Image
from rest_framework.test import APIClient

from plantracker.errors import ValidationError
from tasks_app.models import Attachment
from tasks_app.tasks import attachment_thumbnail
from tasks_app.workflow.services.attachment_images import thumbnail_name
from tasks_app.workflow.services.attachments import attachment_create
from tests.api.tasks_support import World
from tests.security.objects import bearer

pytestmark = pytest.mark.django_db


def _png(width: int, height: int, mode: str = "1") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "teal").save(buffer, "JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_decompression_bomb_is_refused_at_upload(world: World, media: Path) -> None:
    bomb = _png(6300, 6300)
    assert len(bomb) < 200_000  # small on disk, 40 megapixels decoded
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(world.lead_staff))
    response = client.post(
        world.url("attachments/"),
        {"file": SimpleUploadedFile("bomb.png", bomb, content_type="image/png")},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("file", "image_too_large")
    ]
    assert not Attachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_the_pixel_limit_is_a_setting(world: World, media: Path, settings) -> None:
    settings.ATTACHMENT_MAX_PIXELS = 100 * 100
    small = SimpleUploadedFile("s.png", _png(100, 100, "RGB"), content_type="image/png")
    attachment_create(task=world.task, actor=world.lead_staff, upload=small)
    with pytest.raises(ValidationError) as refused:
        big = SimpleUploadedFile("b.png", _png(101, 100, "RGB"), content_type="image/png")
        attachment_create(task=world.task, actor=world.lead_staff, upload=big)
    assert refused.value.code == "image_too_large"


def test_the_thumbnail_is_made_once_at_upload_and_served_stored(
    world: World, media: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment = attachment_create(task=world.task, actor=world.lead_staff, upload=_photo())
    name = thumbnail_name(attachment)
    assert not default_storage.exists(name)
    assert len(callbacks) == 1  # the upload enqueued one thumbnail task on commit
    # What the worker runs for it (the Celery task, called in process):
    assert attachment_thumbnail(attachment.pk) == name
    stored = default_storage.open(name).read()
    assert stored.startswith(b"\x89PNG")
    # The source is not decoded again: even with the evidence file gone, the view serves.
    Path(attachment.file.path).write_bytes(b"not an image any more")
    browser = Client()
    browser.force_login(world.lead_lead)
    url = f"/console/attachments/{attachment.pk}/thumbnail/"
    response = browser.get(url)
    assert response.status_code == 200
    assert response.content == stored
    assert "max-age=" in response["Cache-Control"] and response["ETag"]
    again = browser.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and not again.content


def test_media_is_not_routed_even_in_debug(world: World, media: Path) -> None:
    attachment = attachment_create(task=world.task, actor=world.lead_staff, upload=_photo())
    import plantracker.urls

    try:
        with override_settings(DEBUG=True):
            importlib.reload(plantracker.urls)
            clear_url_caches()
            response = Client().get(f"/media/{attachment.file.name}")
            assert response.status_code == 404
    finally:
        importlib.reload(plantracker.urls)
        clear_url_caches()
