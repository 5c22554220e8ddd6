"""OpenAPI generation: drf-standardized-errors' AutoSchema plus the contract's extras.

What this adds to every operation, so the served schema matches what views answer:
- 401 with simplejwt's codes too (token_not_valid, no_active_account, ...);
- 409 (conflict) and 413 (too large) on unsafe methods, in the standard error shape;
- 422 on methods taking an Idempotency-Key (the key reused for another request);
- 503 everywhere (database or cache unreachable: plantracker.api.errors);
- 412 and an `If-Match` header on methods a view lists in `if_match_methods`
  (e.g. `if_match_methods = ("PATCH",)` on a task detail, `("POST",)` on transitions);
- an `Idempotency-Key` header on methods a view lists in `idempotency_key_methods`;
- `ETag`, `If-None-Match` and the 304 answer on GETs of views using ETagRetrieveMixin;
- `pattern`s rewritten to ECMA 262 (postprocess_ecma_patterns, a POSTPROCESSING_HOOK);
- 400 entries for query parameters validated by filter backends outside django-filter
  (a backend may define `get_schema_validation_errors(view) -> {param: {codes}}`,
  as plantracker.api.sync.UpdatedSinceFilter does for `updated_since`).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from drf_spectacular.contrib.rest_framework_simplejwt import (
    TokenObtainPairSerializerExtension,
    TokenRefreshSerializerExtension,
)
from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from rest_framework import serializers
from rest_framework_simplejwt.views import TokenViewBase

from plantracker.api.concurrency import ETagRetrieveMixin
from plantracker.api.sync import TOMBSTONE_SCHEMA

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
EXTRA_ERROR_STATUS_CODES = ("409", "412", "413", "422", "503")

ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="Version tag of the object; send it back in If-None-Match / If-Match.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="An ETag from an earlier GET: 304 with no body when nothing changed.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag the change is based on: 412 and nothing written when stale.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Retry-safe creation: the same key again returns the first result.",
)


class ErrorCode401Enum(models.TextChoices):
    """401 codes: DRF's two plus simplejwt's (bad, expired or blacklisted tokens, logins)."""

    AUTHENTICATION_FAILED = "authentication_failed"
    NOT_AUTHENTICATED = "not_authenticated"
    TOKEN_NOT_VALID = "token_not_valid"
    NO_ACTIVE_ACCOUNT = "no_active_account"
    BAD_AUTHORIZATION_HEADER = "bad_authorization_header"
    USER_NOT_FOUND = "user_not_found"
    USER_INACTIVE = "user_inactive"
    PASSWORD_CHANGED = "password_changed"


class Error401Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ErrorCode401Enum.choices)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse401Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error401Serializer(many=True)


class ClientErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


def _client_error_response(name: str, doc: str) -> type[serializers.Serializer]:
    """A standard error envelope {"type": "client_error", "errors": [...]} for one status."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": doc,
            "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
            "errors": ClientErrorDetailSerializer(many=True),
        },
    )


ErrorResponse409Serializer = _client_error_response(
    "ErrorResponse409Serializer", "The action is not allowed from the object's current state."
)
ErrorResponse412Serializer = _client_error_response(
    "ErrorResponse412Serializer", "If-Match no longer matches: the object changed meanwhile."
)
ErrorResponse413Serializer = _client_error_response(
    "ErrorResponse413Serializer", "The request body or an upload is too large."
)
ErrorResponse422Serializer = _client_error_response(
    "ErrorResponse422Serializer",
    "The Idempotency-Key was already used for a different request (attr: Idempotency-Key).",
)


class ServerErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse503Serializer(serializers.Serializer):
    """The database or the cache is unreachable: retry later (plantracker.api.errors)."""

    type = serializers.ChoiceField(choices=ServerErrorEnum.choices)
    errors = ServerErrorDetailSerializer(many=True)


EXTRA_ERROR_SERIALIZERS = {
    "401": ErrorResponse401Serializer,
    "409": ErrorResponse409Serializer,
    "412": ErrorResponse412Serializer,
    "413": ErrorResponse413Serializer,
    "422": ErrorResponse422Serializer,
    "503": ErrorResponse503Serializer,
}


