"""plan_rollover: close a plan year and carry its unfinished tasks into the next plan (结转).

Each unfinished task of the source plan gets a continuation in the target plan: the same
text, title, lead and co-departments, owner, progress and key results, a new deadline in
the target year, default quarterly milestones, `carried_from` pointing back. The source
task becomes `carried_over` (已结转: closed, not completed), both get a history row, and
the source plan is closed: it sends no reminders and its rollups are frozen. One
transaction; bulk writes whatever the number of tasks.

Carried tasks live in a chapter of their own in the target plan ("2025年度结转任务",
number CARRY_CHAPTER_BASE + source year % 1000, beyond any number a plan text produces),
with one measure per source measure (numbered in the source plan's order); their codes
are `<target year>-JZ-<source code>`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tasks_app.models import (
    Chapter,
    HistoryEvent,
    KeyResult,
    Measure,
    Milestone,
    Plan,
    PlanStatus,
    Task,
    TaskStatus,
    User,
)
from tasks_app.plans.import_children import default_milestones
from tasks_app.rollover.selectors import tasks_to_carry
from tasks_app.supervision.acknowledgement import tasks_assign
from tasks_app.workflow.rules import OPEN_STATUSES

CARRY_CHAPTER_BASE = 1000
CARRY_CODE_MARK = "JZ"  # 结转


class RolloverError(ValueError):
    """The rollover cannot be done (same plan, other body, earlier year, closed plan)."""


class DueDatePolicy(StrEnum):
    SAME_DAY = "same_day"  # the same month and day in the target year (29 Feb → 28 Feb)
    YEAR_END = "year_end"  # 31 December of the target year


@dataclass
class CarriedPair:
    source: Task
    target: Task


@dataclass
class RolloverResult:
    source_plan: Plan
    target_plan: Plan
    dry_run: bool
    pairs: list[CarriedPair] = field(default_factory=list)

    @property
    def carried(self) -> int:
        return len(self.pairs)


def new_due_date(*, due: dt.date, year: int, policy: DueDatePolicy) -> dt.date:
    if policy == DueDatePolicy.YEAR_END:
        return dt.date(year, 12, 31)
    day = min(due.day, 28) if due.month == 2 else due.day
    return dt.date(year, due.month, day)


def carried_code(*, source: Task, target_plan: Plan) -> str:
    return f"{target_plan.year}-{CARRY_CODE_MARK}-{source.code}"[:40]


def _check(source_plan: Plan, target_plan: Plan) -> None:
    if source_plan.pk == target_plan.pk:
        raise RolloverError("source and target are the same plan")
    if source_plan.body_id != target_plan.body_id:
        raise RolloverError("source and target plans belong to different issuing bodies")
    if target_plan.year <= source_plan.year:
        raise RolloverError("the target plan must be of a later year than the source plan")
    if source_plan.status == PlanStatus.CLOSED:
        raise RolloverError(f"plan {source_plan} is already closed (carried over)")
    if target_plan.status == PlanStatus.CLOSED:
        raise RolloverError(f"plan {target_plan} is closed")


def _carry_structure(
    source_plan: Plan, target_plan: Plan, tasks: list[Task]
) -> tuple[Chapter, dict[int, Measure]]:
    """The carry chapter of the target plan and its measure for each source measure."""
    chapter, _ = Chapter.objects.get_or_create(
        plan=target_plan,
        number=CARRY_CHAPTER_BASE + source_plan.year % 1000,
        defaults={"title": f"{source_plan.year}年度结转任务"},
    )
    wanted = {t.measure_id: t for t in tasks}  # tasks come in plan order
    # Numbered 1, 2, … in the source plan's order (a source measure may itself be in a
    # carry chapter, so its own number says nothing about its place).
    numbers = {measure_id: index for index, measure_id in enumerate(wanted, start=1)}
    existing = {m.number: m for m in Measure.objects.filter(chapter=chapter)}
    Measure.objects.bulk_create(
        [
            Measure(
                chapter=chapter, number=numbers[mid], title=t.measure.title, text=t.measure.text
            )
            for mid, t in wanted.items()
            if numbers[mid] not in existing
        ]
    )
    by_number = {m.number: m for m in Measure.objects.filter(chapter=chapter)}
    return chapter, {mid: by_number[number] for mid, number in numbers.items()}


def _continuation(
    source: Task, *, target_plan: Plan, chapter: Chapter, measure: Measure, due: dt.date
) -> Task:
    started = source.status in (TaskStatus.IN_PROGRESS, TaskStatus.PENDING_REVIEW)
    status = TaskStatus.IN_PROGRESS if started else source.status
    if status == TaskStatus.PENDING_REVIEW:
        status = TaskStatus.IN_PROGRESS
    return Task(
        plan=target_plan,
        chapter=chapter,
        measure=measure,
        code=carried_code(source=source, target_plan=target_plan),
        sentence_no=source.sentence_no,
        text=source.text,
        title=source.title,
        lead_department_id=source.lead_department_id,
        owner_id=source.owner_id,
        start_date=dt.date(target_plan.year, 1, 1),
        due_date=due,
        original_due_date=due,
        status=status,
        progress=source.progress,
        carried_from=source,
    )


def _copy_children(pairs: list[CarriedPair], year: int) -> None:
    """Co-departments and key results as they stand; default milestones of the new year."""
    by_source = {p.source.pk: p.target for p in pairs}
    link = Task.co_departments.through
    links = link.objects.filter(task_id__in=by_source).values_list("task_id", "department_id")
    link.objects.bulk_create(
        [link(task_id=by_source[task_id].pk, department_id=dep) for task_id, dep in links]
    )
    key_results = KeyResult.objects.filter(task_id__in=by_source).order_by("task_id", "order")
    KeyResult.objects.bulk_create(
        [
            KeyResult(
                task=by_source[kr.task_id],
                order=kr.order,
                value=kr.value,
                unit=kr.unit,
                label=kr.label,
                raw=kr.raw,
                actual_value=kr.actual_value,
                actual_reported_at=kr.actual_reported_at,
            )
            for kr in key_results
        ]
    )
    milestones = []
    for pair in pairs:
        specs = default_milestones(year=year, due=pair.target.due_date)
        for seq, spec in enumerate(specs, start=1):
            milestones.append(
                Milestone(
                    task=pair.target,
                    sequence=seq,
                    title=spec.title,
                    due_date=spec.due,
                    original_due_date=spec.due,
                    is_final=seq == len(specs),
                )
            )
    Milestone.objects.bulk_create(milestones)


def _history(pairs: list[CarriedPair], actor: User | None, target_plan: Plan) -> None:
    rows = []
    for pair in pairs:
        source, target = pair.source, pair.target
        rows.append(
            HistoryEvent(
                task=source,
                actor=actor,
                action="carried_over",
                field="status",
                from_value=source.status,
                to_value=TaskStatus.CARRIED_OVER.value,
                reason=f"结转至{target_plan.year}年度：{target.code}（任务 {target.pk}）",
            )
        )
        rows.append(
            HistoryEvent(
                task=target,
                actor=actor,
                action="carried_from",
                field="carried_from",
                from_value=source.code,
                to_value=target.code,
                reason=f"由{source.plan.year}年度 {source.code}（任务 {source.pk}）结转",
            )
        )
    HistoryEvent.objects.bulk_create(rows)


def _close_sources(source_ids: list[int]) -> None:
    """The carried tasks become carried_over (已结转), with a new version (the ETag)."""
    Task.objects.filter(pk__in=source_ids).update(
        status=TaskStatus.CARRIED_OVER, version=F("version") + 1, updated_at=timezone.now()
    )


@transaction.atomic
def plan_rollover(
    *,
    source_plan: Plan,
    target_plan: Plan,
    actor: User | None,
    due_date_policy: DueDatePolicy | str = DueDatePolicy.SAME_DAY,
    dry_run: bool = False,
) -> RolloverResult:
    """Close `source_plan` and carry its unfinished tasks into `target_plan`.

    dry_run: compute the pairs (targets unsaved) and write nothing. Raises RolloverError.
    """
    policy = DueDatePolicy(due_date_policy)
    source_plan = Plan.objects.select_for_update().get(pk=source_plan.pk)
    target_plan = Plan.objects.select_for_update().get(pk=target_plan.pk)
    _check(source_plan, target_plan)
    # Lock the plan's open tasks in primary-key order (the project's lock order), then read.
    open_tasks = Task.objects.filter(plan=source_plan, status__in=OPEN_STATUSES)
    list(open_tasks.select_for_update().order_by("pk").values_list("pk", flat=True))
    tasks = list(tasks_to_carry(source_plan))
    result = RolloverResult(source_plan=source_plan, target_plan=target_plan, dry_run=dry_run)
    if dry_run:
        result.pairs = [
            CarriedPair(t, _preview(t, target_plan=target_plan, policy=policy)) for t in tasks
        ]
        return result
    chapter, measures = _carry_structure(source_plan, target_plan, tasks)
    targets = [
        _continuation(
            t,
            target_plan=target_plan,
            chapter=chapter,
            measure=measures[t.measure_id],
            due=new_due_date(due=t.due_date, year=target_plan.year, policy=policy),
        )
        for t in tasks
    ]
    Task.objects.bulk_create(targets)
    result.pairs = [CarriedPair(s, t) for s, t in zip(tasks, targets, strict=True)]
    _copy_children(result.pairs, target_plan.year)
    _history(result.pairs, actor, target_plan)
    # 交办: the carried tasks await 签收 by their lead departments in the new year.
    tasks_assign(tasks=Task.objects.filter(pk__in=[t.pk for t in targets]), actor=actor)
    _close_sources([t.pk for t in tasks])
    Plan.objects.filter(pk=source_plan.pk).update(
        status=PlanStatus.CLOSED, closed_at=timezone.now(), updated_at=timezone.now()
    )
    source_plan.refresh_from_db()
    return result


def _preview(source: Task, *, target_plan: Plan, policy: DueDatePolicy) -> Task:
    due = new_due_date(due=source.due_date, year=target_plan.year, policy=policy)
    return Task(
        plan=target_plan,
        code=carried_code(source=source, target_plan=target_plan),
        title=source.title,
        lead_department=source.lead_department,
        due_date=due,
        carried_from=source,
    )
