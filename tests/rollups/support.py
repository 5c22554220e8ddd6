"""A small 2025 plan whose Q3 numbers are counted by hand (see EXPECTED in the tests).

Departments A (甲局), B (乙局), C (丙局, indicators only); chapters (一) and (二).

task chapter lead status       due (original) progress notes
T1   一      A    completed    09-30          100  done 09-20: on time
T2   一      A    completed    12-31 (08-31)  100  extended 08-20 (in time), done 09-15: on time
T3   一      B    completed    12-31 (08-31)  100  extended 09-05 (late), done 09-10: late
T4   二      B    in_progress   09-15             40  overdue, red
T5   二      A    in_progress   12-31             10  74 % expected: red
T6   二      B    cancelled     06-30             20  not counted in progress
T7   一      A    not_started   12-31 (start 09-01) 0 yellow, not red
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from indicators_app.models import Indicator, Observation
from tasks_app.models import (
    Chapter,
    Department,
    ExtensionRequest,
    Measure,
    Milestone,
    Plan,
    ProgressReport,
    ReminderDispatch,
    SupervisionNotice,
    Task,
    User,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@dataclass
class MiniPlan:
    plan: Plan
    a: Department
    b: Department
    c: Department
    tasks: dict[str, Task]
    clerk: User


def _task(plan, measure, code, lead, status, due, original=None, progress=0, **extra) -> Task:
    return Task.objects.create(
        plan=plan, chapter=measure.chapter, measure=measure, code=code,
        sentence_no=int(code[1:]), text=f"{code}的任务原文", title=f"任务{code}",
        lead_department=lead, start_date=extra.pop("start", D(2025, 1, 1)), due_date=due,
        original_due_date=original or due, status=status, progress=progress, **extra,
    )  # fmt: skip


def _milestone(task, seq, due, *, final=False, done=None, original=None) -> Milestone:
    return Milestone.objects.create(
        task=task, sequence=seq, title=f"节点{seq}", due_date=due,
        original_due_date=original or due, is_final=final,
        completed_at=at(done) if done else None,
    )  # fmt: skip


def _extension(task, clerk, old, new, decided, status="approved", milestone=None) -> None:
    ExtensionRequest.objects.create(
        task=task, milestone=milestone, requested_by=clerk, old_due_date=old, new_due_date=new,
        reason="客观原因", status=status, decided_by=clerk, decided_at=at(decided),
    )  # fmt: skip


def _report(task, department, clerk, period, created) -> None:
    report = ProgressReport.objects.create(
        task=task, author=clerk, department=department, period=period, percent=10, narrative="进展"
    )
    ProgressReport.objects.filter(pk=report.pk).update(created_at=created)


def _tasks(plan: Plan, m1: Measure, m2: Measure, a, b) -> dict[str, Task]:
    done = "completed"
    sep20, sep15, sep10 = at(D(2025, 9, 20)), at(D(2025, 9, 15)), at(D(2025, 9, 10))
    dec31, aug31 = D(2025, 12, 31), D(2025, 8, 31)
    return {
        "T1": _task(plan, m1, "T1", a, done, D(2025, 9, 30), None, 100, completed_at=sep20),
        "T2": _task(plan, m1, "T2", a, done, dec31, aug31, 100, completed_at=sep15),
        "T3": _task(plan, m1, "T3", b, done, dec31, aug31, 100, completed_at=sep10),
        "T4": _task(plan, m2, "T4", b, "in_progress", D(2025, 9, 15), progress=40),
        "T5": _task(plan, m2, "T5", a, "in_progress", D(2025, 12, 31), progress=10),
        "T6": _task(plan, m2, "T6", b, "cancelled", D(2025, 6, 30), progress=20),
        "T7": _task(plan, m1, "T7", a, "not_started", D(2025, 12, 31), start=D(2025, 9, 1)),
    }  # fmt: skip


def _milestones_and_extensions(t: dict[str, Task], clerk: User) -> None:
    _milestone(t["T1"], 1, D(2025, 9, 30), final=True, done=D(2025, 9, 20))  # Q3, on time
    _milestone(t["T2"], 1, D(2025, 7, 31), done=D(2025, 8, 5))  # Q3, late
    _milestone(t["T2"], 2, D(2025, 12, 31), final=True, done=D(2025, 9, 15))
    _milestone(t["T3"], 1, D(2025, 12, 31), final=True, done=D(2025, 9, 10))
    _milestone(t["T4"], 1, D(2025, 9, 15), final=True)  # Q3, open
    _milestone(t["T5"], 1, D(2025, 9, 30))  # Q3, open
    m5b = _milestone(t["T5"], 2, D(2025, 11, 30), original=D(2025, 8, 15))  # in force: 08-15
    _milestone(t["T5"], 3, D(2025, 12, 31), final=True)
    _milestone(t["T6"], 1, D(2025, 8, 31))  # cancelled task: not counted
    _milestone(t["T7"], 1, D(2025, 12, 31), final=True)
    _extension(t["T2"], clerk, D(2025, 8, 31), D(2025, 12, 31), D(2025, 8, 20))  # in time
    _extension(t["T3"], clerk, D(2025, 8, 31), D(2025, 12, 31), D(2025, 9, 5))  # late
    _extension(t["T5"], clerk, D(2025, 8, 15), D(2025, 11, 30), D(2025, 8, 20), milestone=m5b)
    _extension(t["T4"], clerk, D(2025, 9, 15), D(2025, 12, 31), D(2025, 9, 1), status="rejected")


def _reports(t: dict[str, Task], a, b, clerk: User) -> None:
    _report(t["T4"], b, clerk, "2025-06", at(D(2025, 7, 3)))  # on time
    _report(t["T4"], b, clerk, "2025-07", at(D(2025, 8, 10)))  # late
    _report(t["T5"], a, clerk, "2025-06", at(D(2025, 7, 5), 23))  # on time (due day, 23:00)
    _report(t["T5"], b, clerk, "2025-08", at(D(2025, 8, 20)))  # a co-department's: not counted
    _report(t["T5"], a, clerk, "2025-08", at(D(2025, 10, 2)))  # after the quarter: missing


def _activity(t: dict[str, Task], a, b, c, clerk: User, leader: User) -> None:
    rows = [
        ("task_deadline:5:", D(2025, 9, 10), a, t["T5"], clerk),
        ("task_deadline:5:", D(2025, 9, 10), a, t["T5"], leader),
        ("task_deadline:4:", D(2025, 9, 20), b, t["T4"], clerk),
        ("task_deadline:4:", D(2025, 10, 9), b, t["T4"], clerk),  # next quarter
        ("indicator_observation:1:2025-Q2", D(2025, 8, 1), c, None, clerk),
    ]
    ReminderDispatch.objects.bulk_create(
        ReminderDispatch(
            item_key=key, item_kind=key.split(":")[0], item_due_date=day, level="overdue",
            recipient=who, run_date=day, department=dep, task=task,
        )
        for key, day, dep, task, who in rows
    )  # fmt: skip
    for task, dep, kind, day in (
        (t["T4"], b, "notice", D(2025, 9, 22)),
        (t["T5"], a, "urge", D(2025, 8, 11)),
        (t["T5"], a, "notice", D(2025, 10, 5)),  # next quarter
    ):
        notice = SupervisionNotice.objects.create(
            task=task, department=dep, kind=kind, reason="逾期"
        )
        SupervisionNotice.objects.filter(pk=notice.pk).update(created_at=at(day))


def _indicators(plan: Plan, a, c) -> None:
    common = {"plan": plan, "group_no": 1, "group": "持续提升发展质量", "target_text": ""}
    Indicator.objects.create(
        code="I1", order=1, name="测试预期指标", category="expected", responsible_department=a,
        target_comparator=">=", target_value=Decimal(5), unit="%", **common,
    )  # fmt: skip
    binding = Indicator.objects.create(
        code="I2", order=2, name="测试约束指标", category="binding", responsible_department=c,
        target_comparator="<=", target_value=Decimal(35), unit="微克/立方米", **common,
    )  # fmt: skip
    Observation.objects.create(
        indicator=binding, period="2025-Q2", period_end=D(2025, 6, 30), value=Decimal(30),
        unit="微克/立方米",
    )  # fmt: skip


def mini_plan(leader: User) -> MiniPlan:
    """The `mini` fixture (tests/conftest.py): the plan of the table above."""
    plan = Plan.objects.create(year=2025, title="测试计划2025")
    a = Department.objects.create(code="da", name="甲局")
    b = Department.objects.create(code="db", name="乙局")
    c = Department.objects.create(code="dc", name="丙局")
    ch1 = Chapter.objects.create(plan=plan, number=1, title="经济发展")
    ch2 = Chapter.objects.create(plan=plan, number=2, title="民生保障")
    m1 = Measure.objects.create(chapter=ch1, number=1, title="举措一", text="举措一。")
    m2 = Measure.objects.create(chapter=ch2, number=1, title="举措二", text="举措二。")
    clerk = User.objects.create_user(username="clerk", password="x-Password-1")
    tasks = _tasks(plan, m1, m2, a, b)
    _milestones_and_extensions(tasks, clerk)
    _reports(tasks, a, b, clerk)
    _activity(tasks, a, b, c, clerk, leader)
    _indicators(plan, a, c)
    return MiniPlan(plan, a, b, c, tasks, clerk)
