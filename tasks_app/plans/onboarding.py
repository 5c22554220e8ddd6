"""Onboarding a new plan in the console (计划导入): a draft, its assignment table, 交办.

A supervisor pastes a plan text into a PlanDraft; the draft is parsed on every view (the
parser's tree, warnings and refusals with line numbers); the assignment table (lead and
co-departments, due date, milestone template per task) is kept in the draft, filled from
the suggestions (tasks_app.plans.suggestions) or by hand. Publishing builds the
enrichment from the draft and runs the real plan import (tasks_app.plans.importer), then
notifies each lead of the departments that got tasks, in one transaction. Until then the
draft is not a Plan, so no department sees anything of it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.inbox.notifications import notification_create
from tasks_app.models import (
    Department,
    IssuingBody,
    Membership,
    Plan,
    PlanDraft,
    PlanKind,
    Task,
    User,
)
from tasks_app.org.plan_scope import own_body
from tasks_app.org.visibility import is_supervisor
from tasks_app.parsing.parser import ParsedPlan, PlanParseError, parse_plan
from tasks_app.plans.enrichment import Enrichment, EnrichmentError, MilestoneSpec, TaskSpec
from tasks_app.plans.importer import ImportResult, plan_import
from tasks_app.plans.merge import default_milestones
from tasks_app.plans.suggestions import SuggestionModel
from tasks_app.plans.suggestions_data import (
    TaskSuggestions,
    suggest_for_plan,
    suggestion_inputs_from_db,
)
from tasks_app.supervision.acknowledgement import tasks_assign

MAX_TEXT_CHARS = 500_000
NOTIFICATION_KIND = "plan_assigned"
MILESTONE_TEMPLATES = ("quarterly", "half", "final")


def milestone_template_labels() -> list[tuple[str, str]]:
    return [
        ("quarterly", _("每季度末节点+完成时限")),
        ("half", _("年中节点+完成时限")),
        ("final", _("仅完成时限")),
    ]


def milestones_for(*, template: str, year: int, due: dt.date) -> list[MilestoneSpec]:
    """The checkpoints a template gives a task due on `due` (the deadline always last)."""
    if template == "final":
        return [MilestoneSpec(due=due, title="完成时限")]
    if template == "half":
        middle = dt.date(year, 6, 30)
        specs = [MilestoneSpec(due=middle, title="年中进展节点")] if middle < due else []
        return [*specs, MilestoneSpec(due=due, title="完成时限")]
    return default_milestones(year=year, due=due)


# --- reads --------------------------------------------------------------------------


def bodies_for_onboarding(user: User) -> QuerySet[IssuingBody]:
    """The issuing bodies `user` may onboard plans for: their own (all for admins)."""
    if user.is_superuser:
        return IssuingBody.objects.order_by("code")
    return IssuingBody.objects.filter(pk=own_body(user))


def drafts_visible_to(user: User) -> QuerySet[PlanDraft]:
    if not (user.is_superuser or is_supervisor(user)):
        return PlanDraft.objects.none()
    return PlanDraft.objects.filter(body__in=bodies_for_onboarding(user)).select_related(
        "body", "plan", "created_by"
    )


@dataclass
class DraftParse:
    """The parse of a draft's text: the plan, or the refusal with its line number."""

    parsed: ParsedPlan | None
    error: str = ""
    error_line: int | None = None


def draft_parse(draft: PlanDraft) -> DraftParse:
    try:
        return DraftParse(parsed=parse_plan(draft.text))
    except PlanParseError as exc:
        return DraftParse(parsed=None, error=exc.message, error_line=exc.line_no)


def body_departments_list(body: IssuingBody) -> list[Department]:
    return list(Department.objects.filter(body=body, is_active=True).order_by("kind", "code"))


def draft_suggestions(*, draft: PlanDraft, parsed: ParsedPlan) -> list[TaskSuggestions]:
    """Suggested lead and co-departments per task, among the body's own departments, from
    the plan's words and the assignments of the body's earlier plans."""
    codes = set(
        Department.objects.filter(body=draft.body, is_active=True).values_list("code", flat=True)
    )
    departments, history = suggestion_inputs_from_db()
    departments = [d for d in departments if d.code in codes]
    history = [a for a in history if a.lead in codes]
    if not departments:
        return []
    model = SuggestionModel(departments=departments, history=history)
    return suggest_for_plan(parsed=parsed, model=model)


def parsed_tasks(parsed: ParsedPlan) -> list[Any]:
    return [t for c in parsed.chapters for m in c.measures for t in m.tasks]


# --- writes -------------------------------------------------------------------------


def _check_actor(actor: User) -> None:
    if not (actor.is_superuser or is_supervisor(actor)):
        raise PermissionDenied(_("只有督查室可以导入计划。"))


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n")
    if not text.strip():
        raise ValidationError({"text": [_("请粘贴或上传计划原文。")]}, code="required")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError({"text": [_("计划原文过长。")]}, code="too_long")
    return text


