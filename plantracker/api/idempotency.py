"""`Idempotency-Key` on creating POSTs: the same key again returns the first result.

Usage in a view:   return idempotent_create(request, lambda: self._create(request))
The record row is inserted first inside the transaction; on PostgreSQL a concurrent
request with the same key blocks on the unique index until the first commits, then
replays the stored response. A key reused for a different path, method or body is a
422 naming the key (`attr` "Idempotency-Key", code `idempotency_key_reused`): a client
bug that would otherwise get someone else's reply.

The body is compared by a fingerprint of the parsed data (JSON canonicalised; an upload by
its field name, file name and size).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from plantracker.api.exceptions import IdempotencyKeyReused

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _record_model() -> type[Model]:
    """The model that stores replies (settings.PLANTRACKER_IDEMPOTENCY_MODEL, app_label.Model)."""
    return apps.get_model(settings.PLANTRACKER_IDEMPOTENCY_MODEL)


def _part(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {"file": value.name, "size": value.size}
    return value


def request_fingerprint(request: Request) -> str:
    """sha256 of the request's parsed body (JSON or multipart), key order ignored."""
    data = request.data
    if hasattr(data, "lists"):  # QueryDict: form fields and files
        data = {key: [_part(v) for v in values] for key, values in data.lists()}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(record: Model, request: Request, fingerprint: str) -> Response:
    same_request = record.path == request.path and record.method == request.method
    if not same_request or (record.body_hash and record.body_hash != fingerprint):
        raise IdempotencyKeyReused(
            {HEADER: [_("该幂等键已用于其他请求。")]}, code="idempotency_key_reused"
        )
    response = Response(record.response_body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent_create(request: Request, create: Callable[[], Response]) -> Response:
    """Run `create` once per (user, Idempotency-Key); without the header just run it."""
    key = request.headers.get(HEADER)
    if not key:
        return create()
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError({HEADER: [_("幂等键过长。")]}, code="max_length")
    fingerprint = request_fingerprint(request)
    try:
        with transaction.atomic():
            record = _record_model().objects.create(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path,
                body_hash=fingerprint,
            )
            response = create()
            if not status.is_success(response.status_code):
                # Failed attempts are not remembered: roll the record back, keep the error.
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            # Stored as rendered JSON so a replay is byte-for-byte the same document.
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.save(update_fields=["status_code", "response_body"])
            return response
    except IntegrityError:
        existing = _record_model().objects.filter(user=request.user, key=key).first()
        if existing is None:
            raise
        return _replay(existing, request, fingerprint)


def parse_then_create(
    request: Request,
    input_class: type[Serializer],
    create: Callable[[dict[str, Any]], Response],
) -> Response:
    """The shape of every creating POST: validate the body with `input_class` (a 400 naming
    the fields, before anything is recorded), then `create(validated_data)` once per
    Idempotency-Key (a retry gets the first answer)."""
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    return idempotent_create(request, lambda: create(values))
