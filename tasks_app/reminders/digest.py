"""One digest per recipient per run: every item the person hears about today, by rung.

Rendered once, when the run records it, into the inbox text, an e-mail (plain text and
HTML) and a chat-robot markdown; retries resend exactly the stored text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tasks_app.models import ReminderLevel
from tasks_app.reminders.channels import RenderedMessage
from tasks_app.reminders.ladder import LEVEL_ORDER, Candidate, LadderRules
from tasks_app.reminders.markdown import markdown_escape
from tasks_app.workflow.workdays import working_days_between

# WeCom caps markdown content at 4096 bytes; keep a margin for the header and tail.
WEBHOOK_MAX_BYTES = 3800


def kind_label(kind: str) -> str:
    labels = {
        "task_deadline": _("任务完成时限"),
        "milestone": _("阶段节点"),
        "progress_report": _("月度进展报告"),
        "indicator_observation": _("指标数据报送"),
        "supervision_notice": _("督办单反馈"),
        "leader_instruction": _("领导批示回复"),
        "acknowledgement": _("任务签收"),
    }
    return labels.get(kind, kind)


def level_heading(level: str, rules: LadderRules) -> str:
    headings = {
        ReminderLevel.DUE_SOON: _("即将到期"),
        ReminderLevel.OVERDUE: _("已逾期（催办）"),
        ReminderLevel.SUPERVISION: _("逾期%(days)s个工作日以上（督办）")
        % {"days": rules.supervision_after_working_days},
        ReminderLevel.LEADERS: _("逾期%(days)s个工作日以上（提请区领导关注）")
        % {"days": rules.leaders_after_working_days},
    }
    return headings[level]


def state_label(candidate: Candidate, today: dt.date) -> str:
    due = candidate.item.due_date
    if due == today:
        return _("今日到期")
    if due > today:
        return _("还有%(days)s个工作日到期") % {"days": working_days_between(today, due)}
    if candidate.working_days_overdue:
        return _("已逾期%(days)s个工作日") % {"days": candidate.working_days_overdue}
    return _("已逾期")


@dataclass(frozen=True)
class DigestLine:
    level: str
    heading: str
    title: str
    kind: str
    due_date: str
    state: str
    department: str


# One row of the e-mail's table, as templates/reminders/digest_email.html wrote it with a
# loop: built here, escaped the same way, since a run renders thousands of digests.
ROW_HTML = (
    '<tr style="border-bottom: 1px solid #e5e5e5;">\n<td>{title}</td><td>{kind}</td>'
    '<td>{due}</td><td style="color: #c0392b;">{state}</td><td>{department}</td>\n</tr>'
)


def _row_html(line: DigestLine) -> str:
    return ROW_HTML.format(
        title=escape(line.title),
        kind=escape(line.kind),
        due=escape(line.due_date),
        state=escape(line.state),
        department=escape(line.department),
    )


def _markdown_line(line: DigestLine) -> str:
    md = markdown_escape
    return (
        f'> {md(line.title)}｜{md(line.kind)}｜{md(line.due_date)}｜<font color="warning">'
        f"{md(line.state)}</font>"
    )


@dataclass(frozen=True)
class _Fragments:
    """One line's pieces in every form, rendered once per run (DigestMemo)."""

    row_html: str
    markdown: str
    markdown_bytes: int  # len(markdown.encode())
    title_kind: str  # the plain text's "n. " follows; then the detail line
    detail: str


