"""Short-lived signed links to evidence files and their thumbnails.

An image loader (a mobile app's, a browser's <img>) fetches a URL without an
Authorization header; the API hands out links that carry their own proof instead: the
attachment id, what is served (the file or its thumbnail) and an expiry instant, signed
with the project's SECRET_KEY (django.core.signing, salted). A link is issued only to a
caller who may see the task, and works for anyone holding it until it expires
(settings.SIGNED_FILE_URL_MAX_AGE_SECONDS, 10 minutes by default). /media/ itself is
never served.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plantracker.errors import NotFound, PermissionDenied
from tasks_app.workflow.thumbnails import IMAGE_TYPES

SALT = "plantracker.signed-file"
FILE, THUMBNAIL = "f", "t"


class LinkExpired(PermissionDenied):
    default_detail = _("链接已过期，请重新获取。")
    default_code = "link_expired"


class LinkInvalid(NotFound):
    default_detail = _("链接无效。")
    default_code = "not_found"


@dataclass(frozen=True)
class FileLink:
    attachment_id: int
    kind: str  # FILE or THUMBNAIL
    expires_at: int  # seconds since the epoch

    def seconds_left(self, now: float | None = None) -> int:
        return max(0, int(self.expires_at - (time.time() if now is None else now)))


def max_age_seconds() -> int:
    return int(settings.SIGNED_FILE_URL_MAX_AGE_SECONDS)


def link_token(*, attachment_id: int, kind: str, now: float | None = None) -> str:
    """A signed token for one attachment's file or thumbnail, valid for max_age_seconds()."""
    if kind not in (FILE, THUMBNAIL):
        raise ValueError(kind)
    expires = int(now if now is not None else time.time()) + max_age_seconds()
    return signing.dumps({"a": attachment_id, "k": kind, "e": expires}, salt=SALT)


def link_path(*, attachment_id: int, kind: str) -> str:
    return reverse(
        "signed-file", kwargs={"token": link_token(attachment_id=attachment_id, kind=kind)}
    )


def thumbnail_path(*, attachment_id: int, content_type: str) -> str | None:
    """The thumbnail link of an image attachment; None for other files."""
    if content_type not in IMAGE_TYPES:
        return None
    return link_path(attachment_id=attachment_id, kind=THUMBNAIL)


def link_read(token: str, *, now: float | None = None) -> FileLink:
    """The link a token stands for: LinkInvalid (404) when forged, altered or malformed,
    LinkExpired (403) when its time is over."""
    try:
        data = signing.loads(token, salt=SALT)
        link = FileLink(
            attachment_id=int(data["a"]), kind=str(data["k"]), expires_at=int(data["e"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid() from None
    if link.kind not in (FILE, THUMBNAIL):
        raise LinkInvalid()
    if link.seconds_left(now) <= 0:
        raise LinkExpired()
    return link
