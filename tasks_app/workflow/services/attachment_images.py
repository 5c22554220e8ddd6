"""Evidence images: refused at upload when they would decode to a huge bitmap, and their
thumbnail written once (issue 17).

Before: a 154 KB PNG of 6300 × 6300 pixels was decoded on every console thumbnail
request (~300 MB and ~1 s each). Now:
- `image_size_check` (attachment_create) reads only the image header: more than
  settings.ATTACHMENT_MAX_PIXELS pixels, or a header Pillow itself calls a decompression
  bomb, or an image Pillow cannot read, is a 400 on `file` before anything is stored;
- `attachment_thumbnail_make` decodes the image once, in a Celery task enqueued when the
  upload commits (tasks_app.tasks.attachment_thumbnail), and stores a PNG next to the
  evidence under thumbnails/; the console serves that file with caching headers. A view
  that finds no thumbnail yet (worker behind, or an upload from before) writes it then,
  once; every later request reads the stored file.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from plantracker.errors import ValidationError
from tasks_app.models import Attachment
from tasks_app.workflow import thumbnails

logger = logging.getLogger(__name__)
IMAGE_TYPES = thumbnails.IMAGE_TYPES


def max_pixels() -> int:
    return settings.ATTACHMENT_MAX_PIXELS


def image_size_check(upload: UploadedFile) -> None:
    """400 on `file` when the image has more than ATTACHMENT_MAX_PIXELS pixels (header only)."""
    too_large = ValidationError(
        {"file": [_("图片像素过多（不超过%(mp)s百万像素）。") % {"mp": max_pixels() // 1_000_000}]},
        code="image_too_large",
    )
    upload.seek(0)
    try:
        with Image.open(upload) as image:  # reads the header, decodes nothing
            width, height = image.size
    except Image.DecompressionBombError:
        raise too_large from None
    except (OSError, UnidentifiedImageError, ValueError):
        raise ValidationError(
            {"file": [_("图片文件已损坏，无法读取。")]}, code="invalid_image"
        ) from None
    finally:
        upload.seek(0)
    if width * height > max_pixels():
        raise too_large


def thumbnail_name(attachment: Attachment) -> str:
    """Where the thumbnail of an attachment is stored: thumbnails/<its evidence path>.png."""
    return str(
        PurePosixPath("thumbnails") / PurePosixPath(attachment.file.name).with_suffix(".png")
    )


def attachment_thumbnail_make(*, attachment_id: int) -> str | None:
    """Write the thumbnail of an image attachment unless it is there; its storage name, or
    None for a non-image, a missing attachment or an unreadable image."""
    attachment = Attachment.objects.filter(pk=attachment_id, content_type__in=IMAGE_TYPES).first()
    if attachment is None:
        return None
    name = thumbnail_name(attachment)
    if default_storage.exists(name):
        return name
    try:
        content = thumbnails.thumbnail_png(attachment.file)
    except thumbnails.ThumbnailError:
        logger.warning("attachment %s: no thumbnail (unreadable or too large)", attachment_id)
        return None
    stored = default_storage.save(name, ContentFile(content))
    if stored != name:  # another writer got there first: keep theirs
        default_storage.delete(stored)
    return name


def thumbnail_enqueue(attachment: Attachment) -> None:
    """After the upload commits, make the thumbnail in a worker (robust: a broker that is
    down costs only the precomputation, the console then writes it on first view)."""
    if attachment.content_type not in IMAGE_TYPES:
        return
    from tasks_app.tasks import attachment_thumbnail

    transaction.on_commit(lambda: attachment_thumbnail.delay(attachment.pk), robust=True)
