"""JWT lifetimes and revocation (SIMPLE_JWT's obtain/refresh serializers point here).

- Absolute session lifetime: the refresh token of a password login carries `auth_time`
  (when the password was checked); rotation keeps it, never issues a refresh token that
  outlives auth_time + PLANTRACKER["SESSION_MAX_AGE_DAYS"], and refuses (401) a refresh
  after that. A token without `auth_time` (issued before this) counts from its `iat`.
- Revocation: `refresh_tokens_revoke(user_id=...)` blacklists every outstanding refresh
  token of a person (tasks_app.org.token_revocation calls it when a password changes, an
  account is deactivated or a membership ends); refresh also checks the password
  fingerprint claim (CHECK_REVOKE_TOKEN) that access tokens are checked against.
- A refresh for a person who no longer exists or is inactive is a 401
  (`no_active_account`), not simplejwt's 500 DoesNotExist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

AUTH_TIME_CLAIM = "auth_time"
# One login's id, kept by every rotation and copied into its access tokens: what
# /api/v1/me/sessions/ lists and revokes (plantracker/api/sessions.py).
SESSION_CLAIM = "sid"


def session_id_of(payload: dict[str, Any]) -> str:
    """The session a token belongs to (a token from before sessions: its own jti)."""
    return str(payload.get(SESSION_CLAIM) or payload.get(api_settings.JTI_CLAIM, ""))


def session_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.PLANTRACKER["SESSION_MAX_AGE_DAYS"])


class SessionRefreshToken(RefreshToken):
    """A refresh token that remembers when its session's password login happened."""

    @classmethod
    def for_user(cls, user: Any) -> SessionRefreshToken:
        token = super().for_user(user)  # records the outstanding token (blacklist app)
        token[AUTH_TIME_CLAIM] = int(token.current_time.timestamp())
        token[SESSION_CLAIM] = uuid.uuid4().hex
        token._cap_expiry()
        # The recorded row must hold the token as issued (with auth_time, capped expiry).
        OutstandingToken.objects.filter(jti=token[api_settings.JTI_CLAIM]).update(
            token=str(token), expires_at=datetime_from_epoch(token["exp"])
        )
        return token

    def session_end(self) -> dt.datetime:
        started = self.payload.get(AUTH_TIME_CLAIM, self.payload.get("iat"))
        return datetime_from_epoch(int(started)) + session_max_age()

    def _cap_expiry(self) -> None:
        end = self.session_end()
        if datetime_from_epoch(self.payload["exp"]) > end:
            self.payload["exp"] = int(end.timestamp())


# Named as simplejwt's own so the schema's components stay TokenObtainPair / TokenRefresh
# (generated clients and docs/mobile.md refer to them).
class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    token_class = SessionRefreshToken


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    token_class = SessionRefreshToken
    default_error_messages = {
        "no_active_account": _("该账号不存在或已停用。"),
        "token_not_valid": _("登录已失效，请重新登录。"),
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = self.token_class(attrs["refresh"])  # TokenError → 401 token_not_valid
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        user = (
            get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
            if user_id is not None
            else None
        )
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        claim = refresh.payload.get(api_settings.REVOKE_TOKEN_CLAIM)
        if claim is not None and claim != get_md5_hash_password(user.password):
            raise AuthenticationFailed(self.error_messages["token_not_valid"], "token_not_valid")
        if timezone.now() >= refresh.session_end():
            raise AuthenticationFailed(self.error_messages["token_not_valid"], "token_not_valid")

        data = {"access": str(refresh.access_token)}
        if api_settings.ROTATE_REFRESH_TOKENS:
            if api_settings.BLACKLIST_AFTER_ROTATION:
                refresh.blacklist()
            started = refresh.payload.get(AUTH_TIME_CLAIM, refresh.payload.get("iat"))
            session = session_id_of(refresh.payload)
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            refresh[AUTH_TIME_CLAIM] = int(started)
            refresh[SESSION_CLAIM] = session
            if api_settings.CHECK_REVOKE_TOKEN:
                refresh[api_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(user.password)
            refresh._cap_expiry()
            refresh.outstand()
            data["refresh"] = str(refresh)
        return data


def refresh_tokens_revoke(*, user_id: int) -> int:
    """Blacklist every unexpired, not yet blacklisted refresh token of one person; returns
    how many. Runs in the caller's transaction."""
    pending = list(
        OutstandingToken.objects.filter(user_id=user_id, expires_at__gt=timezone.now())
        .filter(blacklistedtoken__isnull=True)
        .values_list("pk", flat=True)
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=pk) for pk in pending], ignore_conflicts=True
    )
    return len(pending)
