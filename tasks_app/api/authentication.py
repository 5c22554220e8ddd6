"""JWT authentication that reads the signed-in person from the principal cache
(tasks_app/org/principal_cache.py) instead of the database on every request.

The token is checked exactly as simplejwt checks it (signature, expiry, type). The cached
person must be active and match the token's password fingerprint (CHECK_REVOKE_TOKEN);
when not, or when there is no cached person, simplejwt's own database lookup decides and
raises its own errors (user_not_found, user_inactive, password_changed); an entry the
database contradicts is dropped.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from tasks_app.models import User
from tasks_app.org.principal_cache import (
    password_fingerprint,
    principal_forget,
    principal_fresh,
    principal_of,
)


def _acceptable(user: User, token: Token) -> bool:
    if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
        return False
    if api_settings.CHECK_REVOKE_TOKEN:
        return token.get(api_settings.REVOKE_TOKEN_CLAIM) == password_fingerprint(user)
    return True


class CachedJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> Any:
        user_id = str(validated_token.get(api_settings.USER_ID_CLAIM, ""))  # simplejwt: "46"
        cached = None
        if user_id.isdecimal() and api_settings.USER_ID_FIELD == "id":
            cached = principal_of(user_id=int(user_id))
            if cached is not None and _acceptable(cached, validated_token):
                return cached
        user = super().get_user(validated_token)  # the database refuses: simplejwt's error
        if cached is not None:
            principal_forget(user_ids=[user.pk])  # the cache was behind the database
        return principal_fresh(user_id=user.pk) or user


class CachedJWTScheme(SimpleJWTScheme):
    """The schema's `jwtAuth` scheme, as for simplejwt's own class."""

    target_class = "tasks_app.api.authentication.CachedJWTAuthentication"
