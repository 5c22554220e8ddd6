"""Account endpoints for apps: logout, password change, sessions (services in
plantracker/api/sessions.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenBackendError, TokenError
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.views import TokenViewBase

from plantracker.api.auth import record_session_use
from plantracker.api.sessions import (
    password_change,
    session_logout,
    session_revoke,
    sessions_of,
)
from plantracker.api.throttling import (
    AuthRateThrottle,
    RefreshRateThrottle,
    check_login_allowed,
    login_failure_record,
    login_failures_reset,
)
from plantracker.api.tokens import SessionRefreshToken, session_id_of
from plantracker.errors import ValidationError


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(write_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Signature, expiry and type are checked; a blacklisted token is fine (idempotent).
        attrs["token"] = _verified_refresh(attrs["refresh"])
        return attrs


def _verified_refresh(raw: str) -> SessionRefreshToken:
    """A refresh token we signed and that has not expired; blacklisted or not."""
    try:
        token_backend.decode(raw, verify=True)  # signature and expiry
    except TokenBackendError as exc:
        raise TokenError(_("登录已失效，请重新登录。")) from exc
    token = SessionRefreshToken(raw, verify=False)
    token.verify_token_type()
    return token


class LogoutView(TokenViewBase):
    """POST {"refresh"} → 204: the session of that refresh token ends (it and its rotated
    successors are refused from now on). No access token needed; saying it twice is fine."""

    serializer_class = LogoutSerializer
    throttle_classes = [RefreshRateThrottle]

    @extend_schema(
        summary="Log out (end the session of a refresh token)",
        request=LogoutSerializer,
        responses={204: OpenApiResponse(description="The session has ended.")},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        session_logout(refresh=serializer.validated_data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


@extend_validation_errors(["wrong_password"], field_name="old_password", methods=["post"])
@extend_validation_errors(
    ["password_unchanged", "invalid_password"], field_name="new_password", methods=["post"]
)
class PasswordChangeView(APIView):
    """POST {"old_password", "new_password"} → 200 a fresh token pair for this device.

    Every refresh token of the person is revoked and every access token stops working
    (other devices must log in again); wrong old passwords count towards the login
    lockout (429 while locked)."""

    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        summary="Change my password (ends every session)",
        request=PasswordChangeSerializer,
        responses=TokenPairSerializer,
    )
    def post(self, request: Request) -> Response:
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = request.user.get_username()
        check_login_allowed(username)
        try:
            user = password_change(
                user=request.user,
                old_password=data.validated_data["old_password"],
                new_password=data.validated_data["new_password"],
            )
        except ValidationError as exc:
            if isinstance(exc.detail, dict) and "old_password" in exc.detail:
                login_failure_record(username)
            raise
        login_failures_reset(username)
        refresh = SessionRefreshToken.for_user(user)
        record_session_use(request, str(refresh))
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class SessionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The session id (stable across refreshes).")
    created_at = serializers.DateTimeField(help_text="When its password login happened.")
    last_used_at = serializers.DateTimeField(help_text="Its last login or refresh.")
    expires_at = serializers.DateTimeField(help_text="When its refresh token expires.")
    current = serializers.BooleanField(help_text="The session of this request's token.")
    ip = serializers.CharField(
        allow_null=True, help_text="Client address of its last login or refresh, if known."
    )
    user_agent = serializers.CharField(
        allow_null=True, help_text="User-Agent of its last login or refresh, if known."
    )


def _current_session(request: Request) -> str | None:
    payload = getattr(request.auth, "payload", None)
    return session_id_of(payload) if isinstance(payload, dict) and "sid" in payload else None


class SessionListView(APIView):
    """GET → the caller's live sessions (devices logged in), most recently used first."""

    @extend_schema(summary="My sessions", responses=SessionSerializer(many=True))
    def get(self, request: Request) -> Response:
        current = _current_session(request)
        rows = [
            {**vars(s), "current": s.id == current} for s in sessions_of(user_id=request.user.pk)
        ]
        return Response(SessionSerializer(rows, many=True).data)


class SessionDetailView(APIView):
    """DELETE → 204: that session's refresh token is refused from now on."""

    @extend_schema(
        summary="End one of my sessions",
        responses={204: OpenApiResponse(description="The session has ended.")},
    )
    def delete(self, request: Request, sid: str) -> Response:
        session_revoke(user_id=request.user.pk, session_id=sid)
        return Response(status=status.HTTP_204_NO_CONTENT)
