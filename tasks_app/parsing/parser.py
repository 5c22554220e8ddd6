"""Parse a Chinese plan (annual plan, 政府工作报告, 任务分工方案) into tasks and indicators.

Stages: `plan_text` cleans PDF/web text into logical lines that keep original line numbers;
`plan_structure` finds the numbering levels (一、/(一)/1./(1)/①) and, from evidence, the part
holding the coming year's work; this module turns its measures into tasks (a measure's
first sentence is its bold title, every later sentence is one task); `plan_indicators`
finds the indicators (a 主要指标/主要预期目标 chapter or paragraph, or a flattened table) and
their baselines in last year's review.

Stored text is verbatim (after de-wrapping); full-width punctuation is normalised for
matching only. Every refusal is a PlanParseError naming the line; every guess is a
ParseWarning in ParsedPlan.warnings. Pure Python: no Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from tasks_app.parsing.errors import ParseWarning, PlanParseError, line_ranges
from tasks_app.parsing.quantities import (
    Baseline,
    KeyResult,
    Target,
    extract_key_results,
    normalize_width,
)
from tasks_app.parsing.structure import (
    ChapterGroup,
    Node,
    Segment,
    TaskSection,
    build_outline,
    chapter_groups,
    find_task_section,
    measure_kind,
    title_year,
)
from tasks_app.parsing.structure import split_sentences as _split_sentences
from tasks_app.parsing.text import read_plan_text

__all__ = [
    "ParseWarning",
    "ParsedChapter",
    "ParsedIndicator",
    "ParsedMeasure",
    "ParsedPlan",
    "ParsedTask",
    "PlanParseError",
    "derive_title",
    "extract_key_results",
    "parse_plan",
    "split_sentences",
]

TASK_PART_MARK = "计划"
_TERMINATORS = "。！？!?"
_TITLE_STRIP = "。！？!?；;，,、：: \t"
_CLAUSE_ENDS = "。！？!?；;:："
HEADING_LINE_MAX_CHARS = 40
_YEAR_RE = re.compile(r"(\d{4})\s*年")


@dataclass
class ParsedTask:
    """One commitment: a sentence of a measure after its title sentence."""

    code: str
    chapter_no: int
    measure_no: int
    sentence_no: int
    text: str
    title: str
    key_results: list[KeyResult]
    line_no: int


@dataclass
class ParsedMeasure:
    """A numbered paragraph; title is its first sentence verbatim, text = title + tasks."""

    number: int
    title: str
    text: str
    line_no: int
    tasks: list[ParsedTask]


@dataclass
class ParsedChapter:
    """A (一)… chapter of the task part; number 0 when measures sit directly in the part."""

    number: int
    title: str
    line_no: int
    measures: list[ParsedMeasure]


@dataclass
class ParsedIndicator:
    """A main indicator (主要指标) with its group, target and last year's baseline."""

    code: str
    order: int
    name: str
    group_no: int
    group_title: str
    target: Target
    baseline: Baseline | None
    line_no: int | None = None
    category: str = ""  # "expected"/"binding" when the plan says so (预期性/约束性)


@dataclass
class ParsedPlan:
    """The whole plan: tasks by chapter, indicators, declared counts, and the parser's guesses."""

    year: int
    title: str
    chapters: list[ParsedChapter]
    indicators: list[ParsedIndicator]
    declared_indicator_counts: dict[str, int]
    warnings: list[ParseWarning] = field(default_factory=list)


def split_sentences(text: str) -> list[str]:
    """Split at 。！？!? (plus closing quotes/brackets and spaces after them), not at ；or ,.

    The pieces are verbatim: "".join(split_sentences(text)) == text.
    """
    return _split_sentences(text)


def derive_title(sentence: str, max_chars: int = 24) -> str:
    """A short title: the first clause (up to , ， ；) cut to max_chars, no final punctuation."""
    clause = re.split(r"[,，；;]", sentence.strip(), maxsplit=1)[0]
    return clause[:max_chars].rstrip(_TITLE_STRIP)


# --- measures and tasks ---------------------------------------------------------------------


def _segments(node: Node, *, with_title: bool = True) -> list[tuple[Segment, bool]]:
    """A measure's text in document order: (segment, first sentence is a sub-item title).

    A sub-item ((1) …, ① …) with more than one sentence starts with its own title, which
    is not a task; a one-sentence sub-item is a task.
    """
    pieces: list[tuple[Segment, bool]] = []
    if with_title and node.title is not None:
        pieces.append((node.title, False))
    pieces += [(line, is_heading_line(line.text)) for line in node.lines]
    for child in node.children:
        own = [child.head.text if child.head else "", *(s.text for s in child.lines)]
        sentences = [s for text in own for s in split_sentences(text) if s.strip()]
        if child.head is not None:
            pieces.append((child.head, len(sentences) > 1))
        pieces += _segments(child, with_title=False)
    return pieces


def is_heading_line(text: str) -> bool:
    """An unnumbered short line with no punctuation ending a clause: a bold-like heading."""
    norm = normalize_width(text)
    return len(norm) <= HEADING_LINE_MAX_CHARS and not any(c in _CLAUSE_ENDS for c in norm)


