"""What every console page shares: the admin-look context, safe redirects, service errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.exceptions import APIException

from tasks_app.console.frame import frame_context


def page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render a console page inside the admin look (see tasks_app.console.frame)."""
    return render(request, template, {**frame_context(request), **context})


def safe_next(request: HttpRequest, default: str) -> str:
    """The POSTed `next` if it points back into this site, else `default`."""
    target = request.POST.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


def error_text(exc: APIException) -> str:
    """A service's refusal (DRF exception) as one line of Chinese for a message banner."""
    detail = exc.detail
    if isinstance(detail, dict):
        parts = [str(m) for messages in detail.values() for m in _as_list(messages)]
        return "；".join(parts)
    return "；".join(str(m) for m in _as_list(detail))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]
