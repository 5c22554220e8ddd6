"""What every console page shares: the admin-look context, safe redirects, service errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from plantracker.console.frame import frame_context
from plantracker.errors import ApplicationError


def page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render a console page inside the admin look (see plantracker.console.frame)."""
    return render(request, template, {**frame_context(request), **context})


def safe_next(request: HttpRequest, default: str) -> str:
    """The POSTed `next` if it points back into this site, else `default`."""
    target = request.POST.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


def error_text(exc: ApplicationError) -> str:
    """A service's refusal (a domain error) as one line of Chinese for a message banner."""
    return "；".join(exc.messages())