def _measure_sentences(node: Node) -> list[tuple[int, str, bool]]:
    """(line_no, sentence, is a sub-item title) of a measure; a line break ends a sentence."""
    pieces = _segments(node)
    sentences = []
    for segment, subtitle in pieces:
        offset = 0
        for index, sentence in enumerate(split_sentences(segment.text)):
            lead = len(sentence) - len(sentence.lstrip())
            sentences.append((segment.line_at(offset + lead), sentence, subtitle and index == 0))
            offset += len(sentence)
    title = sentences[0][1] if sentences and node.title_text else ""
    has_end = any(char in _TERMINATORS for char in title)
    if not title.strip(_TITLE_STRIP) or (not has_end and len(pieces) == 1):
        found = node.title_text.strip()[:20] or "nothing"
        raise PlanParseError(
            f"{node.kind} {node.label} has no title sentence (a first sentence ending in 。); "
            f"found '{found}'",
            node.line_no,
        )
    return sentences


def _build_measure(
    node: Node, code_prefix: str, chapter_no: int, warnings: list[ParseWarning]
) -> ParsedMeasure:
    (_, title, _), *rest = _measure_sentences(node)
    headings = [s.source.line_no for s in node.lines if is_heading_line(s.text)]
    if headings:
        warnings.append(
            ParseWarning(headings[0], f"lines {line_ranges(headings)} read as headings, not tasks")
        )
    for line_no, sentence, subtitle in rest:
        if subtitle and not is_heading_line(sentence):
            warnings.append(
                ParseWarning(
                    line_no, f"'{sentence.strip()[:30]}' read as a sub-item title, not a task"
                )
            )
    unnumbered = [s.source.line_no for s in node.lines if not is_heading_line(s.text)]
    if unnumbered and node.title_text.strip():
        warnings.append(
            ParseWarning(
                unnumbered[0],
                f"unnumbered lines {line_ranges(unnumbered)} read as part of "
                f"{node.kind} {node.label} (line {node.line_no})",
            )
        )
    tasks = [
        ParsedTask(
            code=f"{code_prefix}.{node.number}-{sentence_no:02d}",
            chapter_no=chapter_no,
            measure_no=node.number,
            sentence_no=sentence_no,
            text=sentence,
            title=derive_title(sentence),
            key_results=extract_key_results(sentence),
            line_no=line_no,
        )
        for sentence_no, (line_no, sentence) in enumerate(
            ((no, s) for no, s, subtitle in rest if not subtitle), start=1
        )
    ]
    text = "".join(segment.text for segment, _ in _segments(node))
    return ParsedMeasure(node.number, title, text, node.line_no, tasks)


def _chapter_title(title: str) -> str:
    first = split_sentences(title)
    return first[0].strip().rstrip(_TITLE_STRIP) if first else title


def _section_groups(section: TaskSection, warnings: list[ParseWarning]) -> list[ChapterGroup]:
    """Chapter groups of the task section; theme parts become chapters numbered by part."""
    if not section.themed:
        container = section.single
        return chapter_groups(container, measure_kind(container) or "measure")
    per_part = [
        (part, chapter_groups(part, measure_kind(part) or "measure")) for part in section.containers
    ]
    if all(len(groups) == 1 and groups[0].number == 0 for _, groups in per_part):
        return [
            ChapterGroup(
                part.number, _chapter_title(part.title_text), part.line_no, g[0].measures, part
            )
            for part, g in per_part
        ]
    flat = [group for _, groups in per_part for group in groups]
    warnings.append(
        ParseWarning(
            flat[0].line_no,
            "theme parts hold chapters: chapters numbered 1…"
            f"{len(flat)} across the parts, in order",
        )
    )
    return [
        ChapterGroup(
            number, group.title or group.part.title_text, group.line_no, group.measures, group.part
        )
        for number, group in enumerate(flat, start=1)
    ]


def _build_chapters(
    section: TaskSection, year: int, warnings: list[ParseWarning]
) -> list[ParsedChapter]:
    part_no = 0 if section.themed or section.single.kind == "root" else section.single.number
    chapters = []
    for group in _section_groups(section, warnings):
        prefix = f"{year}-{part_no}.{group.number}"
        chapters.append(
            ParsedChapter(
                number=group.number,
                title=_chapter_title(group.title) if group.title else "",
                line_no=group.line_no,
                measures=[
                    _build_measure(m, prefix, group.number, warnings) for m in group.measures
                ],
            )
        )
    if not any(m.tasks for c in chapters for m in c.measures):
        first = next((m.line_no for c in chapters for m in c.measures), None)
        raise PlanParseError(
            "the task part holds measures but no tasks: expected sentences after each "
            "measure's title sentence",
            first,
        )
    return chapters


# --- year and title -------------------------------------------------------------------------


