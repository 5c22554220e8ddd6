"""The outline of a plan: numbering levels found in the text, and the part that holds the tasks.

Levels, outermost first: part 一、 / chapter (一) / measure 1. / item (1) / circled ①, either
width. A document may lack any of them. Which part holds the coming year's work is decided
from evidence (words and year of each part's title, tense of its text), and the decision is
reported as a warning; which level holds the measures (a title sentence followed by tasks) is
decided from the items found. Pure Python: no Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks_app.parsing.errors import ParseWarning, PlanParseError, line_ranges
from tasks_app.parsing.quantities import chinese_to_int, normalize_width
from tasks_app.parsing.text import SourceLine

KINDS = ("part", "chapter", "measure", "item", "circled")
RANK = {kind: rank for rank, kind in enumerate(KINDS, start=1)}
MARKER_RES = {
    "part": re.compile(r"([一二三四五六七八九十]+)\s*[、.]\s*"),
    "chapter": re.compile(r"\(\s*([一二三四五六七八九十]+)\s*\)\s*"),
    "measure": re.compile(r"(\d{1,3})\s*[.、](?!\d)\s*"),
    "item": re.compile(r"\(\s*(\d{1,3})\s*\)\s*"),
    "circled": re.compile(r"([①-⑳])\s*"),
}
REVIEW_WORDS = ("执行情况", "完成情况", "回顾", "工作总结", "总结")
GOAL_WORDS = (
    "主要指标",
    "主要预期目标",
    "预期目标",
    "主要目标",
    "总体要求",
    "总体思路",
    "指导思想",
)
INDICATOR_WORDS = ("主要指标", "主要预期目标", "预期目标", "主要目标")
TASK_WORDS = ("计划", "安排", "重点任务", "工作任务", "任务", "重点工作", "举措", "部署")
PAST_WORDS = ("一年来", "完成了", "实现了", "取得了", "已经", "同比增长", "同比下降", "圆满完成")
FUTURE_WORDS = ("将", "要", "力争", "确保", "加快", "推动", "推进", "持续", "启动")
_TERMINATORS = "。！？!?"
_YEAR_RE = re.compile(r"(\d{4})\s*年")
# A speech's closing remarks: not part of the last measure.
CLOSING_RE = re.compile(r"(?:各位代表|各位委员|同志们|让我们)")


def _to_chinese(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


LABELS = {
    "part": lambda n: f"{_to_chinese(n)}、",
    "chapter": lambda n: f"({_to_chinese(n)})",
    "measure": lambda n: f"{n}.",
    "item": lambda n: f"({n})",
    "circled": lambda n: chr(0x245F + n) if 0 < n <= 20 else f"({n})",
}


@dataclass
class Segment:
    """Verbatim text taken from a logical line at offset start (to find its original line)."""

    text: str
    source: SourceLine
    start: int = 0

    def line_at(self, offset: int) -> int:
        return self.source.line_at(self.start + offset)


@dataclass
class Node:
    """A numbered heading and what it owns; the document itself is a node of kind "root"."""

    kind: str
    number: int
    line_no: int
    title: Segment | None = None  # the text after the marker
    head: Segment | None = None  # the whole line, marker included
    lines: list[Segment] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def title_text(self) -> str:
        return self.title.text if self.title else ""

    @property
    def label(self) -> str:
        return LABELS[self.kind](self.number) if self.kind in LABELS else "document"

    def walk(self) -> list[Node]:
        return [self, *(node for child in self.children for node in child.walk())]

    def all_text(self) -> list[str]:
        own = [self.head.text] if self.head else []
        return own + [s.text for s in self.lines] + [t for c in self.children for t in c.all_text()]


def _marker(norm: str) -> tuple[str, re.Match[str]] | None:
    for kind, pattern in MARKER_RES.items():
        match = pattern.match(norm)
        if match:
            return kind, match
    return None


def _number(kind: str, match: re.Match[str]) -> int:
    if kind in ("measure", "item"):
        return int(match.group(1))
    if kind == "circled":
        return ord(match.group(1)) - 0x245F
    return chinese_to_int(match.group(1)) or 0


def _check_number(parent: Node, node: Node) -> None:
    siblings = [child for child in parent.children if child.kind == node.kind]
    label = LABELS[node.kind]
    if node.kind == "part":  # parts may skip numbers (an excerpt keeps 三 for stable codes)
        if siblings and node.number <= siblings[-1].number:
            problem = (
                "duplicate part" if node.number == siblings[-1].number else "out-of-order part"
            )
            raise PlanParseError(
                f"{problem} {label(node.number)} (after {label(siblings[-1].number)})", node.line_no
            )
        return
    expected = len(siblings) + 1
    if node.number < expected:
        raise PlanParseError(
            f"duplicate {node.kind} {label(node.number)} (expected {label(expected)})", node.line_no
        )
    if node.number > expected:
        raise PlanParseError(
            f"{node.kind} {label(node.number)} out of order (expected {label(expected)})",
            node.line_no,
        )


_BEFORE_PART = {"chapter": "chapter", "measure": "numbered paragraph"}


def _attach(stack: list[Node], node: Node, has_parts: bool) -> None:
    while len(stack) > 1 and RANK[stack[-1].kind] >= RANK[node.kind]:
        stack.pop()
    parent = stack[-1]
    if has_parts and parent.kind == "root" and node.kind != "part":
        what = _BEFORE_PART.get(node.kind, f"numbered item {node.label}")
        raise PlanParseError(f"{what} before any part (一、…)", node.line_no)
    if node.kind in ("part", "chapter", "measure"):
        deeper = next((c for c in parent.children if RANK[c.kind] > RANK[node.kind]), None)
        if deeper is not None:
            where = {"part": "the part", "root": "the document"}.get(parent.kind, parent.kind)
            where = where if where.startswith("the ") else f"the {where}"
            raise PlanParseError(
                f"{node.kind} after {deeper.kind}s placed directly under {where}", node.line_no
            )
    _check_number(parent, node)
    parent.children.append(node)
    stack.append(node)


def build_outline(
    lines: list[SourceLine], warnings: list[ParseWarning] | None = None
) -> tuple[list[Segment], Node]:
    """(preamble lines before the first heading, the document tree).

    Unnumbered closing remarks after the headings (各位代表,… / 让我们…) belong to no heading.
    """
    root = Node("root", 0, lines[0].line_no if lines else 0)
    has_parts = any(MARKER_RES["part"].match(line.norm) for line in lines)
    stack, preamble, closing = [root], [], []
    for line in lines:
        found = _marker(line.norm)
        if found is None and len(stack) > 1 and (closing or CLOSING_RE.match(line.norm)):
            closing.append(line.line_no)
            continue
        if found is None:
            if len(stack) == 1:
                preamble.append(Segment(line.text, line))
            else:
                stack[-1].lines.append(Segment(line.text, line))
            continue
        kind, match = found
        if closing and warnings is not None:
            warnings.append(
                ParseWarning(
                    closing[0], f"lines {line_ranges(closing)} read as closing remarks, not tasks"
                )
            )
        closing = []
        node = Node(
            kind,
            _number(kind, match),
            line.line_no,
            title=Segment(line.text[match.end() :], line, match.end()),
            head=Segment(line.text, line),
        )
        _attach(stack, node, has_parts)
    if closing and warnings is not None:
        warnings.append(
            ParseWarning(
                closing[0], f"lines {line_ranges(closing)} read as closing remarks, not tasks"
            )
        )
    return preamble, root


# --- which level holds the measures ------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Split at 。！？!? (plus closing quotes/brackets and spaces after them); verbatim pieces."""
    return [piece for piece in _SENTENCE_RE.findall(text) if piece]


