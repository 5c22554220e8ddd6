"""Throttles (auth endpoints, writes) and the per-username login lockout, on the cache.

The cache is Redis in production and tests (CACHE_URL), so limits hold across web
processes. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] ("auth", "writes"),
read on every request so `override_settings` works in tests.

Lockout: after PLANTRACKER["LOGIN_LOCKOUT_ATTEMPTS"] failed logins for one username
within PLANTRACKER["LOGIN_LOCKOUT_SECONDS"], every login for that username is refused
until the window (counted from the first failure) ends: the token endpoint answers 429,
session and admin logins fail as with a wrong password. Counting happens in
`LockoutModelBackend`, so every path through `django.contrib.auth.authenticate` counts.

Cache down (Redis unreachable): the rate throttles let requests through (they protect
capacity, and the API must keep serving); the lockout does not: password logins are
refused (token endpoint 503 "unavailable", session logins fail) until the cache is back,
so nobody can guess passwords unmetered. Refresh tokens keep working (no password).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from plantracker.api.exceptions import ServiceUnavailable

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - a cache without redis
    RedisError = OSError

logger = logging.getLogger(__name__)
# What an unreachable cache raises (redis-py's errors; sockets for other backends).
CACHE_ERRORS = (RedisError, OSError)


class _SettingsRateThrottle(SimpleRateThrottle):
    """SimpleRateThrottle that reads its rate from the settings at request time."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("throttle %r: cache unreachable, request let through", self.scope)
            return True


class AuthRateThrottle(_SettingsRateThrottle):
    """Scope "auth": logins (token requests) per client address."""

    scope = "auth"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class RefreshRateThrottle(AuthRateThrottle):
    """Scope "auth_refresh": refreshes per client address, not counted as logins."""

    scope = "auth_refresh"


class WritesRateThrottle(_SettingsRateThrottle):
    """Scope "writes": unsafe requests (POST, PUT, PATCH, DELETE) per user, else address."""

    scope = "writes"

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- Login lockout --------------------------------------------------------------------


class LoginLocked(Throttled):
    default_detail = _("登录失败次数过多，该账号已被暂时锁定。")
    extra_detail_singular = _("请在 {wait} 秒后重试。")
    extra_detail_plural = _("请在 {wait} 秒后重试。")


def _lockout_conf() -> tuple[int, int]:
    conf = settings.PLANTRACKER
    return conf["LOGIN_LOCKOUT_ATTEMPTS"], conf["LOGIN_LOCKOUT_SECONDS"]


def _keys(username: str) -> tuple[str, str]:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"login-fail:{digest}:count", f"login-fail:{digest}:since"


def login_failure_record(username: str) -> int:
    """Count one failed login for `username`; returns the failures in the current window."""
    _attempts, window = _lockout_conf()
    count_key, since_key = _keys(username)
    cache.add(since_key, time.time(), window)
    cache.add(count_key, 0, window)
    try:
        return cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, window)
        return 1


def login_failures_reset(username: str) -> None:
    cache.delete_many(list(_keys(username)))


def login_lockout_seconds(username: str) -> int:
    """Seconds until `username` may log in again; 0 when not locked."""
    attempts, window = _lockout_conf()
    count_key, since_key = _keys(username)
    values = cache.get_many([count_key, since_key])
    if values.get(count_key, 0) < attempts:
        return 0
    since = values.get(since_key, time.time())
    return max(1, int(since + window - time.time()))


def check_login_allowed(username: str) -> None:
    """Raise 429 (LoginLocked) when `username` is locked out; 503 when the lockout counter
    (the cache) cannot be read."""
    try:
        wait = login_lockout_seconds(username) if username else 0
    except CACHE_ERRORS:
        logger.error("login refused: the lockout counter (cache) is unreachable")
        raise ServiceUnavailable() from None
    if wait:
        raise LoginLocked(wait=wait)


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses locked usernames and counts failures (every login path)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(self._username_field())
        if not username or password is None:
            return None
        try:
            if login_lockout_seconds(username):
                return None
            user = super().authenticate(request, username=username, password=password, **kwargs)
            if user is None:
                login_failure_record(username)
            else:
                login_failures_reset(username)
        except CACHE_ERRORS:
            logger.error("login refused: the lockout counter (cache) is unreachable")
            return None
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
