"""Notification texts by kind: a notification is stored as a kind plus parameters and its
title and body are rendered here, in the reader's language, when it is read.

Parameters are plain JSON (task code and title, the actor's name, the reason as written,
dates as ISO strings, a `path` inside the site). Links are built from SITE_URL at read
time, so a moved server never leaves stale links in old notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks_app.reminders.digest import kind_label

Params = dict[str, Any]

# kind → (title template, body template); both use %(name)s placeholders.
TEMPLATES: dict[str, tuple[Any, Any]] = {
    "claim_submitted": (
        gettext_lazy("销号申请待审核：%(code)s %(title)s"),
        gettext_lazy("%(actor)s提交了任务“%(title)s”的销号申请，请审核。"),
    ),
    "claim_returned": (
        gettext_lazy("销号申请被退回：%(code)s %(title)s"),
        gettext_lazy("%(actor)s退回了任务“%(title)s”的销号申请。退回原因：%(reason)s"),
    ),
    "claim_approved": (
        gettext_lazy("销号申请已通过：%(code)s %(title)s"),
        gettext_lazy("%(actor)s审核通过了任务“%(title)s”，任务已销号。"),
    ),
    "extension_requested": (
        gettext_lazy("延期申请待审批：%(code)s %(title)s"),
        gettext_lazy("%(actor)s申请将时限由%(old)s延至%(new)s。理由：%(reason)s"),
    ),
    "extension_approved": (
        gettext_lazy("延期申请已批准：%(code)s %(title)s"),
        gettext_lazy("新时限：%(new)s（原时限%(old)s）。%(comment)s"),
    ),
    "extension_rejected": (
        gettext_lazy("延期申请未获批准：%(code)s %(title)s"),
        gettext_lazy("时限仍为%(old)s。意见：%(comment)s"),
    ),
    "extension_withdrawn": (
        gettext_lazy("延期申请已撤回：%(code)s %(title)s"),
        gettext_lazy("任务已办结，待审批的延期申请（延至%(new)s）已自动撤回。"),
    ),
    "urge": (
        gettext_lazy("催办：%(code)s %(title)s"),
        gettext_lazy("%(reason)s"),
    ),
    "supervision_notice": (
        gettext_lazy("督办单：%(code)s %(title)s"),
        gettext_lazy("%(reason)s\n请于%(respond_by)s前反馈办理情况。"),
    ),
    "notice_answered": (
        gettext_lazy("督办单已反馈：%(code)s %(title)s"),
        gettext_lazy("%(actor)s反馈：%(text)s"),
    ),
    "notice_accepted": (
        gettext_lazy("督办单反馈已认可：%(code)s %(title)s"),
        gettext_lazy("%(actor)s认可了反馈，督办单已办结。%(comment)s"),
    ),
    "notice_sent_back": (
        gettext_lazy("督办单反馈被退回：%(code)s %(title)s"),
        gettext_lazy("退回意见：%(comment)s\n请于%(respond_by)s前重新反馈。"),
    ),
    "leader_instruction": (
        gettext_lazy("领导批示：%(code)s %(title)s"),
        gettext_lazy("%(actor)s批示：%(text)s\n请于%(respond_by)s前回复办理情况。"),
    ),
    "instruction_answered": (
        gettext_lazy("领导批示已回复：%(code)s %(title)s"),
        gettext_lazy("%(actor)s回复：%(text)s"),
    ),
    "task_assigned": (
        gettext_lazy("新交办任务待签收：%(code)s %(title)s"),
        gettext_lazy("%(actor)s将任务“%(title)s”交办%(department)s牵头，请签收。"),
    ),
    "assignment_returned": (
        gettext_lazy("任务被退回待重新交办：%(code)s %(title)s"),
        gettext_lazy("%(department)s退回了任务“%(title)s”。退回理由：%(reason)s"),
    ),
    # Stored as report_filed; a report with a red reason renders report_filed_red.
    "report_filed": (
        gettext_lazy("进展报告已报送：%(code)s %(title)s"),
        gettext_lazy(
            "%(actor)s报送了%(department)s%(period)s的进展报告，完成%(percent)s%%。\n%(narrative)s"
        ),
    ),
    "report_filed_red": (
        gettext_lazy("进展报告已报送（进度滞后）：%(code)s %(title)s"),
        gettext_lazy(
            "%(actor)s报送了%(department)s%(period)s的进展报告，完成%(percent)s%%，进度滞后。"
            "滞后原因：%(reason)s\n%(narrative)s"
        ),
    ),
}


def site_url(path: str = "") -> str:
    """An absolute link on this server (SITE_URL, e.g. set by `make run` from HOST/PORT)."""
    return settings.PLANTRACKER["SITE_URL"].rstrip("/") + path


def task_path(task_id: int) -> str:
    return f"/console/tasks/{task_id}/"


def _digest(params: Params) -> tuple[str, str]:
    title = _("督办提醒（%(date)s）：您有%(count)s项事项需要处理") % {
        "date": params.get("run_date", ""),
        "count": params.get("total", 0),
    }
    lines = [
        f"{index}. {item['title']}（{kind_label(item['kind'])}，{item['due_date']}）"
        for index, item in enumerate(params.get("items", []), start=1)
    ]
    if params.get("more"):
        lines.append(_("另有%(count)s项未列出。") % {"count": params["more"]})
    return title, "\n".join(lines)


RENDERERS: dict[str, Callable[[Params], tuple[str, str]]] = {"reminder_digest": _digest}


class _Default(dict):
    """Missing parameters render empty rather than fail: old rows outlive templates."""

    def __missing__(self, key: str) -> str:
        return ""


def render(kind: str, params: Params) -> tuple[str, str] | None:
    """(title, body) in the active language, with the link; None for an unknown kind."""
    if kind in RENDERERS:
        return RENDERERS[kind](params)
    # A kind may name the variant it rendered (extension_decision: approved or rejected).
    template = params.get("template", kind)
    if template not in TEMPLATES:
        return None
    title_template, body_template = TEMPLATES[template]
    values = _Default(params)
    title = (str(title_template) % values)[:200]
    body = str(body_template) % values
    if params.get("path"):
        body += "\n" + _("查看：%(url)s") % {"url": site_url(params["path"])}
    return title, body


def render_stored(kind: str, params: Params) -> tuple[str, str]:
    """The text stored with the row (and sent by e-mail/webhook): the district's language."""
    with translation.override(settings.LANGUAGE_CODE):
        rendered = render(kind, params)
    if rendered is None:
        raise ValueError(f"no template for notification kind {kind!r}")
    return rendered


def notification_text(
    *, kind: str, params: Params, payload: Params, title: str, body: str
) -> tuple[str, str]:
    """What the reader sees: rendered from kind + params when we know the kind, else the
    stored text (rows written before kinds had templates). A digest's parameters are its
    payload (the items it lists)."""
    if kind in RENDERERS:
        params = payload
    if params:
        rendered = render(kind, params)
        if rendered is not None:
            return rendered
    return title, body
