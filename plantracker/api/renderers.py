"""JSON in and out with orjson (drf-orjson-renderer), byte for byte what DRF's own
JSONRenderer writes (docs/performance-floor.md; tests/api/test_renderers.py).

drf-orjson-renderer's renderer differs from DRF's in a few places, and bodies are part of
the contract (ETags, idempotent replays, generated clients), so this subclass keeps DRF's:
- datetimes, dates and times go through DRF's JSONEncoder (a UTC datetime ends in "Z",
  microseconds kept), as do lazy strings, UUIDs, querysets and anything else DRF knows;
  Decimals are numbers (COERCE_DECIMAL_TO_STRING is off) written as json writes floats;
- one difference is left: a Python float (not a Decimal) below 1e-4 is written by orjson
  as 0.00001 / 1e-7 where json writes 1e-05 / 1e-07 (the same number to any parser; the
  API's floats are scores and percentages);
- Chinese and every other non-ASCII character unescaped (UNICODE_JSON), compact
  separators, U+2028/U+2029 escaped as DRF does;
- an indented body (the browsable API, `Accept: application/json; indent=4`) and
  anything orjson refuses (an integer beyond 64 bits) are left to DRF's renderer.

The parser is drf-orjson-renderer's: malformed JSON is the same 400 `parse_error`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from drf_orjson_renderer.parsers import ORJSONParser
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.encoders import JSONEncoder

__all__ = ["JSONParser", "JSONRenderer"]

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


_ENCODER = JSONEncoder()


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):  # as json writes the float (orjson: 1e-7, json: 1e-07)
        return orjson.Fragment(repr(float(obj)))
    return _ENCODER.default(obj)


class JSONRenderer(ORJSONRenderer):
    media_type = "application/json"
    format = "json"
    charset = None
    _drf = DRFJSONRenderer()
    _default = staticmethod(_default)

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        context = renderer_context or {}
        if self._drf.get_indent(accepted_media_type or "", context):
            return self._drf.render(data, accepted_media_type, context)
        try:
            body = orjson.dumps(data, default=self._default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return self._drf.render(data, accepted_media_type, context)  # DRF's own error
        for raw, escaped in _LINE_SEPARATORS:
            if raw in body:
                body = body.replace(raw, escaped)
        return body


class JSONParser(ORJSONParser, DRFJSONParser):
    """Request bodies (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]). A DRF JSONParser too, so
    DRF reads the body through request.body and it stays readable afterwards (as with
    DRF's parser: the idempotency records, tests/openapi.py)."""