@transaction.atomic
def draft_create(*, actor: User, body: IssuingBody, kind: str, text: str) -> PlanDraft:
    """A new draft of `body`'s plan of `kind` holding the pasted `text`."""
    _check_actor(actor)
    if not bodies_for_onboarding(actor).filter(pk=body.pk).exists():
        raise PermissionDenied(_("不能为其他发文单位导入计划。"))
    if kind not in PlanKind.values:
        raise ValidationError({"kind": [_("计划类型无效。")]}, code="invalid")
    return PlanDraft.objects.create(body=body, kind=kind, text=_clean_text(text), created_by=actor)


def _editable(draft: PlanDraft, actor: User) -> PlanDraft:
    _check_actor(actor)
    locked = PlanDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.status != PlanDraft.Status.DRAFT:
        raise Conflict(_("该计划已交办，草稿不能再修改。"), code="published")
    return locked


@transaction.atomic
def draft_update_text(*, draft: PlanDraft, actor: User, text: str) -> PlanDraft:
    """Replace the draft's text (the assignments of codes still in it are kept)."""
    draft = _editable(draft, actor)
    draft.text = _clean_text(text)
    draft.save(update_fields=["text", "updated_at"])
    return draft


def _clean_row(
    code: str, raw: dict[str, Any], *, codes: set[str], year: int
) -> dict[str, Any] | None:
    lead = str(raw.get("lead") or "").strip()
    co = [str(c) for c in raw.get("co") or [] if str(c).strip()]
    due_raw = str(raw.get("due") or "").strip()
    template = str(raw.get("milestones") or "quarterly")
    field = f"assignments.{code}"
    if not lead and not co and not due_raw:
        return None
    if lead not in codes:
        raise ValidationError({f"{field}.lead": [_("请选择本单位的牵头部门。")]}, code="invalid")
    unknown = [c for c in co if c not in codes]
    if unknown:
        raise ValidationError(
            {f"{field}.co": [_("未知的配合部门：%(codes)s") % {"codes": "、".join(unknown)}]},
            code="invalid",
        )
    due = None
    if due_raw:
        try:
            due = dt.date.fromisoformat(due_raw)
        except ValueError:
            due = None
        if due is None or due.year != year:
            raise ValidationError(
                {
                    f"{field}.due": [
                        _("完成时限须为%(year)s年内的日期（YYYY-MM-DD）。") % {"year": year}
                    ]
                },
                code="invalid",
            )
    if template not in MILESTONE_TEMPLATES:
        raise ValidationError({f"{field}.milestones": [_("节点模板无效。")]}, code="invalid")
    return {
        "lead": lead,
        "co": sorted(set(co) - {lead}),
        "due": due.isoformat() if due else "",
        "milestones": template,
    }


@transaction.atomic
def draft_save_assignments(
    *, draft: PlanDraft, actor: User, assignments: dict[str, dict[str, Any]]
) -> PlanDraft:
    """Save the assignment table's rows (validated as a whole; nothing saved on an error).
    Rows of codes not in the current text are kept as they were (the text may come back)."""
    draft = _editable(draft, actor)
    result = draft_parse(draft)
    if result.parsed is None:
        raise ValidationError({"text": [_("计划原文有错误，请先修正。")]}, code="unparsed")
    known = {t.code for t in parsed_tasks(result.parsed)}
    codes = set(
        Department.objects.filter(body=draft.body, is_active=True).values_list("code", flat=True)
    )
    merged = dict(draft.assignments)
    for code, raw in assignments.items():
        if code not in known:
            raise ValidationError({"assignments": [_("未知的任务编号：%(code)s") % {"code": code}]})
        row = _clean_row(code, raw, codes=codes, year=result.parsed.year)
        if row is None:
            merged.pop(code, None)
        else:
            merged[code] = row
    draft.assignments = merged
    draft.save(update_fields=["assignments", "updated_at"])
    return draft


@transaction.atomic
def draft_accept_suggestions(*, draft: PlanDraft, actor: User) -> int:
    """Every task without a lead gets the top suggested lead and its co-departments (rows
    already assigned are kept). Returns the number of rows filled."""
    draft = _editable(draft, actor)
    result = draft_parse(draft)
    if result.parsed is None:
        raise ValidationError({"text": [_("计划原文有错误，请先修正。")]}, code="unparsed")
    filled = 0
    assignments = dict(draft.assignments)
    for row in draft_suggestions(draft=draft, parsed=result.parsed):
        if assignments.get(row.code, {}).get("lead") or not row.leads:
            continue
        assignments[row.code] = {
            "lead": row.leads[0].code,
            "co": sorted({s.code for s in row.co_departments} - {row.leads[0].code}),
            "due": "",
            "milestones": "quarterly",
        }
        filled += 1
    draft.assignments = assignments
    draft.save(update_fields=["assignments", "updated_at"])
    return filled


