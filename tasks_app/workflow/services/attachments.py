"""attachment_create: evidence upload, checked by content (not by name or client header).

Allowed: JPEG, PNG and WebP photos, PDF, Word (.docx) and Excel (.xlsx) documents, up to
settings.ATTACHMENT_MAX_BYTES. The file is stored under a generated name in
evidence/YYYY/MM/; the client's file name is only kept, cleaned, for display.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from pathlib import PurePosixPath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import PayloadTooLarge, ValidationError
from tasks_app.models import Attachment, Task, User
from tasks_app.workflow import rules as workflow
from tasks_app.workflow.services import attachment_images
from tasks_app.workflow.services.task_writes import history_record, require

ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
SNIFF_BYTES = 8192
NAME_MAX_CHARS = 150
_FORBIDDEN_NAME_CHARS = set('<>:"/\\|?*')


class FileTooLarge(PayloadTooLarge):
    """413 in the client-error shape, naming the field: {"file": [message]}."""

    default_detail = gettext_lazy("文件过大。")
    default_code = "too_large"

    @classmethod
    def for_limit(cls) -> FileTooLarge:
        message = _("文件不能超过%(mb).1f MB。") % {"mb": max_bytes() / 2**20}
        return cls({"file": [message]}, code=cls.default_code)


class UnsupportedFileType(ValidationError):
    """A 400 on `file` (code unsupported_file_type): the content is not an allowed type."""

    default_code = "unsupported_file_type"


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def clean_filename(name: str, extension: str) -> str:
    """The client's name without directories or control characters, with the real extension."""
    base = PurePosixPath(unicodedata.normalize("NFC", name or "").replace("\\", "/")).name
    base = "".join(c for c in base if c.isprintable() and c not in _FORBIDDEN_NAME_CHARS)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" .")[:NAME_MAX_CHARS] or "file"
    return f"{stem}.{extension}"


def sniff_type(upload: UploadedFile) -> str:
    """The MIME type detected from the content; UnsupportedFileType if not allowed."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head) if head else None
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise UnsupportedFileType(
            {"file": [_("仅支持JPEG、PNG、WebP图片及PDF、DOCX、XLSX文件。")]},
            code="unsupported_file_type",
        )
    return kind.mime


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_create(*, task: Task, actor: User, upload: UploadedFile) -> Attachment:
    """Store one evidence file for a task; link it to a report later by id."""
    require(actor=actor, task=task, capability=workflow.Capability.UPLOAD)
    if upload.size > max_bytes():
        raise FileTooLarge.for_limit()
    if not upload.size:
        raise ValidationError({"file": [_("文件为空。")]}, code="empty")
    mime = sniff_type(upload)
    if mime in attachment_images.IMAGE_TYPES:
        attachment_images.image_size_check(upload)  # decompression bombs: 400, nothing stored
    extension = ALLOWED_TYPES[mime]
    attachment = Attachment(
        task=task,
        uploaded_by=actor,
        original_name=clean_filename(upload.name, extension),
        content_type=mime,
        size=upload.size,
        sha256=_sha256(upload),
    )
    # upload_to adds evidence/YYYY/MM/; the stored name is ours, never the client's.
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
    attachment.save()
    history_record(task=task, actor=actor, action="attachment", to_value=attachment.original_name)
    attachment_images.thumbnail_enqueue(attachment)
    return attachment
