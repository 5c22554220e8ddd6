"""Per-address throttle of the session logins (console, admin, browsable API), issue 17.

The token endpoint has the "auth" throttle (plantracker.api.throttling.AuthRateThrottle);
the session login forms had none, so one address could spray passwords over many
predictable usernames. This middleware gives a POST to any of those forms the same
throttle with the same cache key: token and session logins from one address draw on one
bucket (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"]); over it, 429 with Retry-After.
The per-username lockout needs nothing here: LockoutModelBackend counts every login.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from plantracker.api.throttling import AuthRateThrottle

SESSION_LOGIN_VIEWS = {"admin:login", "console:login", "rest_framework:login"}


class SessionLoginThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in SESSION_LOGIN_VIEWS:
            return None
        throttle = AuthRateThrottle()
        if throttle.allow_request(request, None):
            return None
        wait = throttle.wait()
        response = HttpResponse(
            _("登录尝试过于频繁，请稍后再试。"),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        if wait is not None:
            response["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
