"""Rows of the city-scale benchmark dataset (manage.py generate_city): pure and deterministic.

At scale 1 (product.md, "Scale"): 16 districts' plans with 100,000 tasks, 400,000
milestones, 1,000,000 progress reports, 1,000,000 notifications, 10,000 people and 600
departments. Tasks, people and departments (and so every child table) scale linearly with
`scale`; the 16 districts and their 21 indicators each do not, so a department or a
person holds as much as in a real district whatever the scale, and only the tables grow.

The texts come from the seed plan (seeds/daxing-2025): its measures, sentences and key
results are cloned into every district's plan, its departments are every district's.

Each district is an issuing body with its own departments, supervisor and leaders, and
its own plan of the anchor year (大兴区 is the default body, whose plan a rollup of that
year reads by default). Every task is dated around the anchor day.

Same (seed, scale, anchor) → the same rows, ids included (ids start at `first_ids`).
Each table draws from its own random stream, so changing one table leaves the others be.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from tasks_app.parsing.parser import ParsedIndicator, parse_plan
from tasks_app.parsing.quantities import KeyResult
from tasks_app.plans.enrichment import load_enrichment
from tasks_app.workflow.cadence import period_due_date, period_last_day, previous_period

DISTRICTS = (
    ("dc", "东城区"),
    ("xc", "西城区"),
    ("cy", "朝阳区"),
    ("hd", "海淀区"),
    ("ft", "丰台区"),
    ("sjs", "石景山区"),
    ("mtg", "门头沟区"),
    ("fs", "房山区"),
    ("tz", "通州区"),
    ("sy", "顺义区"),
    ("cp", "昌平区"),
    ("hr", "怀柔区"),
    ("pg", "平谷区"),
    ("my", "密云区"),
    ("yq", "延庆区"),
    ("dx", "大兴区"),
)
FULL_TASKS, FULL_PEOPLE, FULL_DEPARTMENTS = 100_000, 10_000, 600
MILESTONES_PER_TASK = 4
REPORTS_PER_TASK = 10
NOTIFICATIONS_PER_TASK = 10
REPORT_HISTORY_MONTHS = 12  # reports fall in the last 12 closed monthly periods
RECENT_MONTHS, RECENT_MISSING_SHARE = 3, 0.05
# Tasks changed in the day before the anchor instant (what one day's sync returns); the
# others last changed 1–90 days before it.
CHANGED_LAST_DAY = 0.015
LEADERS_PER_DISTRICT = 2
OBSERVATIONS_PER_INDICATOR = 4
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宁欣怡晨阳"
NOTIFICATION_KINDS = (
    ("reminder_digest", "提醒汇总"),
    ("reminder_digest", "提醒汇总"),
    ("urge", "催办"),
    ("transition", "状态变更"),
    ("comment", "新评论"),
)


@dataclass(frozen=True)
class Sizes:
    tasks: int
    people: int
    departments: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        departments = max(2 * len(DISTRICTS), round(FULL_DEPARTMENTS * scale))
        district_people = len(DISTRICTS) * (1 + LEADERS_PER_DISTRICT)
        return cls(
            tasks=max(len(DISTRICTS), round(FULL_TASKS * scale)),
            people=max(district_people + departments, round(FULL_PEOPLE * scale)),
            departments=departments,
        )

    def expected_counts(self) -> dict[str, int]:
        """Rows per table the generator promises (the smoke test checks these)."""
        return {
            "plans": len(DISTRICTS),
            "departments": self.departments,
            "people": self.people,
            "tasks": self.tasks,
            "milestones": self.tasks * MILESTONES_PER_TASK,
            "progress_reports": self.tasks * REPORTS_PER_TASK,
            "notifications": self.tasks * NOTIFICATIONS_PER_TASK,
            "indicators": len(DISTRICTS) * 21,
        }


@dataclass(frozen=True)
class TemplateMeasure:
    chapter_no: int
    title: str
    text: str
    tasks: tuple[tuple[str, str, tuple[KeyResult, ...]], ...]  # (text, title, key results)


@dataclass(frozen=True)
class Template:
    chapters: tuple[tuple[int, str], ...]
    measures: tuple[TemplateMeasure, ...]
    indicators: tuple[tuple[ParsedIndicator, dict], ...]
    departments: tuple[dict, ...]


def load_template(seed_dir: Path) -> Template:
    """The seed plan, parsed by the project's own parser, as the pattern of every district."""
    parsed = parse_plan((seed_dir / "plan.txt").read_text(encoding="utf-8"))
    enrichment = load_enrichment(seed_dir / "enrichment.yaml")
    measures = tuple(
        TemplateMeasure(
            chapter.number,
            measure.title,
            measure.text,
            tuple((t.text, t.title, tuple(t.key_results)) for t in measure.tasks),
        )
        for chapter in parsed.chapters
        for measure in chapter.measures
        if measure.tasks
    )
    return Template(
        chapters=tuple((c.number, c.title) for c in parsed.chapters),
        measures=measures,
        indicators=tuple((pi, enrichment.indicators[pi.name]) for pi in parsed.indicators),
        departments=tuple(enrichment.departments),
    )


