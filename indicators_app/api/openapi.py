"""Inline, nullable OpenAPI schemas for nested objects that may be null.

drf-spectacular renders a nested serializer with allow_null=True as
`{"allOf": [{"$ref": ...}], "nullable": true}`, which OAS 3.0 validators (openapi-core)
read as "never null". `nullable_object(SerializerClass)` spells the object out inline
with `nullable: true` instead; use it with @extend_schema_field.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.drainage import set_override
from rest_framework import serializers

_SCALARS: tuple[tuple[type[serializers.Field], dict[str, Any]], ...] = (
    (serializers.BooleanField, {"type": "boolean"}),
    (serializers.IntegerField, {"type": "integer"}),
    (serializers.DecimalField, {"type": "number"}),
    (serializers.FloatField, {"type": "number"}),
    (serializers.DateTimeField, {"type": "string", "format": "date-time"}),
    (serializers.DateField, {"type": "string", "format": "date"}),
    (serializers.CharField, {"type": "string"}),
    (serializers.SerializerMethodField, {"type": "string"}),
)


def _field_schema(field: serializers.Field) -> dict[str, Any]:
    override = getattr(field, "_spectacular_annotation", {}).get("field")
    if isinstance(override, dict):
        return override
    if isinstance(field, serializers.ListSerializer):
        return {"type": "array", "items": _object(field.child)}
    if isinstance(field, serializers.Serializer):
        return _object(field, nullable=field.allow_null)
    if isinstance(field, serializers.ChoiceField):
        schema: dict[str, Any] = {"type": "string", "enum": list(field.choices)}
    else:
        schema = next((dict(s) for cls, s in _SCALARS if isinstance(field, cls)), {})
    if getattr(field, "allow_null", False):
        schema["nullable"] = True
    return schema


def _object(serializer: serializers.Serializer, *, nullable: bool = False) -> dict[str, Any]:
    fields = serializer.fields
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: _field_schema(field) for name, field in fields.items()},
        "required": sorted(fields),
    }
    if nullable:
        schema["nullable"] = True
    return schema


def nullable_object(serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The serializer's output as an inline object schema that also admits null."""
    return _object(serializer_class(), nullable=True)


class NullableNested(serializers.Field):
    """Read-only: `serializer_class(value).data`, or null; documented inline as nullable."""

    def __init__(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> None:
        self.serializer_class = serializer_class
        super().__init__(read_only=True, **kwargs)
        set_override(self, "field", nullable_object(serializer_class))

    def to_representation(self, value: Any) -> Any:
        # One nested serializer per bound field, not per row: building a serializer's fields
        # (deep copies, model introspection) costs far more than rendering one object.
        serializer = self.__dict__.get("_serializer")
        if serializer is None:
            serializer = self._serializer = self.serializer_class(context=self.context)
        return serializer.to_representation(value)
