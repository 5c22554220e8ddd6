"""Sessions (one password login and its rotated refresh tokens), logout and password
change: the services behind /api/v1/auth/logout/, /api/v1/me/sessions/ and
/api/v1/me/password/ (views: plantracker/api/accounts.py).

A session is the set of outstanding refresh tokens sharing a `sid` claim
(plantracker.api.tokens.SESSION_CLAIM); it is live while one of them is neither expired nor
blacklisted. Ending a session blacklists its live refresh tokens: the next refresh is a
401. Its access tokens stay valid until they expire (JWT_ACCESS_MINUTES), as with any
logout of stateless tokens; a password change ends those at once too (CHECK_REVOKE_TOKEN).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from plantracker.api.throttling import CACHE_ERRORS
from plantracker.api.tokens import session_id_of, session_max_age
from plantracker.errors import NotFound, ValidationError

logger = logging.getLogger(__name__)


# Where a session was last used from (login or refresh): best effort, in the cache, so
# recording it costs no write to the database; lost with the cache, and then null.
SEEN_KEY = "plantracker:session-seen:%s"
USER_AGENT_MAX_CHARS = 300


@dataclass(frozen=True)
class SessionInfo:
    id: str
    created_at: dt.datetime
    last_used_at: dt.datetime
    expires_at: dt.datetime
    ip: str | None = None
    user_agent: str | None = None


def session_seen(*, refresh: str, ip: str | None, user_agent: str) -> None:
    """Remember the address and user agent of the login or refresh that issued `refresh`."""
    sid = session_id_of(_payload(refresh))
    if not sid:
        return
    seen = {"ip": ip, "user_agent": user_agent[:USER_AGENT_MAX_CHARS]}
    try:
        cache.set(SEEN_KEY % sid, seen, timeout=int(session_max_age().total_seconds()))
    except CACHE_ERRORS:
        logger.warning("session %s: cache unreachable, where it was used is not kept", sid)


def _seen(sids: list[str]) -> dict[str, dict[str, Any]]:
    try:
        found = cache.get_many([SEEN_KEY % sid for sid in sids])
    except CACHE_ERRORS:
        return {}
    return {key.rpartition(":")[2]: value for key, value in found.items()}


def _payload(raw: str) -> dict[str, Any]:
    """The claims of a token we issued and stored (its signature was checked then)."""
    try:
        return token_backend.decode(raw, verify=False)
    except TokenBackendError:
        return {}


def _live_tokens(user_id: int) -> list[tuple[OutstandingToken, dict[str, Any]]]:
    rows = (
        OutstandingToken.objects.filter(user_id=user_id, expires_at__gt=timezone.now())
        .filter(blacklistedtoken__isnull=True)
        .order_by("created_at", "id")
    )
    return [(row, _payload(row.token)) for row in rows]


def sessions_of(*, user_id: int) -> list[SessionInfo]:
    """The person's live sessions, the most recently used first (one query)."""
    grouped: dict[str, list[tuple[OutstandingToken, dict[str, Any]]]] = {}
    for row, payload in _live_tokens(user_id):
        grouped.setdefault(session_id_of(payload) or row.jti, []).append((row, payload))
    sessions = []
    seen = _seen(list(grouped))
    for sid, rows in grouped.items():
        started = [p.get("auth_time", p.get("iat")) for _r, p in rows if p]
        created = (
            dt.datetime.fromtimestamp(min(int(s) for s in started), tz=dt.UTC)
            if any(s is not None for s in started)
            else rows[0][0].created_at
        )
        sessions.append(
            SessionInfo(
                id=sid,
                created_at=created,
                last_used_at=max(r.created_at for r, _p in rows),
                expires_at=max(r.expires_at for r, _p in rows),
                ip=seen.get(sid, {}).get("ip"),
                user_agent=seen.get(sid, {}).get("user_agent"),
            )
        )
    return sorted(sessions, key=lambda s: s.last_used_at, reverse=True)


def _blacklist(rows: list[OutstandingToken]) -> int:
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=row) for row in rows], ignore_conflicts=True
    )
    return len(rows)


@transaction.atomic
def session_revoke(*, user_id: int, session_id: str) -> int:
    """End one of the person's live sessions; 404 when there is no such live session."""
    rows = [r for r, p in _live_tokens(user_id) if (session_id_of(p) or r.jti) == session_id]
    if not rows:
        raise NotFound()
    return _blacklist(rows)


@transaction.atomic
def session_logout(*, refresh: RefreshToken) -> int:
    """End the session of a (verified) refresh token: it and any other live token of the
    same session. Idempotent: a session already ended ends again quietly."""
    payload = refresh.payload
    user_id = payload.get(api_settings.USER_ID_CLAIM)
    sid = session_id_of(payload)
    rows = [
        r
        for r, p in (_live_tokens(user_id) if user_id is not None else [])
        if (session_id_of(p) or r.jti) == sid
    ]
    own = OutstandingToken.objects.filter(jti=payload[api_settings.JTI_CLAIM]).first()
    if own is not None and own not in rows:
        rows.append(own)
    return _blacklist(rows)


@transaction.atomic
def password_change(
    *, user: AbstractBaseUser, old_password: str, new_password: str
) -> AbstractBaseUser:
    """Check the old password and Django's validators, then set the new one. Saving it
    revokes every refresh token of the person (tasks_app.org.token_revocation) and the
    password fingerprint in every access token stops matching."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("原密码不正确。")]}, code="wrong_password")
    if old_password == new_password:
        raise ValidationError(
            {"new_password": [_("新密码不能与原密码相同。")]}, code="password_unchanged"
        )
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationError(
            {"new_password": list(exc.messages)}, code="invalid_password"
        ) from exc
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user
