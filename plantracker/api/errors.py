"""The exception handler of the API (DRF_STANDARDIZED_ERRORS["EXCEPTION_HANDLER_CLASS"]).

drf-standardized-errors' handler turns every exception that is not DRF's own into a 500.
Two kinds a client can cause, or must simply wait out, get their proper answer instead:
- the database cannot be reached (or drops the connection mid-request): 503, code
  "unavailable" — retry later. Still reported as a server error (logged,
  got_request_exception); the request's transaction is gone with the connection;
- Django's refusals of a request (SuspiciousOperation): a body over
  DATA_UPLOAD_MAX_MEMORY_SIZE is 413 "too_large", the others (too many form fields, …)
  400 "parse_error" — what Django itself answers outside the API;
- the services' domain errors (plantracker/errors.py) become the DRF exception of the
  same status, detail and code, so the one error shape holds for them too.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions as drf
from rest_framework.exceptions import ParseError

from plantracker import errors
from plantracker.api.exceptions import (
    Conflict,
    PayloadTooLarge,
    PreconditionFailed,
    ServiceUnavailable,
)

_DRF_FOR_DOMAIN: dict[type[errors.ApplicationError], type[drf.APIException]] = {
    errors.ValidationError: drf.ValidationError,
    errors.PermissionDenied: drf.PermissionDenied,
    errors.NotFound: drf.NotFound,
    errors.Conflict: Conflict,
    errors.PreconditionFailed: PreconditionFailed,
    errors.PayloadTooLarge: PayloadTooLarge,
}


def api_exception_for(exc: errors.ApplicationError) -> drf.APIException:
    """The DRF exception answering a service's refusal: same status, detail and code."""
    for cls in type(exc).__mro__:
        if cls in _DRF_FOR_DOMAIN:
            return _DRF_FOR_DOMAIN[cls](detail=exc.detail, code=exc.code)
    failure = drf.APIException(detail=exc.detail, code=exc.code)
    failure.status_code = exc.status
    return failure


class StandardExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, errors.ApplicationError):
            return api_exception_for(exc)
        if isinstance(exc, OperationalError | InterfaceError):
            return ServiceUnavailable()
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, SuspiciousOperation):
            return ParseError()
        return super().convert_known_exceptions(exc)