_SENTENCE_RE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)\"']*\s*)?")


def is_indicator_node(node: Node) -> bool:
    return node.kind in ("part", "chapter") and any(
        word in normalize_width(node.title_text) for word in INDICATOR_WORDS
    )


def is_measure_like(node: Node) -> bool:
    """A title sentence ending in 。 followed by more text (on its line or below it)."""
    sentences = split_sentences(node.title_text)
    if not sentences or not any(c in _TERMINATORS for c in sentences[0]):
        return False
    return bool("".join(sentences[1:]).strip()) or bool(node.lines)


def _candidates(container: Node) -> list[Node]:
    """Descendants of container, skipping indicator chapters and what they hold."""
    found = []
    for child in container.children:
        if is_indicator_node(child):
            continue
        found += [child, *_candidates(child)]
    return found


def measure_kind(container: Node) -> str | None:
    """The level of container's measures: 1. if present, else the outermost level whose
    items mostly read as title sentence + tasks; None when no level does."""
    nodes = _candidates(container)
    kinds = {node.kind for node in nodes}
    if "measure" in kinds:
        return "measure"
    for kind in ("chapter", "item", "circled"):
        of_kind = [node for node in nodes if node.kind == kind]
        if of_kind and 2 * sum(map(is_measure_like, of_kind)) >= len(of_kind):
            return kind
    return None


@dataclass
class ChapterGroup:
    """A chapter of the task section: its node (None for measures placed directly in a part)."""

    number: int
    title: str
    line_no: int
    measures: list[Node]
    part: Node


def chapter_groups(container: Node, kind: str) -> list[ChapterGroup]:
    """The chapters of container and their measures (nodes of `kind`)."""
    direct = [c for c in container.children if c.kind == kind and not is_indicator_node(c)]
    chapters = [
        c
        for c in container.children
        if RANK[c.kind] < RANK[kind] and c.kind != "part" and not is_indicator_node(c)
    ]
    if direct or not chapters:
        return [ChapterGroup(0, "", container.line_no, direct, container)]
    groups = []
    for chapter in chapters:
        measures = [c for c in chapter.children if c.kind == kind]
        for child in chapter.children:
            if child.kind != kind and any(n.kind == kind for n in child.walk()):
                raise PlanParseError(
                    f"{kind} items under {child.label} sit two levels below chapter "
                    f"{chapter.label}; expected them directly in the chapter",
                    child.line_no,
                )
        groups.append(
            ChapterGroup(chapter.number, chapter.title_text, chapter.line_no, measures, chapter)
        )
    return groups


