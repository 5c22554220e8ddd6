"""Escaping user text for the chat robots' markdown (WeCom, DingTalk), issue 17.

Neither robot documents backslash escapes, so a backslash would show up literally and
not protect anything. Instead every character that can start markdown in the dialect
becomes its full-width twin — 【［点此］（链接）】 still reads naturally in Chinese, but
forms no link, image, heading, emphasis, strike-through, code, quote, table or HTML tag
(WeCom's <font color>, DingTalk's autolinks). "://" becomes "：//", so a URL in user
text is not auto-linked either. Line breaks become spaces: a piece of user text is
always one line inside a line we build.
"""

from __future__ import annotations

from django.conf import settings

_COMMON = {
    "\\": "＼",
    "`": "｀",
    "*": "＊",
    "_": "＿",
    "[": "［",
    "]": "］",
    "(": "（",
    ")": "）",
    "#": "＃",
    "<": "＜",
    ">": "＞",
    "!": "！",
    "~": "～",
    "|": "｜",
}
# WeCom: headings, bold, links, inline code, quotes, <font color>. DingTalk adds images,
# lists, italics and autolinks; both get the whole table (nothing in it is needed).
DIALECTS = {
    "wecom": str.maketrans(_COMMON),
    "dingtalk": str.maketrans({**_COMMON, "+": "＋", "=": "＝"}),
}


def markdown_escape(text: object, *, dialect: str | None = None) -> str:
    """`text` as inert markdown for `dialect` (default: PLANTRACKER["WEBHOOK_STYLE"])."""
    dialect = dialect or settings.PLANTRACKER["WEBHOOK_STYLE"]
    table = DIALECTS.get(dialect, DIALECTS["dingtalk"])
    one_line = " ".join(str(text).split("\n")).replace("\r", " ")
    return one_line.replace("://", "：//").translate(table)
