"""Chinese (zh-hans) by default, English with Accept-Language: en; the catalogue is complete."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from tasks_app.models import Department
from tests.conftest import PASSWORD, REPO

PO = REPO / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def lead(make_member):
    return make_member(Department.objects.create(code="qtjj", name="测试统计局"), "dept_lead")


def _detail(response) -> str:
    return response.json()["errors"][0]["detail"]


@pytest.mark.django_db
def test_validation_error_in_chinese_then_english(lead, validated_api) -> None:
    client = validated_api(lead)
    zh = client.get("/api/v1/milestones/?due_before=2025-13-45")
    assert zh.status_code == 400 and zh["Content-Language"] == "zh-hans"
    assert _detail(zh) == "输入一个有效的日期。"
    en = client.get("/api/v1/milestones/?due_before=2025-13-45", **EN)
    assert en.status_code == 400 and en["Content-Language"] == "en"
    assert _detail(en) == "Enter a valid date."
    assert en.json()["errors"][0]["attr"] == "due_before"


@pytest.mark.django_db
def test_project_messages_in_chinese_then_english(lead, validated_api) -> None:
    client = validated_api(lead)
    url = "/api/v1/departments/?updated_since=2025-03-01T08:00:00"
    assert _detail(client.get(url)) == "时间必须包含时区偏移，如 +08:00 或 Z。"
    assert (
        _detail(client.get(url, **EN)) == "The time must include a UTC offset, such as +08:00 or Z."
    )


@pytest.mark.django_db
def test_not_found_in_chinese_then_english(lead, validated_api) -> None:
    client = validated_api(lead)
    assert _detail(client.get("/api/v1/plans/987654/")) == "未找到。"
    assert _detail(client.get("/api/v1/plans/987654/", **EN)) == "Not found."
    assert _detail(client.post("/api/v1/notifications/987654/read/", **EN)) == "Not found."


@pytest.mark.django_db
def test_unauthenticated_in_chinese_then_english(validated_api) -> None:
    client = validated_api(None)
    assert _detail(client.get("/api/v1/me/")) == "身份认证信息未提供。"
    assert _detail(client.get("/api/v1/me/", **EN)) == (
        "Authentication credentials were not provided."
    )


@pytest.mark.django_db
def test_lockout_message_in_english(lead, validated_api) -> None:
    client = validated_api(None)
    conf = {**settings.PLANTRACKER, "LOGIN_LOCKOUT_ATTEMPTS": 1}
    with override_settings(PLANTRACKER=conf):
        client.post("/api/v1/auth/token/", {"username": lead.username, "password": "x"})
        body = {"username": lead.username, "password": PASSWORD}
        zh = client.post("/api/v1/auth/token/", body)
        en = client.post("/api/v1/auth/token/", body, **EN)
    assert _detail(zh).startswith("登录失败次数过多，该账号已被暂时锁定。 请在 ")
    assert re.fullmatch(
        r"Too many failed logins: this account is temporarily locked\. Try again in \d+ seconds\.",
        _detail(en),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "language"),
    [("zh-CN", "zh-hans"), ("fr", "zh-hans"), ("en-US,en;q=0.9", "en"), ("", "zh-hans")],
)
def test_language_negotiation(header, language, lead, validated_api) -> None:
    response = validated_api(lead).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE=header)
    assert response["Content-Language"] == language


# --- the catalogue -------------------------------------------------------------------------

DJANGO_KEYWORDS = [
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "npgettext:1c,2,3",
    "pgettext_lazy:1c,2",
    "npgettext_lazy:1c,2,3",
]


def _entries(po_text: str) -> list[tuple[str, str, str]]:
    """(flags, msgid, msgstr) of every entry but the header."""
    found = []
    for block in po_text.split("\n\n")[1:]:
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        match = re.search(r"^msgid ((?:\".*\"\n)+)msgstr ((?:\".*\"\n?)+)", block + "\n", re.M)
        if match:
            msgid, msgstr = ("".join(re.findall(r'"(.*)"', g)) for g in match.groups())
            found.append((flags, msgid, msgstr))
    return found


def test_every_entry_is_translated_and_none_fuzzy() -> None:
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 100
    assert [msgid for flags, msgid, _ in entries if "fuzzy" in flags] == []
    assert [msgid for _, msgid, msgstr in entries if not msgstr] == []


def test_compiled_catalogue_matches_the_po(tmp_path: Path) -> None:
    assert shutil.which("msgfmt"), "msgfmt (gettext) is needed to check the catalogue"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(PO)], check=True)
    with MO.open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(compiled)._catalog
        ), "locale/en/LC_MESSAGES/django.mo is stale: run compilemessages"


def test_every_chinese_string_in_the_code_has_an_entry() -> None:
    """xgettext over the project's Python, with Django's keywords, finds nothing missing."""
    assert shutil.which("xgettext")
    sources = [
        str(path)
        for folder in ("plantracker", "tasks_app", "indicators_app")
        for path in sorted((REPO / folder).rglob("*.py"))
        if "migrations" not in path.parts
    ]
    keywords = [f"--keyword={k}" for k in DJANGO_KEYWORDS]
    pot = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "-o", "-", *keywords, *sources],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    in_code = {msgid for _, msgid, _ in _entries(pot) if re.search(r"[\u4e00-\u9fff]", msgid)}
    in_po = {msgid for _, msgid, _ in _entries(PO.read_text(encoding="utf-8"))}
    missing = sorted(in_code - in_po)
    assert not missing, f"run makemessages -l en and translate: {missing[:20]}"