@dataclass
class TaskFacts:
    """What the child tables need to know about one generated task."""

    id: int
    code: str
    title: str
    lead: int
    co: tuple[int, ...]
    owner: int | None
    start: dt.date
    due: dt.date
    status: str
    progress: int
    completed_at: dt.datetime | None
    created_at: dt.datetime


@dataclass
class City:
    """The generated world: ids of departments, people and plans, and every task's facts."""

    template: Template
    sizes: Sizes
    anchor: dt.date
    seed: int
    first_ids: dict[str, int]
    password_hash: str
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    departments: list[tuple[int, int, dict]] = field(default_factory=list)  # (id, district, spec)
    members: dict[int, list[int]] = field(default_factory=dict)  # department id → user ids
    tasks: list[TaskFacts] = field(default_factory=list)
    body_ids: list[int] = field(default_factory=list)  # issuing body id, per district

    def __post_init__(self) -> None:
        self.anchor_at = anchor_instant(self.anchor)
        self.plan_years = [self.anchor.year] * len(DISTRICTS)

    def rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}/{table}")

    def ago(self, seconds: int | float) -> dt.datetime:
        return self.anchor_at - dt.timedelta(seconds=int(seconds))

    def at_day(self, day: dt.date, rng: random.Random) -> dt.datetime:
        """A working-hours instant of `day`, never after the anchor instant."""
        moment = dt.datetime.combine(day, dt.time(8), tzinfo=self.tz)
        return min(moment + dt.timedelta(seconds=rng.randint(0, 10 * 3600)), self.ago(60))

    def ids(self, table: str) -> Iterator[int]:
        return iter(range(self.first_ids.get(table, 1), 2**62))

    # --- organisation -------------------------------------------------------------------

    def department_rows(self) -> Iterator[tuple]:
        ids, seeds = self.ids("department"), self.template.departments
        per_district: list[int] = [0] * len(DISTRICTS)
        for index in range(self.sizes.departments):
            district = index % len(DISTRICTS)
            slot = per_district[district]
            per_district[district] += 1
            spec, copy_no = seeds[slot % len(seeds)], slot // len(seeds)
            dcode, dname = DISTRICTS[district]
            suffix_code, suffix_name = (
                (f"-{copy_no + 1}", f"（{copy_no + 1}）") if copy_no else ("", "")
            )
            name = dname + spec["name"].removeprefix("区").removeprefix("大兴区") + suffix_name
            code = f"{dcode}-{spec['code']}{suffix_code}"
            dep_id = next(ids)
            self.departments.append((dep_id, district, {**spec, "code": code}))
            yield (
                dep_id,
                code,
                name,
                spec.get("kind", "bureau"),
                "",
                True,
                self.ago(86400),
                self.body_ids[district],
            )

    def district_departments(self, district: int) -> list[int]:
        return [dep_id for dep_id, d, _spec in self.departments if d == district]

    def _person(
        self, rng: random.Random, user_id: int, username: str, role: str, district: int
    ) -> tuple:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        phone = f"13{rng.randint(0, 999_999_999):09d}"
        email = f"{username}@city.example"
        return (
            user_id,
            self.password_hash,
            username,
            email,
            self.ago(365 * 86400),
            name,
            phone,
            role,
            rng.random() < 0.8,
            True,
            role == "supervisor",
            self.body_ids[district],
        )

    def user_rows(self) -> Iterator[tuple]:
        rng, ids = self.rng("users"), self.ids("user")
        for district, (dcode, _name) in enumerate(DISTRICTS):
            yield self._person(rng, next(ids), f"sup.{dcode}", "supervisor", district)
            for k in range(1, LEADERS_PER_DISTRICT + 1):
                yield self._person(rng, next(ids), f"leader.{dcode}.{k}", "leader", district)
        remaining = self.sizes.people - len(DISTRICTS) * (1 + LEADERS_PER_DISTRICT)
        for index in range(remaining):
            dep_id, district, spec = self.departments[index % len(self.departments)]
            members = self.members.setdefault(dep_id, [])
            username = (
                f"lead.{spec['code']}" if not members else f"staff.{spec['code']}.{len(members)}"
            )
            user_id = next(ids)
            members.append(user_id)
            yield self._person(rng, user_id, username, "", district)

    def membership_rows(self) -> Iterator[tuple]:
        ids = self.ids("membership")
        for dep_id, users in self.members.items():
            for position, user_id in enumerate(users):
                yield (next(ids), user_id, dep_id, "dept_lead" if position == 0 else "dept_staff")

    # --- plans and their structure --------------------------------------------------------

    def plan_rows(self) -> Iterator[tuple]:
        ids = self.ids("plan")
        self.plan_ids = []
        for district, (_dcode, dname) in enumerate(DISTRICTS):
            plan_id, year = next(ids), self.plan_years[district]
            self.plan_ids.append(plan_id)
            title = f"北京市{dname}{year}年国民经济和社会发展计划（基准测试数据）"
            yield (
                plan_id,
                year,
                title,
                "generate_city",
                "",
                self.ago(30 * 86400),
                self.ago(86400),
                self.body_ids[district],
            )

    def structure_rows(self) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """Chapters, measures and the task skeleton (district, chapter, measure, sentence)."""
        chapter_ids, measure_ids = self.ids("chapter"), self.ids("measure")
        chapters, measures, self.skeleton = [], [], []
        base, extra = divmod(self.sizes.tasks, len(DISTRICTS))
        for district, plan_id in enumerate(self.plan_ids):
            quota = base + (1 if district < extra else 0)
            by_number = {}
            for number, title in self.template.chapters:
                by_number[number] = next(chapter_ids)
                chapters.append((by_number[number], plan_id, number, title))
            numbers = dict.fromkeys(by_number, 0)
            cycle = 0
            while quota > 0:
                tm = self.template.measures[cycle % len(self.template.measures)]
                cycle += 1
                numbers[tm.chapter_no] += 1
                measure_id = next(measure_ids)
                chapter_id = by_number[tm.chapter_no]
                text = localise(tm.text, district)
                measures.append(
                    (measure_id, chapter_id, numbers[tm.chapter_no], tm.title[:200], text)
                )
                for sentence, template_task in enumerate(tm.tasks[:quota], start=1):
                    self.skeleton.append(
                        (
                            district,
                            plan_id,
                            chapter_id,
                            tm.chapter_no,
                            measure_id,
                            numbers[tm.chapter_no],
                            sentence,
                            template_task,
                        )
                    )
                quota -= min(quota, len(tm.tasks))
        return chapters, measures, self.skeleton

    def task_rows(self) -> Iterator[tuple]:
        rng, ids = self.rng("tasks"), self.ids("task")
        by_district = {d: self.district_departments(d) for d in range(len(DISTRICTS))}
        for district, plan_id, chapter_id, ch_no, measure_id, m_no, sentence, tt in self.skeleton:
            text, title, _krs = tt
            year = self.plan_years[district]
            local = by_district[district]
            lead = rng.choice(local)
            others = [d for d in local if d != lead]
            co = tuple(rng.sample(others, min(len(others), rng.choice((0, 0, 0, 1, 1, 2)))))
            staff = self.members.get(lead) or [None]
            owner = rng.choice(staff) if rng.random() < 0.9 else None
            facts = self._task_facts(rng, next(ids), f"{year}-3.{ch_no}.{m_no}-{sentence:02d}")
            facts.title, facts.lead, facts.co, facts.owner = title, lead, co, owner
            self.tasks.append(facts)
            original_due = facts.due
            if rng.random() < 0.05:  # an extension was granted earlier
                original_due = max(facts.start, facts.due - dt.timedelta(days=rng.randint(15, 60)))
            yield (
                facts.id,
                plan_id,
                chapter_id,
                measure_id,
                facts.code,
                sentence,
                localise(text, district),
                title[:200],
                lead,
                owner,
                facts.start,
                facts.due,
                original_due,
                facts.status,
                facts.progress,
                facts.completed_at,
                1,
                rng.random() < 0.01,
                facts.created_at,
                self.ago(
                    rng.randint(0, 86400 - 1)
                    if rng.random() < CHANGED_LAST_DAY
                    else rng.randint(86400, 90 * 86400)
                ),
            )

    def _task_facts(self, rng: random.Random, task_id: int, code: str) -> TaskFacts:
        anchor = self.anchor
        start = anchor - dt.timedelta(days=rng.randint(20, 330))
        due = start + dt.timedelta(days=rng.randint(60, 420))
        elapsed = min(1.0, (anchor - start).days / max(1, (due - start).days))
        status, progress = task_status(rng, overdue=due < anchor, elapsed=elapsed)
        completed_at = None
        if status == "completed":
            done = start + dt.timedelta(days=int((due - start).days * rng.uniform(0.6, 1.1)))
            completed_at = self.at_day(min(done, anchor - dt.timedelta(days=1)), rng)
        created = dt.datetime.combine(start - dt.timedelta(days=30), dt.time(10), tzinfo=self.tz)
        return TaskFacts(
            task_id, code, "", 0, (), None, start, due, status, progress, completed_at, created
        )

    # --- per-task children -------------------------------------------------------------------

    def co_department_rows(self) -> Iterator[tuple]:
        ids = self.ids("task_co_departments")
        for task in self.tasks:
            for dep in task.co:
                yield (next(ids), task.id, dep)

    def key_result_rows(self) -> Iterator[tuple]:
        ids = self.ids("keyresult")
        for task, skeleton in zip(self.tasks, self.skeleton, strict=True):
            for order, kr in enumerate(skeleton[-1][2], start=1):
                actual = (kr.value * task.progress / 100).quantize(Decimal("0.0001"))
                reported = self.ago(86400) if task.progress else None
                yield (
                    next(ids),
                    task.id,
                    order,
                    kr.value,
                    kr.unit,
                    kr.label[:100],
                    kr.raw[:100],
                    actual if task.progress else None,
                    reported,
                )

    def milestone_rows(self) -> Iterator[tuple]:
        rng, ids = self.rng("milestones"), self.ids("milestone")
        titles = ("第一阶段节点", "第二阶段节点", "第三阶段节点", "完成时限")
        for task in self.tasks:
            span = (task.due - task.start).days
            for seq in range(1, MILESTONES_PER_TASK + 1):
                due = task.start + dt.timedelta(days=span * seq // MILESTONES_PER_TASK)
                final = seq == MILESTONES_PER_TASK
                done = task.status == "completed" or (
                    due < self.anchor and task.progress >= 25 * seq - 8 and not final
                )
                completed = None
                if done:
                    late = dt.timedelta(days=rng.randint(-10, 4))
                    completed = self.at_day(
                        min(due + late, self.anchor - dt.timedelta(days=1)), rng
                    )
                    if task.completed_at is not None:
                        completed = min(completed, task.completed_at)
                yield (
                    next(ids),
                    task.id,
                    seq,
                    titles[seq - 1],
                    due,
                    due,
                    final,
                    completed,
                    task.created_at,
                    completed or task.created_at,
                )

    def report_periods(self) -> list[str]:
        period = previous_period(f"{self.anchor.year:04d}-{self.anchor.month:02d}")
        periods = [period]
        while len(periods) < REPORT_HISTORY_MONTHS:
            periods.append(previous_period(periods[-1]))
        return periods[::-1]

    def progress_report_rows(self) -> Iterator[tuple]:
        """Ten per task: nine of the lead department's last twelve months, one co-report.

        Of the three missing months, each of the latest RECENT_MONTHS (those the reminder
        run chases) is missing for RECENT_MISSING_SHARE of tasks, the rest fall earlier.
        """
        rng, ids = self.rng("reports"), self.ids("progressreport")
        periods = self.report_periods()
        due_days = {p: period_due_date(p) for p in periods}
        lead_reports = REPORTS_PER_TASK - 1
        recent = range(REPORT_HISTORY_MONTHS - RECENT_MONTHS, REPORT_HISTORY_MONTHS)
        older = range(REPORT_HISTORY_MONTHS - RECENT_MONTHS)
        for task in self.tasks:
            skipped = {i for i in recent if rng.random() < RECENT_MISSING_SHARE}
            missing = REPORT_HISTORY_MONTHS - lead_reports - len(skipped)
            skipped.update(rng.sample(older, missing))
            chosen = [(p, task.lead) for i, p in enumerate(periods) if i not in skipped]
            chosen.append((rng.choice(periods), rng.choice(task.co) if task.co else task.lead))
            for period, dep in chosen:
                late = rng.random() < 0.15
                offset = rng.randint(1, 20) if late else -rng.randint(0, 6)
                created = self.at_day(due_days[period] + dt.timedelta(days=offset), rng)
                author = rng.choice(self.members.get(dep) or [task.owner or 1])
                percent = max(0, min(100, task.progress - rng.randint(0, 15)))
                narrative = f"{period} 月度进展：{task.title}。已按计划推进相关工作，完成阶段目标。"
                red = "" if percent >= 50 else "受审批进度影响，进度滞后。"
                yield (
                    next(ids),
                    task.id,
                    author,
                    dep,
                    period,
                    percent,
                    narrative,
                    red,
                    created,
                    created,
                )

    def notification_rows(self) -> Iterator[tuple]:
        rng, ids = self.rng("notifications"), self.ids("notification")
        for task in self.tasks:
            pool = list(self.members.get(task.lead, ()))
            for dep in task.co:
                pool.extend(self.members.get(dep, ()))
            if task.owner is not None:
                pool.extend([task.owner] * 3)
            for _index in range(NOTIFICATIONS_PER_TASK):
                kind, label = rng.choice(NOTIFICATION_KINDS)
                created = self.ago(rng.randint(3600, 180 * 86400))
                read = created + dt.timedelta(seconds=rng.randint(60, 3 * 86400))
                read = read if rng.random() < 0.55 and read < self.anchor_at else None
                payload = json.dumps({"task_id": task.id, "code": task.code}, ensure_ascii=False)
                yield (
                    next(ids),
                    rng.choice(pool or [1]),
                    kind,
                    f"{label}：{task.code}",
                    f"{task.code} {task.title}：请及时处理并报送进展。",
                    payload,
                    task.id,
                    created,
                    read,
                    read or created,
                )

    # --- indicators -----------------------------------------------------------------------

    def indicator_rows(self) -> Iterator[tuple]:
        rng, ids = self.rng("indicators"), self.ids("indicator")
        self.indicators = []
        for district, plan_id in enumerate(self.plan_ids):
            year = self.plan_years[district]
            local = {
                spec["code"].split("-", 1)[1]: d
                for d, dd, spec in self.departments
                if dd == district
            }
            for pi, spec in self.template.indicators:
                target, base = pi.target, pi.baseline
                dep = local.get(spec.get("department", "")) or rng.choice(list(local.values()))
                ind_id = next(ids)
                frequency = spec.get("frequency", "quarterly")
                self.indicators.append((ind_id, year, frequency, target, dep))
                unit = spec.get("unit") or target.unit or (base.unit if base else "")
                yield (
                    ind_id,
                    plan_id,
                    f"{year}-IND-{pi.order:02d}",
                    pi.order,
                    pi.name,
                    spec["category"],
                    pi.group_no,
                    pi.group_title,
                    unit,
                    dep,
                    frequency,
                    int(spec.get("due_day", 20)),
                    target.comparator,
                    target.value,
                    target.unit,
                    target.text[:200],
                    target.is_growth_rate,
                    base.year if base else None,
                    base.value if base else None,
                    base.unit if base else "",
                    base.growth_pct if base else None,
                    base.text[:300] if base else "",
                    self.ago(86400),
                )

    def observation_total(self) -> int:
        return sum(len(closed_periods(y, f, self.anchor)) for _i, y, f, _t, _d in self.indicators)

    def observation_rows(self) -> Iterator[tuple]:
        rng, ids = self.rng("observations"), self.ids("observation")
        for ind_id, year, frequency, target, dep in self.indicators:
            for period, end in closed_periods(year, frequency, self.anchor):
                base = target.value if target.value is not None else Decimal(50)
                value = (base * Decimal(str(rng.uniform(0.8, 1.2)))).quantize(Decimal("0.0001"))
                author = rng.choice(self.members.get(dep) or [None])
                at = self.at_day(end + dt.timedelta(days=rng.randint(5, 25)), rng)
                yield (
                    next(ids),
                    ind_id,
                    period,
                    end,
                    value,
                    target.unit,
                    "统计快报",
                    "",
                    value,
                    target.unit,
                    author,
                    "unverified",
                    at,
                    at,
                )


def anchor_instant(anchor: dt.date) -> dt.datetime:
    """The instant the data is built around: 09:00 Asia/Shanghai on the anchor day."""
    return dt.datetime.combine(anchor, dt.time(9), tzinfo=ZoneInfo("Asia/Shanghai"))


def localise(text: str, district: int) -> str:
    """The seed's Daxing text, told of another district."""
    name = DISTRICTS[district][1]
    return text.replace("大兴区", name).replace("大兴", name.removesuffix("区"))


def task_status(rng: random.Random, *, overdue: bool, elapsed: float) -> tuple[str, int]:
    """A plausible status and progress: most late tasks done, running ones near schedule."""
    r = rng.random()
    if overdue:
        status = (
            "completed"
            if r < 0.6
            else "cancelled"
            if r < 0.64
            else "pending_review"
            if r < 0.72
            else "suspended"
            if r < 0.75
            else "in_progress"
        )
    else:
        status = (
            "not_started"
            if r < 0.06 and elapsed < 0.3
            else "completed"
            if r < 0.1
            else "pending_review"
            if r < 0.13
            else "suspended"
            if r < 0.15
            else "cancelled"
            if r < 0.16
            else "in_progress"
        )
    if status in ("completed", "pending_review"):
        return status, 100
    if status == "not_started":
        return status, 0
    return status, max(0, min(99, round(100 * elapsed + rng.uniform(-40, 20))))


def closed_periods(year: int, frequency: str, anchor: dt.date) -> list[tuple[str, dt.date]]:
    """The latest OBSERVATIONS_PER_INDICATOR periods of `year` that ended before `anchor`."""
    if frequency == "annual":
        periods = [(str(year), dt.date(year, 12, 31))]
    elif frequency == "monthly":
        periods = [(f"{year}-{m:02d}", period_last_day(f"{year}-{m:02d}")) for m in range(1, 13)]
    else:
        periods = [(f"{year}-Q{q}", period_last_day(f"{year}-{3 * q:02d}")) for q in range(1, 5)]
    return [(p, end) for p, end in periods if end < anchor][-OBSERVATIONS_PER_INDICATOR:]
