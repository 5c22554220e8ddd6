"""Content-Security-Policy on every HTML page: console, admin, API docs (issue 17).

Only this origin: no third-party script, style, font, image or connection; no inline or
eval'd script; inline style *attributes* only (the console's progress bars are
`style="width: N%"`), no inline <style> elements; no plugins, no framing, forms post only
here. django-csp is not a dependency; this is the whole of it.

One page has inline elements of its own: the API docs (drf-spectacular's Swagger UI page
boots with an inline <script> and styles with an inline <style>, both rendered from
settings, never from user input). That page, and only it, gets the sha256 of exactly
those blocks added to the policy. Its Swagger UI files stay blocked while they come from
a CDN (a separate change serves them from here).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-elem": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# URL names of pages whose own inline <script>/<style> blocks are allowed by hash.
HASHED_INLINE_VIEWS = {"docs"}
_INLINE = {
    "script": re.compile(r"<script>(.*?)</script>", re.S),
    "style": re.compile(r"<style>(.*?)</style>", re.S),
}


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def policy_for(html: str | None = None) -> str:
    policy = {name: list(sources) for name, sources in POLICY.items()}
    if html is not None:
        scripts = [_sha256(block) for block in _INLINE["script"].findall(html)]
        styles = [_sha256(block) for block in _INLINE["style"].findall(html)]
        policy["script-src"] += scripts
        policy["style-src"] += styles
        policy["style-src-elem"] += styles
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.default = policy_for()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER in response or not response.get("Content-Type", "").startswith("text/html"):
            return response
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and match.url_name in HASHED_INLINE_VIEWS
            and not getattr(response, "streaming", False)
        ):
            response[HEADER] = policy_for(response.content.decode(response.charset or "utf-8"))
        else:
            response[HEADER] = self.default
        return response