# --- which part holds the tasks ------------------------------------------------------------


def title_year(node: Node) -> int | None:
    match = _YEAR_RE.search(normalize_width(node.title_text))
    return int(match.group(1)) if match else None


@dataclass
class PartReading:
    """What a part looks like: review, goals, task, theme or other, and the evidence."""

    part: Node
    role: str
    evidence: str


def _tense(part: Node) -> tuple[int, int]:
    text = normalize_width("".join(part.all_text()))
    return sum(text.count(w) for w in PAST_WORDS), sum(text.count(w) for w in FUTURE_WORDS)


def read_part(part: Node, latest_year: int | None) -> PartReading:
    title = normalize_width(part.title_text)
    year = title_year(part)
    review = next((w for w in REVIEW_WORDS if w in title), None)
    if review:
        return PartReading(part, "review", f"its title says '{review}'")
    if year and latest_year and year < latest_year:
        return PartReading(part, "review", f"its title names {year}, before {latest_year}")
    goal = next((w for w in GOAL_WORDS if w in title), None)
    if goal:
        return PartReading(part, "goals", f"its title says '{goal}'")
    if measure_kind(part) is None:
        return PartReading(part, "other", "it holds no numbered measures")
    task = next((w for w in TASK_WORDS if w in title), None)
    if task:
        when = f" and names {year}" if year else ""
        return PartReading(part, "task", f"its title says '{task}'{when}")
    past, future = _tense(part)
    if past > future:
        return PartReading(
            part, "review", f"its text reads as past ({past} past vs {future} future words)"
        )
    return PartReading(
        part, "theme", f"it holds measures and reads as future ({future} vs {past} past words)"
    )


@dataclass
class TaskSection:
    """The container(s) of the tasks: one part, several theme parts, or the whole document."""

    containers: list[Node]
    readings: list[PartReading]
    themed: bool = False

    @property
    def single(self) -> Node:
        return self.containers[0]


def _describe(readings: list[PartReading]) -> str:
    return "; ".join(
        f"line {r.part.line_no} {r.part.label}{r.part.title_text[:20]} ({r.role}: {r.evidence})"
        for r in readings
    )


def find_task_section(root: Node, warnings: list[ParseWarning]) -> TaskSection:
    """Decide which part(s) hold the coming year's work; every decision is a warning."""
    parts = [c for c in root.children if c.kind == "part"]
    if not parts:
        if measure_kind(root) is None:
            raise PlanParseError(
                "no parts found: expected headings like 一、… or numbered measures "
                "(一)…。/1.…。 with a title sentence and tasks"
            )
        warnings.append(
            ParseWarning(
                root.children[0].line_no, "no parts (一、…): the whole text holds the tasks"
            )
        )
        return TaskSection([root], [])
    years = [y for y in map(title_year, parts) if y]
    readings = [read_part(part, max(years) if years else None) for part in parts]
    tasks = [r for r in readings if r.role == "task"]
    themes = [r for r in readings if r.role == "theme"]
    if not tasks and not themes:
        raise PlanParseError(
            "no task part: expected a part naming the coming year's work (计划/安排/任务) "
            f"with numbered measures; found {_describe(readings)}"
        )
    if len(themes) > len(tasks):
        chosen = [r for r in readings if r.role in ("task", "theme")]
        if len(chosen) > 1:
            labels = "".join(r.part.label for r in chosen)
            warnings.append(
                ParseWarning(
                    chosen[0].part.line_no,
                    f"parts {labels} read as themes of the task section: {_describe(chosen)}",
                )
            )
            _warn_others(readings, chosen, warnings)
            return TaskSection([r.part for r in chosen], readings, themed=True)
    else:
        chosen = [tasks[-1]]
    reading = chosen[0]
    warnings.append(
        ParseWarning(
            reading.part.line_no,
            f"part {reading.part.label} chosen as the task part: {reading.evidence}",
        )
    )
    _warn_others(readings, chosen, warnings)
    return TaskSection([reading.part], readings)


def _warn_others(
    readings: list[PartReading], chosen: list[PartReading], warnings: list[ParseWarning]
) -> None:
    for reading in readings:
        if reading in chosen or measure_kind(reading.part) is None:
            continue
        warnings.append(
            ParseWarning(
                reading.part.line_no,
                f"part {reading.part.label} not read for tasks ({reading.role}: "
                f"{reading.evidence}); its numbered items are not tasks",
            )
        )
