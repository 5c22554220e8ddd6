"""计划导入: onboard a new plan (paste or upload its text, see the parsed tree, assign
departments in bulk from the suggestions, publish = 交办). Supervisors only; the work is
done by tasks_app.plans.onboarding (a PlanDraft until it is published)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from plantracker.console.access import console_view, supervisor_only
from plantracker.console.views.common import error_text, page
from plantracker.errors import ApplicationError
from tasks_app.models import PlanDraft, PlanKind
from tasks_app.plans.onboarding import (
    MAX_TEXT_CHARS,
    bodies_for_onboarding,
    body_departments_list,
    draft_accept_suggestions,
    draft_create,
    draft_parse,
    draft_publish,
    draft_save_assignments,
    draft_suggestions,
    draft_update_text,
    drafts_visible_to,
    milestone_template_labels,
)

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _uploaded_text(request: HttpRequest) -> str | None:
    """The uploaded file's text (UTF-8, else GB18030), or None when nothing was uploaded."""
    upload = request.FILES.get("upload")
    if upload is None:
        return None
    if upload.size > MAX_TEXT_CHARS * 4:
        raise ApplicationError({"upload": [_("上传文件过大。")]})
    raw = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError({"upload": [_("无法识别文件编码，请上传UTF-8或GBK文本文件。")]})


def _submitted_text(request: HttpRequest) -> str:
    uploaded = _uploaded_text(request)
    return uploaded if uploaded is not None else request.POST.get("text", "")


@console_view
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    """GET: the paste/upload form and the drafts; POST: a new draft, then its page."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    user = request.viewer.user
    bodies = list(bodies_for_onboarding(user))
    context: dict[str, Any] = {
        "title": _("计划导入"),
        "bodies": bodies,
        "kinds": PlanKind.choices,
        "drafts": drafts_visible_to(user)[:20],
        "text": "",
    }
    if request.method == "POST":
        by_pk = {str(b.pk): b for b in bodies}
        body = by_pk.get(request.POST.get("body", "")) or (bodies[0] if len(bodies) == 1 else None)
        try:
            text = _submitted_text(request)
            context["text"] = text
            if body is None:
                raise ApplicationError({"body": [_("请选择发文单位。")]})
            draft = draft_create(
                actor=user,
                body=body,
                kind=request.POST.get("kind") or PlanKind.ANNUAL,
                text=text,
            )
        except ApplicationError as exc:
            context["problem"] = error_text(exc)
            response = page(request, "console/plan_new.html", context)
            response.status_code = 400
            return response
        return redirect("console:plan-draft", pk=draft.pk)
    return page(request, "console/plan_new.html", context)


def _department_codes(raw: str, by_name: dict[str, str]) -> list[str]:
    """Co-departments typed as names or codes, separated by 、，, or spaces."""
    return [by_name.get(token, token) for token in _SEPARATORS.split(raw) if token]


def _posted_assignments(request: HttpRequest, by_name: dict[str, str]) -> dict[str, dict]:
    rows = {}
    for code in request.POST.getlist("code"):
        rows[code] = {
            "lead": request.POST.get(f"lead-{code}", ""),
            "co": _department_codes(request.POST.get(f"co-{code}", ""), by_name),
            "due": request.POST.get(f"due-{code}", ""),
            "milestones": request.POST.get(f"milestones-{code}", "quarterly"),
        }
    return rows


def _act(request: HttpRequest, draft: PlanDraft, by_name: dict[str, str]) -> HttpResponse | None:
    """Run the POSTed action; a redirect on success, None (with a banner) on a refusal."""
    user, action = request.viewer.user, request.POST.get("action", "")
    if action == "parse":
        draft_update_text(draft=draft, actor=user, text=_submitted_text(request))
        messages.success(request, _("已保存原文并重新解析。"))
    elif action == "assign":
        draft_save_assignments(
            draft=draft, actor=user, assignments=_posted_assignments(request, by_name)
        )
        messages.success(request, _("已保存分工。"))
    elif action == "accept":
        filled = draft_accept_suggestions(draft=draft, actor=user)
        messages.success(request, _("已采纳%(n)s项任务的建议分工。") % {"n": filled})
    elif action == "publish":
        result = draft_publish(draft=draft, actor=user)
        messages.success(
            request,
            _("已交办：%(title)s，任务%(n)s项，已通知%(m)s位部门负责人。")
            % {
                "title": result.plan.title,
                "n": result.result.created.get("tasks", 0),
                "m": result.notified,
            },
        )
        return redirect(f"{reverse('console:board')}?plan={result.plan.pk}")
    else:
        raise ApplicationError({"action": [_("未知的操作。")]})
    return redirect("console:plan-draft", pk=draft.pk)


def _tree_context(
    draft: PlanDraft, departments: list, posted: dict[str, dict] | None = None
) -> dict[str, Any]:
    """The parse, and the table's rows: the saved assignments, or what was just posted
    when saving it was refused (so nothing typed is lost)."""
    parse = draft_parse(draft)
    lines = draft.text.splitlines()
    context: dict[str, Any] = {"parse": parse, "parsed": parse.parsed, "rows": []}
    if parse.error_line and 0 < parse.error_line <= len(lines):
        context["error_text"] = lines[parse.error_line - 1]
    if parse.parsed is None:
        return context
    suggestions = {s.code: s for s in draft_suggestions(draft=draft, parsed=parse.parsed)}
    names = {d.code: d.name for d in departments}
    rows = []
    for chapter in parse.parsed.chapters:
        for measure in chapter.measures:
            for task in measure.tasks:
                saved = (posted or draft.assignments).get(task.code, {})
                suggestion = suggestions.get(task.code)
                rows.append(
                    {
                        "task": task,
                        "measure": measure,
                        "suggestion": suggestion,
                        "lead": saved.get("lead", ""),
                        "co": "、".join(names.get(c, c) for c in saved.get("co", [])),
                        "due": saved.get("due", ""),
                        "milestones": saved.get("milestones", "quarterly"),
                    }
                )
    context["rows"] = rows
    context["unassigned"] = sum(1 for row in rows if not row["lead"])
    return context


@console_view
@require_http_methods(["GET", "POST"])
def plan_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the parsed tree, warnings, refusal and assignment table; POST `action`:
    parse (new text), assign (save the table), accept (take every suggestion), publish."""
    denied = supervisor_only(request)
    if denied is not None:
        return denied
    draft = drafts_visible_to(request.viewer.user).filter(pk=pk).first()
    if draft is None:
        raise Http404
    departments = body_departments_list(draft.body)
    by_name = {d.name: d.code for d in departments}
    problem, posted = "", None
    if request.method == "POST":
        try:
            response = _act(request, draft, by_name)
        except ApplicationError as exc:
            problem = error_text(exc)
            if request.POST.get("action") == "assign":
                posted = _posted_assignments(request, by_name)
        else:
            if response is not None:
                return response
        draft.refresh_from_db()
    context = {
        "title": _("计划导入"),
        "draft": draft,
        "departments": departments,
        "templates": milestone_template_labels(),
        "problem": problem,
        **_tree_context(draft, departments, posted),
    }
    response = page(request, "console/plan_draft.html", context)
    if problem:
        response.status_code = 400  # refused: the banner names what to fix
    return response
