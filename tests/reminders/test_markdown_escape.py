"""User text in chat-robot markdown is escaped for the robot's dialect (issue 17).

Before: a task title `[点此重新登录](https://evil.example/phish)` with a `###` heading went
raw into the WeCom/DingTalk digest, so a department member could put a phishing link
or a fake heading into a message the district's robot posts. Now every piece of user
text (task and item titles, department and person names, notification titles and
bodies) is escaped: it reads the same, but forms no link, heading, emphasis, code,
image, quote or <font> tag.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tasks_app.inbox.notifications import message_from_text
from tasks_app.models import ReminderLevel
from tasks_app.reminders.digest import digest_render
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.ladder import Candidate, LadderRules
from tasks_app.reminders.markdown import markdown_escape

HOSTILE = (
    "[点此重新登录](https://evil.example/phish)\n### 假标题 **粗** __斜__ "
    '<font color="info">绿</font> `code` ![img](http://x.example/y.png) > 引用 ~~删~~'
)
DIALECTS = ["wecom", "dingtalk"]


def _assert_defused(markdown: str, own_fonts: int = 0) -> None:
    assert "](https://evil" not in markdown and "[点此重新登录]" not in markdown
    assert "![img]" not in markdown and "](http://x.example" not in markdown
    assert "**粗**" not in markdown and "__斜__" not in markdown and "~~删~~" not in markdown
    assert "`code`" not in markdown
    assert markdown.count("<font") == own_fonts
    assert "https://evil.example" not in markdown  # not even a bare, auto-linked URL
    headings = [line for line in markdown.splitlines() if line.lstrip("> ").startswith("#")]
    assert len(headings) == 1, headings  # ours, the first line
    assert "点此重新登录" in markdown and "假标题" in markdown  # still readable


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_hostile_task_title_in_a_digest_is_escaped(settings, dialect: str) -> None:
    settings.PLANTRACKER = {**settings.PLANTRACKER, "WEBHOOK_STYLE": dialect}
    today = dt.date(2025, 6, 10)
    item = ReminderItem(
        kind="task_deadline",
        object_id=1,
        period="",
        title=HOSTILE,
        due_date=today - dt.timedelta(days=3),
        department_id=7,
        owner_id=None,
        task_id=1,
    )
    candidate = Candidate(
        item=item, level=ReminderLevel.values[0], recipient_id=1, working_days_overdue=2
    )
    message = digest_render(
        recipient_name="张三](https://evil.example/x) ### 名",
        candidates=[candidate],
        rules=LadderRules.for_day(today),
        departments={7: "区[发改委](https://evil.example/d)"},
    )
    _assert_defused(message.markdown, own_fonts=1)
    assert message.text.count("[点此重新登录](https://evil.example/phish)") == 1  # plain: as is


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_hostile_notification_is_escaped(settings, dialect: str) -> None:
    settings.PLANTRACKER = {**settings.PLANTRACKER, "WEBHOOK_STYLE": dialect}
    message = message_from_text(title="催办：" + HOSTILE.replace("\n", " "), body=HOSTILE)
    _assert_defused(message.markdown)
    assert message.markdown.startswith("### 催办：")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_ordinary_text_is_unchanged(dialect: str) -> None:
    text = "完成区域规划编制（第一阶段）2025年度，完成率85%"
    assert markdown_escape(text, dialect=dialect) == text
