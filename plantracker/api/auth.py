"""JWT endpoints with the "auth" throttle and the per-username login lockout, and the
error formatter that gives simplejwt's token errors the one standard error shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.types import Error
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from plantracker.api.sessions import session_seen
from plantracker.api.throttling import (
    AuthRateThrottle,
    RefreshRateThrottle,
    check_login_allowed,
)


class TokenObtainView(TokenObtainPairView):
    """POST {"username", "password"} → {"access", "refresh"}; 429 while the username is locked."""

    throttle_classes = [AuthRateThrottle]

    @extend_schema(summary="Obtain a JWT pair")
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if isinstance(username, str):
            check_login_allowed(username)
        response = super().post(request, *args, **kwargs)
        _record_use(request, response)
        return response


class TokenRefreshThrottledView(TokenRefreshView):
    """POST {"refresh"} → {"access", "refresh"}: rotated; the used refresh token is blacklisted."""

    throttle_classes = [RefreshRateThrottle]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().post(request, *args, **kwargs)
        _record_use(request, response)
        return response


def record_session_use(request: Request, refresh: str) -> None:
    """Where the session of `refresh` was used from (listed by /me/sessions/)."""
    session_seen(
        refresh=refresh,
        ip=AuthRateThrottle().get_ident(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def _record_use(request: Request, response: Response) -> None:
    refresh = response.data.get("refresh") if response.status_code == 200 else None
    if isinstance(refresh, str):
        record_session_use(request, refresh)


class StandardExceptionFormatter(ExceptionFormatter):
    """simplejwt raises 401s whose detail is {"detail", "code", "messages"?}; the standard
    formatter would flatten that into one error per key. Report it as one error with
    simplejwt's code (token_not_valid, no_active_account, user_inactive, ...)."""

    def get_errors(self) -> list[Error]:
        detail = self.exc.detail
        if isinstance(self.exc, AuthenticationFailed) and isinstance(detail, dict):
            message = detail.get("detail")
            code = detail.get("code")
            if message is not None and code is not None:
                return [Error(code=str(code), detail=str(message), attr=None)]
        return super().get_errors()