class AutoSchema(StandardizedErrorsAutoSchema):
    """The project's schema class (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

    def _has_etag(self) -> bool:
        return self.method == "GET" and isinstance(self.view, ETagRetrieveMixin)

    def _view_methods(self, attribute: str) -> set[str]:
        return {m.upper() for m in getattr(self.view, attribute, ())}

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._has_etag():
            parameters += [IF_NONE_MATCH, ETAG_HEADER]
        if self.method in self._view_methods("if_match_methods"):
            parameters.append(IF_MATCH)
        if self.method in self._view_methods("idempotency_key_methods"):
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction=direction)
        if direction == "response" and self._has_etag() and "304" not in responses:
            responses["304"] = {
                "description": "Not modified (If-None-Match matched the current ETag).",
                "headers": self._get_response_headers_for_code("304", direction),
            }
        return responses

    def _get_allowed_error_status_codes(self) -> list[str]:
        return [*super()._get_allowed_error_status_codes(), *EXTRA_ERROR_STATUS_CODES]

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code == "409":
            return status_code not in responses and self.method in UNSAFE_METHODS
        if status_code == "412":
            return status_code not in responses and self.method in self._view_methods(
                "if_match_methods"
            )
        if status_code == "401" and isinstance(self.view, TokenViewBase):
            # no authentication classes, yet bad credentials or tokens answer 401
            return status_code not in responses
        if status_code == "503":
            return status_code not in responses
        if status_code == "422":
            return status_code not in responses and self.method in self._view_methods(
                "idempotency_key_methods"
            )
        if status_code == "413":
            return status_code not in responses and self.method in ("POST", "PUT", "PATCH")
        return super()._should_add_error_response(responses, status_code)

    def _get_error_response_serializer(self, status_code: str) -> Any:
        return EXTRA_ERROR_SERIALIZERS.get(status_code) or super()._get_error_response_serializer(
            status_code
        )

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        extra = dict(super()._get_extra_validation_errors())
        for backend in self.get_filter_backends():
            hook = getattr(backend, "get_schema_validation_errors", None)
            if hook is None:
                continue
            for field, codes in hook(backend(), self.view).items():
                extra[field] = set(extra.get(field, set())) | set(codes)
        if self.method == "GET" and self._is_list_view():
            # A cursor the server did not make is a 400 (plantracker.api.pagination).
            hook = getattr(getattr(self.view, "pagination_class", None), "schema_errors", None)
            if hook is not None:
                for field, codes in hook().items():
                    extra[field] = set(extra.get(field, set())) | set(codes)
        return extra


_PY_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _ecma_patterns(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                node[key] = _PY_NAMED_GROUP.sub("(", value)
            else:
                _ecma_patterns(value)
    elif isinstance(node, list):
        for item in node:
            _ecma_patterns(item)


def postprocess_ecma_patterns(result: dict, generator: Any, **kwargs: Any) -> dict:
    """Spectacular hook: Python's `(?P<name>…)` groups (from RegexValidator) are not ECMA 262
    regexes, which OpenAPI requires; plain groups match the same strings."""
    _ecma_patterns(result)
    return result


def postprocess_parameter_enums(result: dict, generator: Any, **kwargs: Any) -> dict:
    """Spectacular hook: a query parameter's inline enum becomes a `$ref` to the named
    component enum with the same values (`status` → TaskStatusEnum, `flag` → FlagEnum), so a
    generated client has one type per value set. An enum with no component gets a name of
    its own (`<Param>ParameterEnum`) instead of a title-derived one."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    by_values = {
        frozenset(component["enum"]): name
        for name, component in sorted(schemas.items())
        if isinstance(component.get("enum"), list) and component.get("type") == "string"
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", ()):
                schema = parameter.get("schema", {})
                values = schema.get("enum")
                if parameter.get("in") != "query" or not isinstance(values, list):
                    continue
                name = by_values.get(frozenset(values))
                if name is None:
                    name = "".join(part.title() for part in parameter["name"].split("_"))
                    name = f"{name}ParameterEnum"
                    schemas.setdefault(name, {"type": "string", "enum": list(values)})
                    by_values[frozenset(values)] = name
                parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}
    return result


def postprocess_tombstone(result: dict, generator: Any, **kwargs: Any) -> dict:
    """Spectacular hook: the sync lists' `{"id", "deleted": true}` item, named once."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Tombstone"] = dict(TOMBSTONE_SCHEMA)
    return result


class SessionTokenObtainPairExtension(TokenObtainPairSerializerExtension):
    """Our login serializer (plantracker.api.tokens) documented as simplejwt's is:
    {username, password} in, {access, refresh} out (component TokenObtainPair)."""

    target_class = "plantracker.api.tokens.TokenObtainPairSerializer"


class SessionTokenRefreshExtension(TokenRefreshSerializerExtension):
    target_class = "plantracker.api.tokens.TokenRefreshSerializer"