def draft_enrichment(*, draft: PlanDraft, parsed: ParsedPlan) -> Enrichment:
    """The enrichment the draft stands for (what `export_enrichment` would write)."""
    departments = [
        {"code": d.code, "name": d.name, "kind": d.kind}
        for d in Department.objects.filter(body=draft.body).order_by("code")
    ]
    if not departments:
        raise ValidationError({"body": [_("该发文单位还没有部门。")]}, code="no_departments")
    missing = [
        t.code for t in parsed_tasks(parsed) if not draft.assignments.get(t.code, {}).get("lead")
    ]
    if missing:
        raise ValidationError(
            {
                "assignments": [
                    _("以下任务尚未指定牵头部门：%(codes)s") % {"codes": "、".join(missing)}
                ]
            },
            code="unassigned",
        )
    default_due = dt.date(parsed.year, 12, 31)
    tasks = {}
    for task in parsed_tasks(parsed):
        row = draft.assignments[task.code]
        due = dt.date.fromisoformat(row["due"]) if row.get("due") else default_due
        tasks[task.code] = TaskSpec(
            lead=row["lead"],
            co=list(row.get("co") or []),
            due=due,
            milestones=milestones_for(
                template=row.get("milestones") or "quarterly", year=parsed.year, due=due
            ),
        )
    indicators = {pi.name: {"category": pi.category or "expected"} for pi in parsed.indicators}
    return Enrichment(
        plan={"title": parsed.title, "kind": draft.kind, "body": draft.body.code},
        default_due=default_due,
        departments=departments,
        indicators=indicators,
        tasks=tasks,
    )


def _notify_departments(*, plan: Plan, actor: User) -> int:
    """One inbox message per (department lead, department) with the department's new tasks
    (led or co-led). Returns the number of messages."""
    rows: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for code, title, lead_id in Task.objects.filter(plan=plan).values_list(
        "code", "title", "lead_department_id"
    ):
        rows[lead_id].append((code, title, "lead"))
    for code, title, dept_id in Task.co_departments.through.objects.filter(
        task__plan=plan
    ).values_list("task__code", "task__title", "department_id"):
        rows[dept_id].append((code, title, "co"))
    leads = Membership.objects.filter(
        department_id__in=rows, role=Membership.DeptRole.LEAD, user__is_active=True
    ).select_related("user", "department")
    sent = 0
    for membership in leads:
        tasks = sorted(rows[membership.department_id])
        led = [t for t in tasks if t[2] == "lead"]
        lines = [
            f"{code} {title}（{_('牵头') if role == 'lead' else _('配合')}）"
            for code, title, role in tasks
        ]
        notification_create(
            recipient=membership.user,
            kind=NOTIFICATION_KIND,
            title=_("%(plan)s：%(dept)s新交办任务%(n)s项（牵头%(led)s项）")
            % {
                "plan": plan.title,
                "dept": membership.department.name,
                "n": len(tasks),
                "led": len(led),
            },
            body="\n".join(lines),
            payload={
                "plan": plan.pk,
                "department": membership.department_id,
                "tasks": [code for code, _title, _role in tasks],
                "by": actor.pk,
            },
        )
        sent += 1
    return sent


@dataclass
class PublishResult:
    draft: PlanDraft
    plan: Plan
    result: ImportResult
    notified: int


@transaction.atomic
def draft_publish(*, draft: PlanDraft, actor: User) -> PublishResult:
    """交办: import the draft as a new plan (the real importer, one transaction), put every
    task at 未签收 for its lead department and notify each department's lead of its new
    tasks. A plan of the same body, year and kind that
    already exists is refused (re-imports go through `import_plan`'s merge)."""
    draft = _editable(draft, actor)
    parse = draft_parse(draft)
    if parse.parsed is None:
        raise ValidationError({"text": [_("计划原文有错误，请先修正。")]}, code="unparsed")
    parsed = parse.parsed
    if Plan.objects.filter(body=draft.body, year=parsed.year, kind=draft.kind).exists():
        raise Conflict(
            _("%(body)s%(year)s年度的该类计划已存在，不能重复交办。")
            % {"body": draft.body.name, "year": parsed.year},
            code="plan_exists",
        )
    enrichment = draft_enrichment(draft=draft, parsed=parsed)
    try:
        result = plan_import(
            text=draft.text,
            enrichment=enrichment,
            body_code=draft.body.code,
            source=f"console draft {draft.pk}",
            actor=actor,
        )
    except EnrichmentError as exc:
        raise ValidationError({"assignments": [str(exc)]}, code="import_refused") from exc
    except PlanParseError as exc:
        raise ValidationError({"text": [str(exc)]}, code="unparsed") from exc
    plan = result.plan
    assert plan is not None
    tasks_assign(tasks=Task.objects.filter(plan=plan), actor=actor)
    notified = _notify_departments(plan=plan, actor=actor)
    draft.status = PlanDraft.Status.PUBLISHED
    draft.plan = plan
    draft.published_at = timezone.now()
    draft.save(update_fields=["status", "plan", "published_at", "updated_at"])
    return PublishResult(draft=draft, plan=plan, result=result, notified=notified)
