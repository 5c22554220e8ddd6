"""Content-Security-Policy on the console, the admin and the API docs (issue 17).

Before: no CSP anywhere; /api/v1/docs/ ran a CDN script with no integrity. Now every HTML
page carries a policy that allows only this origin (no third-party origin, no inline or
eval'd script; inline style attributes only, for the console's progress bars), forbids
framing, plugins and foreign form targets. The docs page's own inline boot script is
allowed by its hash, nothing else inline. (Swagger UI's files still come from a CDN until
they are served from here; the policy blocks them rather than trusting a third party.)
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.api.tasks_support import World

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _assert_strict(response) -> dict[str, list[str]]:
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for directive, sources in policy.items():
        for source in sources:
            assert source in ("'self'", "'none'", "data:", "'unsafe-inline'") or source.startswith(
                "'sha256-"
            ), (directive, source)  # no origin but our own, no wildcard, no eval
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy.get("style-src-elem", ["'self'"])
    return policy


def _same_origin_assets(html: str) -> None:
    for url in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html):
        assert not re.match(r"^(https?:)?//", url), url


def test_console_pages_carry_the_policy(world: World) -> None:
    browser = Client()
    login = browser.get("/console/login/")
    _assert_strict(login)
    _same_origin_assets(login.content.decode())
    browser.force_login(world.supervisor)
    for url in ("/console/overdue/", f"/console/tasks/{world.task.pk}/", "/console/quarters/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        _assert_strict(response)
        _same_origin_assets(response.content.decode())


def test_admin_pages_carry_the_policy(admin_client: Client) -> None:
    for url in ("/admin/login/", "/admin/", "/admin/tasks_app/task/"):
        response = admin_client.get(url) if url != "/admin/login/" else Client().get(url)
        assert response.status_code == 200, url
        _assert_strict(response)
        _same_origin_assets(response.content.decode())


def test_the_docs_page_allows_only_its_own_inline_script() -> None:
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    policy = _assert_strict(response)
    hashes = [s for s in policy["script-src"] if s.startswith("'sha256-")]
    inline = re.findall(r"<script>(.*?)</script>", response.content.decode(), re.S)
    assert len(hashes) == len(inline) >= 1


def test_json_answers_need_no_policy_but_do_not_break(world: World) -> None:
    assert Client().get("/healthz").status_code in (200, 503)