class DigestMemo:
    """What digests of one run share, rendered once: labels, headings, and each line's
    HTML row, markdown line and plain-text lines (most recipients at the shared rungs
    list the same top items). Pure functions of their keys, so the digests are
    byte-for-byte what they are without it. One per run, in one language and settings."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.states: dict[tuple[dt.date, dt.date, int], str] = {}
        self.headings: dict[tuple, str] = {}
        self.lines: dict[tuple, DigestLine] = {}
        # id(line) → (line, its fragments): the entry keeps the line alive, so its id is
        # not reused while the memo lives (and hashing a 7-field line per use costs more).
        self.fragments: dict[int, tuple[DigestLine, _Fragments]] = {}
        self.markdown_headings: dict[str, str] = {}
        self.section_frames: dict[str, tuple[str, str]] = {}

    def section_frame(self, heading: str) -> tuple[str, str]:
        """A section's HTML before and after its rows (the template rendered once per
        heading, around a marker)."""
        frame = self.section_frames.get(heading)
        if frame is None:
            html = _section_html(heading, mark_safe(_ROWS_MARKER))
            before, marker, after = html.partition(_ROWS_MARKER)
            assert marker and _ROWS_MARKER not in after, "one row marker per section"
            frame = self.section_frames[heading] = (before, after)
        return frame

    def heading(self, level: str, rules: LadderRules) -> str:
        key = (level, rules.supervision_after_working_days, rules.leaders_after_working_days)
        heading = self.headings.get(key)
        if heading is None:
            heading = self.headings[key] = level_heading(level, rules)
        return heading

    def markdown_heading(self, heading: str) -> str:
        text = self.markdown_headings.get(heading)
        if text is None:
            text = self.markdown_headings[heading] = f"**{markdown_escape(heading)}**"
        return text

    def fragments_of(self, line: DigestLine) -> _Fragments:
        found = self.fragments.get(id(line))
        if found is not None:
            return found[1]
        markdown = _markdown_line(line)
        fragments = _Fragments(
            row_html=_row_html(line),
            markdown=markdown,
            markdown_bytes=len(markdown.encode()),
            title_kind=f"{line.title}（{line.kind}）",
            detail="   "
            + _("时限：%(due)s，%(state)s；牵头部门：%(department)s")
            % {"due": line.due_date, "state": line.state, "department": line.department},
        )
        self.fragments[id(line)] = (line, fragments)
        return fragments


_ROWS_MARKER = "\x00digest-rows\x00"  # never in a heading (a translated label)


def _section_html(heading: str, rows_html: str) -> str:
    return render_to_string(
        "reminders/digest_email_section.html", {"heading": heading, "rows_html": rows_html}
    )


def _sections_html(sections: list[DigestSection], memo: DigestMemo | None) -> str:
    """The e-mail's sections (reminders/digest_email_section.html each, in order)."""
    if memo is None:
        return mark_safe("".join(_section_html(s.heading, s.rows_html) for s in sections))
    out = []
    for section in sections:
        before, after = memo.section_frame(section.heading)
        out += [before, section.rows_html, after]
    return mark_safe("".join(out))  # the template escaped the heading, rows_html the rows


@dataclass(frozen=True)
class DigestSection:
    heading: str
    lines: list[DigestLine]
    memo: DigestMemo | None = None

    @property
    def rows_html(self) -> str:
        if self.memo is not None:
            fragments_of = self.memo.fragments_of
            return mark_safe("".join(fragments_of(line).row_html for line in self.lines))
        return mark_safe("".join(_row_html(line) for line in self.lines))  # every value escaped


def digest_sections(
    candidates: list[Candidate],
    rules: LadderRules,
    departments: dict[int, str],
    memo: DigestMemo | None = None,
) -> list[DigestSection]:
    """Highest rung first; within a rung, the oldest due date first."""
    ordered = sorted(candidates, key=digest_order_key)
    sections: dict[str, DigestSection] = {}
    # Each label translated once per digest (or per run, with a memo), not once per line.
    memo_lines = memo.lines if memo is not None else {}
    kinds: dict[str, str] = memo.kinds if memo is not None else {}
    states: dict[tuple[dt.date, dt.date, int], str] = memo.states if memo is not None else {}
    for c in ordered:
        section = sections.get(c.level)
        if section is None:
            heading = memo.heading(c.level, rules) if memo else level_heading(c.level, rules)
            section = sections[c.level] = DigestSection(heading, [], memo)
        item = c.item
        line_key = (
            c.level, item.title, item.kind, item.due_date, c.working_days_overdue,
            item.department_id, rules.today, section.heading,
        )  # fmt: skip
        line = memo_lines.get(line_key)
        if line is None:
            kind = kinds.get(item.kind)
            if kind is None:
                kind = kinds[item.kind] = kind_label(item.kind)
            state_key = (rules.today, item.due_date, c.working_days_overdue)
            state = states.get(state_key)
            if state is None:
                state = states[state_key] = state_label(c, rules.today)
            line = DigestLine(
                level=c.level,
                heading=section.heading,
                title=item.title,
                kind=kind,
                due_date=item.due_date.isoformat(),
                state=state,
                department=departments.get(item.department_id, ""),
            )
            if memo is not None:
                memo_lines[line_key] = line
        section.lines.append(line)
    return list(sections.values())


def _plain(
    name: str,
    sections: list[DigestSection],
    count: int,
    rules: LadderRules,
    more: int = 0,
    memo: DigestMemo | None = None,
) -> str:
    out = [
        _("%(name)s，您好：") % {"name": name},
        "",
        _("截至%(date)s，以下%(count)s项事项需要您关注：")
        % {"date": rules.today.isoformat(), "count": count},
    ]
    detail = _("时限：%(due)s，%(state)s；牵头部门：%(department)s")  # translated once
    for section in sections:
        out += ["", f"【{section.heading}】"]
        if memo is not None:
            for index, line in enumerate(section.lines, start=1):
                fragments = memo.fragments_of(line)
                out.append(f"{index}. {fragments.title_kind}")
                out.append(fragments.detail)
            continue
        for index, line in enumerate(section.lines, start=1):
            out.append(f"{index}. {line.title}（{line.kind}）")
            out.append(
                "   "
                + detail
                % {"due": line.due_date, "state": line.state, "department": line.department}
            )
    if more:
        out += ["", _more_text(more)]
    out += ["", _("请登录系统查看并及时处理：%(url)s") % {"url": _site_url()}]
    return "\n".join(out)


