"""GET /files/<token>/: an evidence file or its thumbnail by a signed, short-lived link
(tasks_app/workflow/file_links.py), for image loaders that send no Authorization header.

The permission-checked download (/tasks/<id>/attachments/<aid>/file/) stays; this view
checks the link instead of the caller. Responses are private and cacheable for the
link's remaining life, with an ETag of the content (If-None-Match → 304).
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ErrorResponse404Serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from tasks_app.models import Attachment
from tasks_app.workflow.file_links import THUMBNAIL, LinkInvalid, link_read
from tasks_app.workflow.services.attachment_images import attachment_thumbnail_make
from tasks_app.workflow.services.attachments import ALLOWED_TYPES
from tasks_app.workflow.thumbnails import IMAGE_TYPES

# The 403 codes of a signed link (ENUM_NAME_OVERRIDES: SignedLinkErrorCodeEnum).
LINK_ERROR_CODES = [("link_expired", "link_expired")]


class LinkErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=LINK_ERROR_CODES)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class LinkExpiredResponseSerializer(serializers.Serializer):
    """The link's time is over: ask the API for a fresh one."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = LinkErrorSerializer(many=True)


def _not_modified(request: Request, etag: str) -> bool:
    wanted = {
        t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")
    }
    return etag in wanted or "*" in wanted


class SignedFileView(APIView):
    """The file (or thumbnail, image/png) a signed link names; 403 `link_expired` when the
    link's time is over, 404 when it was altered or the file is gone."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        auth=[],
        responses={
            **{
                (200, mime): OpenApiResponse(OpenApiTypes.BINARY)
                for mime in ("application/octet-stream", *ALLOWED_TYPES)
            },
            304: OpenApiResponse(description="Not modified (If-None-Match)."),
            403: LinkExpiredResponseSerializer,
            404: ErrorResponse404Serializer,
        },
    )
    def get(self, request: Request, token: str) -> HttpResponse:
        link = link_read(token)
        attachment = Attachment.objects.filter(pk=link.attachment_id).first()
        if attachment is None:
            raise LinkInvalid()
        if link.kind == THUMBNAIL:
            etag = f'"t-{attachment.sha256[:40]}"'
        else:
            etag = f'"{attachment.sha256[:40]}"'
        if _not_modified(request, etag):
            response: HttpResponse = HttpResponseNotModified()
        elif link.kind == THUMBNAIL:
            response = self._thumbnail(attachment)
        else:
            response = FileResponse(
                attachment.file.open("rb"),
                as_attachment=attachment.content_type not in IMAGE_TYPES,
                filename=attachment.original_name,
                content_type=attachment.content_type,
            )
        response["ETag"] = etag
        response["Cache-Control"] = f"private, max-age={link.seconds_left()}"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @staticmethod
    def _thumbnail(attachment: Attachment) -> HttpResponse:
        # Stored once by a worker after upload; written now if the worker is behind.
        name = attachment_thumbnail_make(attachment_id=attachment.pk)
        if name is None:
            raise LinkInvalid()
        with default_storage.open(name, "rb") as stored:  # a few KB
            return HttpResponse(stored.read(), content_type="image/png")
