"""Evidence thumbnails: a small PNG of an uploaded image, made on request with Pillow."""

from __future__ import annotations

import io

from django.core.files import File
from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
THUMBNAIL_PX = 160
# Uploads are at most a few MB; refuse anything that would decode to a huge bitmap.
MAX_SOURCE_PIXELS = 40_000_000


class ThumbnailError(ValueError):
    """The file is missing or not an image we can shrink."""


def thumbnail_png(source: File) -> bytes:
    """The image scaled to fit THUMBNAIL_PX × THUMBNAIL_PX, as PNG bytes."""
    try:
        with source.open("rb") as handle, Image.open(handle) as image:
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise ThumbnailError("image too large")
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            buffer = io.BytesIO()
            image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(
                buffer, format="PNG"
            )
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ThumbnailError(str(exc)) from exc
    return buffer.getvalue()