def _more_text(more: int) -> str:
    return _("另有%(count)s项未列出，请在逾期督办看板查看：%(url)s") % {
        "count": more,
        "url": board_url(),
    }


def _markdown(
    name: str,
    sections: list[DigestSection],
    count: int,
    title: str,
    memo: DigestMemo | None = None,
) -> str:
    if memo is not None:
        return _markdown_memo(name, sections, count, title, memo)
    # Every piece of user text is escaped for the robot's dialect (reminders.markdown).
    md = markdown_escape
    head = [f"### {md(title)}", _("提醒对象：%(name)s") % {"name": md(name)}]
    body: list[str] = []
    shown = 0
    budget = WEBHOOK_MAX_BYTES - len("\n".join(head).encode())
    for section in sections:
        lines = [f"**{md(section.heading)}**"] + [_markdown_line(line) for line in section.lines]
        for text in lines:
            if len("\n".join([*body, text]).encode()) > budget - 200:
                break
            body.append(text)
            shown += text.startswith(">")
    if shown < count:
        body.append(_("……等共%(count)s项，详见系统。") % {"count": count})
    body.append(f"[{_('进入系统处理')}]({_site_url()})")
    return "\n".join(head + body)


def _markdown_memo(
    name: str, sections: list[DigestSection], count: int, title: str, memo: DigestMemo
) -> str:
    """_markdown with each line's text and byte length from the memo: the same budget
    test ("\n".join(body + [text]) within budget − 200 bytes), kept as a running sum."""
    md = markdown_escape
    head = [f"### {md(title)}", _("提醒对象：%(name)s") % {"name": md(name)}]
    body: list[str] = []
    size = -1  # bytes of "\n".join(body); -1 while empty (no separator before the first)
    shown = 0
    budget = WEBHOOK_MAX_BYTES - len("\n".join(head).encode()) - 200
    for section in sections:
        heading = memo.markdown_heading(section.heading)
        pieces = [(heading, len(heading.encode()), False)] + [
            (f.markdown, f.markdown_bytes, True) for f in map(memo.fragments_of, section.lines)
        ]
        for text, nbytes, is_line in pieces:
            if size + 1 + nbytes > budget:
                break
            body.append(text)
            size += 1 + nbytes
            shown += is_line
    if shown < count:
        body.append(_("……等共%(count)s项，详见系统。") % {"count": count})
    body.append(f"[{_('进入系统处理')}]({_site_url()})")
    return "\n".join(head + body)


def _site_url() -> str:
    return settings.PLANTRACKER["SITE_URL"]


def board_url() -> str:
    """The overdue board, where a digest's unlisted items are."""
    return _site_url().rstrip("/") + "/console/"


def digest_max_items() -> int:
    return int(settings.PLANTRACKER.get("DIGEST_MAX_ITEMS", 50))


def digest_order_key(c: Candidate) -> tuple:
    """Highest rung first; within a rung, the oldest due date first."""
    return (-LEVEL_ORDER[c.level], c.item.due_date, c.item.title, c.item.key)


def digest_render(
    *,
    recipient_name: str,
    candidates: list[Candidate],
    rules: LadderRules,
    departments: dict[int, str],
    total: int | None = None,
    memo: DigestMemo | None = None,
) -> RenderedMessage:
    """The digest of one person's reminders, in the district's language.

    `candidates` are the items listed; `total` (default: as many) is how many the person
    has today. When it is larger, the digest says how many more there are and links to
    the overdue board (reminders_run lists at most DIGEST_MAX_ITEMS, most overdue first).
    `memo` (one per run) shares the rendered lines between digests; the text is the same.
    """
    with translation.override(settings.LANGUAGE_CODE):
        sections = digest_sections(candidates, rules, departments, memo)
        count = len(candidates) if total is None else total
        more = max(0, count - len(candidates))
        title = _("督办提醒（%(date)s）：您有%(count)s项事项需要处理") % {
            "date": rules.today.isoformat(),
            "count": count,
        }
        html = render_to_string(
            "reminders/digest_email.html",
            {
                "title": title,
                "name": recipient_name,
                "sections_html": _sections_html(sections, memo),
                "count": count,
                "today": rules.today.isoformat(),
                "site_url": _site_url(),
            },
        )
        if more:
            html = html.replace(
                "</body>",
                f'<p><a href="{escape(board_url())}">{escape(_more_text(more))}</a></p>\n</body>',
                1,
            )
        return RenderedMessage(
            title=title,
            text=_plain(recipient_name, sections, count, rules, more, memo),
            html=html,
            markdown=_markdown(recipient_name, sections, count, title, memo),
        )
