"""Supervision items from other sources (督办事项): decisions of meetings (会议议定事项),
leaders' written instructions (领导批示), major projects (重大项目) and others.

An item is a Task like any other — one model and one set of rules — so it lives in the
same workflow, reminders, 督办单, rollups, console and API as a plan's tasks. It belongs to
the year's 督办事项台账 (a Plan of kind SUPERVISION_LEDGER) of its issuing body, created on
first use; inside it a chapter per source kind and a measure per source (one meeting, one
leader's instruction…) give it the place the plan structure requires. Creating an item is
交办: it is at 未签收 for its lead department, whose leads are told
(docs/supervision-procedure.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.models import (
    Chapter,
    Department,
    HistoryEvent,
    IssuingBody,
    LeaderInstruction,
    Measure,
    Milestone,
    Plan,
    Task,
    TaskSource,
    User,
)
from tasks_app.models.plan import PlanKind, PlanStatus
from tasks_app.org.plan_scope import own_body
from tasks_app.org.visibility import is_supervisor
from tasks_app.supervision.acknowledgement import task_reassigned_notify, tasks_assign
from tasks_app.workflow.services.task_writes import history_record, today

ITEM_CREATE = "item_create"
ITEM_FROM_INSTRUCTION = "item_from_instruction"
# The chapter of the ledger each source kind goes to (its number and title).
CHAPTER_OF_SOURCE = {
    TaskSource.MEETING: 1,
    TaskSource.INSTRUCTION: 2,
    TaskSource.MAJOR_PROJECT: 3,
    TaskSource.OTHER: 4,
}
ITEM_SOURCES = tuple(CHAPTER_OF_SOURCE)
MAX_MILESTONES = 20


class InstructionAlreadyItem(Conflict):
    default_detail = gettext_lazy("该批示已转为督办事项。")
    default_code = "instruction_already_item"


class LedgerClosed(Conflict):
    default_detail = gettext_lazy("该年度督办事项台账已结转，不能再新增事项。")
    default_code = "plan_closed"


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    due_date: dt.date


def _check_actor(actor: User) -> None:
    if not (actor.is_superuser or is_supervisor(actor)):
        raise PermissionDenied(_("只有督查室可以新增督办事项。"))


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [message]}, code=code)


def _text(value: str | None, field: str, limit: int, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, _("请填写内容。"), "required")
    if len(value) > limit:
        raise _invalid(field, _("内容过长。"), "max_length")
    return value


def _check_departments(
    *, body: IssuingBody, lead: Department, co: Sequence[Department]
) -> list[Department]:
    if not lead.is_active or lead.body_id != body.pk:
        raise _invalid("lead_department", _("牵头部门必须是该发文单位的启用部门。"))
    seen: dict[int, Department] = {}
    for department in co:
        if not department.is_active or department.body_id != body.pk:
            raise _invalid("co_departments", _("配合部门必须是该发文单位的启用部门。"))
        if department.pk == lead.pk:
            raise _invalid("co_departments", _("配合部门不能包含牵头部门。"))
        seen[department.pk] = department
    return list(seen.values())


def _check_milestones(
    milestones: Iterable[MilestoneInput], *, start: dt.date, due: dt.date
) -> list[MilestoneInput]:
    rows = list(milestones)
    if len(rows) > MAX_MILESTONES:
        raise _invalid("milestones", _("节点过多。"), "max_length")
    for row in rows:
        _text(row.title, "milestones", 200, required=True)
        if not start <= row.due_date <= due:
            raise _invalid("milestones", _("节点时限须在今天与完成时限之间。"))
    return sorted(rows, key=lambda r: r.due_date)


def _ledger(*, body: IssuingBody, year: int) -> Plan:
    """The year's 督办事项台账 of the body, created on first use, locked (one item number
    at a time)."""
    plan, _created = Plan.objects.get_or_create(
        body=body,
        year=year,
        kind=PlanKind.SUPERVISION_LEDGER,
        defaults={
            "title": _("%(body)s%(year)s年督办事项台账") % {"body": body.name, "year": year},
            "status": PlanStatus.OPEN,
            "imported_at": timezone.now(),
        },
    )
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.OPEN:
        raise LedgerClosed()
    return plan


def _place(
    *, plan: Plan, source: str, source_name: str, source_date: dt.date | None, source_text: str
) -> tuple[Chapter, Measure]:
    """The chapter of the source kind and the measure of this source (one meeting, one
    leader's instruction…), created on first use."""
    chapter, _created = Chapter.objects.get_or_create(
        plan=plan,
        number=CHAPTER_OF_SOURCE[TaskSource(source)],
        defaults={"title": str(TaskSource(source).label)},
    )
    name = source_name or str(TaskSource(source).label)
    title = f"{name}（{source_date.isoformat()}）" if source_date else name
    measure = Measure.objects.filter(chapter=chapter, title=title[:200]).first()
    if measure is None:
        last = chapter.measures.aggregate(n=Max("number"))["n"] or 0
        measure = Measure.objects.create(
            chapter=chapter, number=last + 1, title=title[:200], text=source_text or title
        )
    return chapter, measure


def _next_code(plan: Plan) -> str:
    """督-<year>-NNN, the next free number of the ledger (the plan row is locked)."""
    n = Task.objects.filter(plan=plan).count() + 1
    while Task.objects.filter(plan=plan, code=f"督-{plan.year}-{n:03d}").exists():
        n += 1
    return f"督-{plan.year}-{n:03d}"


@transaction.atomic
def supervision_item_create(
    *,
    actor: User,
    body: IssuingBody,
    year: int,
    source: str,
    source_name: str,
    source_date: dt.date | None,
    source_text: str,
    title: str,
    text: str,
    lead_department: Department,
    co_departments: Sequence[Department],
    due_date: dt.date,
    milestones: Iterable[MilestoneInput] = (),
    evidence_requirement: str = "",
) -> Task:
    """立项交办 of a supervision item (督查室 only): the item is a task of the year's
    督办事项台账, at 未签收 for its lead department, whose leads are told."""
    _check_actor(actor)
    own = IssuingBody.objects.filter(pk=body.pk).filter(pk=own_body(actor))
    if not (actor.is_superuser or own.exists()):
        raise _invalid("body", _("只能为本单位新增督办事项。"))
    if source not in ITEM_SOURCES:
        raise _invalid("source", _("来源类型无效。"), "invalid_choice")
    if not 2000 <= year <= 2100:
        raise _invalid("year", _("年度无效。"))
    source_name = _text(source_name, "source_name", 200, required=source in _NAMED_SOURCES)
    if source == TaskSource.MEETING and source_date is None:
        raise _invalid("source_date", _("请填写会议日期。"), "required")
    source_text = _text(source_text, "source_text", 5000, required=source == TaskSource.INSTRUCTION)
    title = _text(title, "title", 200, required=True)
    text = _text(text, "text", 5000, required=True)
    evidence_requirement = _text(evidence_requirement, "evidence_requirement", 2000, required=False)
    start = today()
    if source_date is not None and source_date > start:
        raise _invalid("source_date", _("来源日期不能晚于今天。"))
    if due_date < start:
        raise _invalid("due_date", _("完成时限不能早于今天。"))
    co = _check_departments(body=body, lead=lead_department, co=co_departments)
    rows = _check_milestones(milestones, start=start, due=due_date)

    plan = _ledger(body=body, year=year)
    chapter, measure = _place(
        plan=plan,
        source=source,
        source_name=source_name,
        source_date=source_date,
        source_text=source_text,
    )
    sentence = (measure.tasks.aggregate(n=Max("sentence_no"))["n"] or 0) + 1
    task = Task.objects.create(
        plan=plan,
        chapter=chapter,
        measure=measure,
        code=_next_code(plan),
        sentence_no=sentence,
        title=title,
        text=text,
        lead_department=lead_department,
        start_date=start,
        due_date=due_date,
        original_due_date=due_date,
        source=source,
        source_name=source_name or None,
        source_date=source_date,
        source_text=source_text or None,
        evidence_requirement=evidence_requirement or None,
    )
    if co:
        task.co_departments.set(co)
    dated = [r for r in rows if r.due_date < due_date]
    Milestone.objects.bulk_create(
        [
            *(
                Milestone(
                    task=task,
                    sequence=i,
                    title=r.title.strip(),
                    due_date=r.due_date,
                    original_due_date=r.due_date,
                )
                for i, r in enumerate(dated, start=1)
            ),
            Milestone(
                task=task,
                sequence=len(dated) + 1,
                title=_final_title(rows, due_date),
                due_date=due_date,
                original_due_date=due_date,
                is_final=True,
            ),
        ]
    )
    history_record(
        task=task,
        actor=actor,
        action=ITEM_CREATE,
        field="source",
        to_value={
            "source": source,
            "source_name": source_name,
            "source_date": source_date.isoformat() if source_date else None,
            "lead_department": lead_department.pk,
            "co_departments": sorted(d.pk for d in co),
            "due_date": due_date.isoformat(),
        },
        reason=source_text,
    )
    tasks_assign(tasks=Task.objects.filter(pk=task.pk), actor=actor)
    task.refresh_from_db()
    task_reassigned_notify(task=task, actor=actor)
    return task


_NAMED_SOURCES = (TaskSource.MEETING, TaskSource.INSTRUCTION)


def _final_title(rows: Sequence[MilestoneInput], due_date: dt.date) -> str:
    """The final milestone carries the item's deadline (as a plan task's does); a milestone
    given on the deadline itself names it."""
    on_due = [r.title.strip() for r in rows if r.due_date == due_date]
    return on_due[-1] if on_due else _("办结")


@transaction.atomic
def instruction_to_item(
    *, actor: User, instruction: LeaderInstruction, due_date: dt.date | None = None
) -> Task:
    """Turn a leader's instruction on a task into a supervision item of its own (source
    领导批示): same lead and co-departments, due by `due_date` (default: the task's
    deadline, or today if that has passed). Recorded on both tasks; once per instruction."""
    _check_actor(actor)
    origin = Task.objects.select_for_update(of=("self",)).get(pk=instruction.task_id)
    done = HistoryEvent.objects.filter(
        task=origin, action=ITEM_FROM_INSTRUCTION, from_value__instruction_id=instruction.pk
    )
    if done.exists():
        raise InstructionAlreadyItem()
    author = instruction.author
    created = timezone.localtime(instruction.created_at).date()
    item = supervision_item_create(
        actor=actor,
        body=origin.plan.body,
        year=created.year,
        source=TaskSource.INSTRUCTION,
        source_name=author.display_name or author.username,
        source_date=created,
        source_text=instruction.text,
        title=_("落实领导批示：%(title)s") % {"title": origin.title[:180]},
        text=_("%(text)s\n（批示于任务 %(code)s %(title)s）")
        % {"text": instruction.text, "code": origin.code, "title": origin.title},
        lead_department=origin.lead_department,
        co_departments=list(origin.co_departments.all()),
        due_date=due_date or max(origin.due_date, today()),
        milestones=(),
        evidence_requirement="",
    )
    history_record(
        task=origin,
        actor=actor,
        action=ITEM_FROM_INSTRUCTION,
        field="instruction",
        from_value={"instruction_id": instruction.pk},
        to_value={"task_id": item.pk, "code": item.code},
    )
    history_record(
        task=item,
        actor=actor,
        action=ITEM_FROM_INSTRUCTION,
        field="instruction",
        from_value={"instruction_id": instruction.pk, "task_id": origin.pk, "code": origin.code},
        to_value={"task_id": item.pk, "code": item.code},
    )
    return item