def _infer_year(
    section: TaskSection, preamble: list[Segment], year: int | None, warnings: list[ParseWarning]
) -> int:
    if year is not None:
        return year
    titles = [part.title_text for part in section.containers if part.kind != "root"]
    for text in (*titles, *(s.text for s in preamble[:3])):
        match = _YEAR_RE.search(normalize_width(text))
        if match:
            return int(match.group(1))
    reviewed = [title_year(r.part) for r in section.readings if r.role == "review"]
    reviewed = [y for y in reviewed if y]
    line_no = section.single.line_no if section.single.kind != "root" else None
    if reviewed:
        warnings.append(
            ParseWarning(
                line_no,
                f"plan year {max(reviewed) + 1} inferred: "
                f"the year after the review of {max(reviewed)}",
            )
        )
        return max(reviewed) + 1
    titles = [t for t in titles if t] or [s.text for s in preamble[:1]]
    found = f"; found '{titles[0][:30]}'" if titles else ""
    raise PlanParseError(
        f"cannot infer the plan year from the task part title (expected 20xx年){found}; pass year=",
        line_no,
    )


def _plan_title(preamble: list[Segment], section: TaskSection, year: int) -> str:
    first = preamble[0].text if preamble else ""
    titled = any(word in first for word in (TASK_PART_MARK, "报告", "方案", "安排"))
    if first and len(first) <= 60 and (titled or section.single.kind == "root"):
        return first
    if section.themed or section.single.kind == "root":
        return first if first and len(first) <= 60 else f"{year}年重点任务"
    return section.single.title_text


# What the database holds (tasks_app/indicators_app models); longer means a misread heading.
TITLE_MAX_CHARS = 200
INDICATOR_NAME_MAX_CHARS = 100
VALUE_LIMIT = Decimal(10) ** 20  # numeric(24, 4)
GROWTH_LIMIT = Decimal(10) ** 6  # numeric(8, 2)


def _check_lengths(plan: ParsedPlan, title_line: int | None) -> None:
    """Refuse, by line, a title or name too long to store: it is a misread, not a title."""
    items = [("the plan title", plan.title, TITLE_MAX_CHARS, title_line)]
    for chapter in plan.chapters:
        items.append(("chapter title", chapter.title, TITLE_MAX_CHARS, chapter.line_no))
        items += [("measure title", m.title, TITLE_MAX_CHARS, m.line_no) for m in chapter.measures]
    for ind in plan.indicators:
        items.append(("indicator name", ind.name, INDICATOR_NAME_MAX_CHARS, ind.line_no))
        items.append(("indicator group", ind.group_title, INDICATOR_NAME_MAX_CHARS, ind.line_no))
    for what, value, limit, line_no in items:
        if len(value) > limit:
            raise PlanParseError(
                f"{what} has {len(value)} characters (expected at most {limit}): "
                f"'{value[:30]}…' — a sentence end (。) may be missing",
                line_no,
            )
    numbers = [
        (f"key result '{k.raw}'", k.value, VALUE_LIMIT, t.line_no)
        for c in plan.chapters
        for m in c.measures
        for t in m.tasks
        for k in t.key_results
    ]
    for ind in plan.indicators:
        numbers.append((f"target of {ind.name}", ind.target.value, VALUE_LIMIT, ind.line_no))
        if ind.baseline is not None:
            base = ind.baseline
            numbers.append((f"baseline of {ind.name}", base.value, VALUE_LIMIT, ind.line_no))
            numbers.append((f"growth of {ind.name}", base.growth_pct, GROWTH_LIMIT, ind.line_no))
    for what, number, limit, line_no in numbers:
        if number is not None and abs(number) >= limit:
            raise PlanParseError(
                f"{what} is {number} (expected less than {limit:.0E}): too large to store",
                line_no,
            )


def parse_plan(text: str, *, year: int | None = None) -> ParsedPlan:
    """Parse a plan text into chapters → measures → tasks, indicators and declared counts.

    year defaults to the year in the task part's title ("2025年…计划"), the title line, or
    the year after the reviewed one. Raises PlanParseError (with the line number where one
    applies) on empty or non-text input, broken numbering, a measure without a title
    sentence, or no part holding the coming year's work. ParsedPlan.warnings lists every
    guess (lines joined, the part chosen, indicators split, comparators inferred).
    """
    from tasks_app.parsing.indicators import read_indicators  # it imports this module

    cleaned = read_plan_text(text)
    warnings = list(cleaned.warnings)
    preamble, root = build_outline(cleaned.lines, warnings)
    if not root.children:
        raise PlanParseError("no parts found: expected headings like 一、…")
    section = find_task_section(root, warnings)
    year = _infer_year(section, preamble, year, warnings)
    chapters = _build_chapters(section, year, warnings)
    indicators, declared = read_indicators(
        root=root, section=section, lines=cleaned.lines, table_rows=cleaned.table_rows,
        year=year, warnings=warnings,
    )  # fmt: skip
    plan = ParsedPlan(
        year=year,
        title=_plan_title(preamble, section, year),
        chapters=chapters,
        indicators=indicators,
        declared_indicator_counts=declared,
        warnings=warnings,
    )
    _check_lengths(plan, section.single.line_no if section.single.kind != "root" else None)
    return plan
