"""Parse a Chinese annual development plan (一、/(一)/1. numbering) into tasks and indicators.

Layout of such a plan: parts 一、二、三、…; chapters (一)(二)… inside a part; numbered
paragraphs 1. 2. … (measures) inside a chapter, or directly inside a part. A measure's
first sentence is its bold title; every later sentence is one task. The last part titled
"…计划" that holds measures carries the tasks; a chapter titled "…主要指标" carries the
indicators (its numbered paragraphs are indicator groups); the part reporting last
year's execution ("…执行情况") carries the baselines.

Stored text is verbatim; full-width punctuation is normalised for matching only.
Pure Python: no Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks_app.plans.quantities import (
    Baseline,
    KeyResult,
    Target,
    baseline_statements,
    chinese_to_int,
    clause_spans,
    extract_key_results,
    find_baseline,
    normalize_width,
    parse_target,
)

TASK_PART_MARK = "计划"
INDICATOR_CHAPTER_MARK = "主要指标"
BASELINE_PART_MARK = "执行情况"
# One phrase of the plan tracked as several indicators.
INDICATOR_EXPANSIONS = {"居民收入": ("城镇居民人均可支配收入", "农村居民人均可支配收入")}
_SUBJECT_PREFIXES = ("保持", "确保", "力争", "推动", "促进")
_SUBJECT_SUFFIXES = ("实现", "增长", "保持", "继续")

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_PART_RE = re.compile(r"([一二三四五六七八九十]+)\s*[、.]\s*")
_CHAPTER_RE = re.compile(r"\(\s*([一二三四五六七八九十]+)\s*\)\s*")
_MEASURE_RE = re.compile(r"(\d{1,3})\s*[.、](?!\d)\s*")
_SENTENCE_RE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)\"']*\s*)?")
_TERMINATORS = "。！？!?"
_TITLE_STRIP = "。！？!?；;，,、：: \t"
_COUNT_NUMBER = r"(\d+|[一二两三四五六七八九十]+)"
_DECLARED_COUNT_RES = {
    "total": re.compile(_COUNT_NUMBER + r"\s*项(?:主要)?指标"),
    "expected": re.compile(_COUNT_NUMBER + r"\s*项预期性指标"),
    "binding": re.compile(_COUNT_NUMBER + r"\s*项约束性指标"),
}


class PlanParseError(ValueError):
    """The plan text cannot be parsed; line_no (1-based) names the offending line if known."""

    def __init__(self, message: str, line_no: int | None = None) -> None:
        self.message = message
        self.line_no = line_no
        super().__init__(message if line_no is None else f"line {line_no}: {message}")


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


@dataclass
class ParsedPlan:
    """The whole plan: tasks by chapter, indicators, and the indicator counts it declares."""

    year: int
    title: str
    chapters: list[ParsedChapter]
    indicators: list[ParsedIndicator]
    declared_indicator_counts: dict[str, int]


@dataclass
class _Node:
    """A numbered heading (part, chapter or measure) and the verbatim lines it owns."""

    number: int
    title: str
    line_no: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def all_lines(self) -> list[tuple[int, str]]:
        return self.lines + [line for child in self.children for line in child.all_lines()]


def split_sentences(text: str) -> list[str]:
    """Split at 。！？!? (plus closing quotes/brackets and spaces after them), not at ；or ,.

    The pieces are verbatim: "".join(split_sentences(text)) == text.
    """
    return [piece for piece in _SENTENCE_RE.findall(text) if piece]


def derive_title(sentence: str, max_chars: int = 24) -> str:
    """A short title: the first clause (up to , ， ；) cut to max_chars, no final punctuation."""
    clause = re.split(r"[,，；;]", sentence.strip(), maxsplit=1)[0]
    return clause[:max_chars].rstrip(_TITLE_STRIP)


def _to_chinese(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


_LABELS = {
    "part": lambda n: f"{_to_chinese(n)}、",
    "chapter": lambda n: f"({_to_chinese(n)})",
    "measure": lambda n: f"{n}.",
}


def _check_number(kind: str, found: int, expected: int, line_no: int) -> None:
    label = _LABELS[kind]
    if found < expected:
        raise PlanParseError(
            f"duplicate {kind} {label(found)} (expected {label(expected)})", line_no
        )
    if found > expected:
        raise PlanParseError(
            f"{kind} {label(found)} out of order (expected {label(expected)})", line_no
        )


def _read_lines(text: object) -> list[tuple[int, str, str]]:
    if not isinstance(text, str):
        raise PlanParseError(f"plan text must be str, not {type(text).__name__}")
    lines = []
    for line_no, raw in enumerate(_LINE_BREAK_RE.split(text.removeprefix("\ufeff")), start=1):
        if "\x00" in raw:
            raise PlanParseError("binary content, not plan text", line_no)
        stripped = raw.strip()
        if stripped:
            lines.append((line_no, stripped, normalize_width(stripped)))
    if not lines:
        raise PlanParseError("empty plan text")
    return lines


def _add_part(parts: list[_Node], node: _Node) -> None:
    # Parts may skip numbers (an excerpt without part 二 keeps 三 for stable codes).
    if parts and node.number <= parts[-1].number:
        label = _LABELS["part"]
        problem = "duplicate part" if node.number == parts[-1].number else "out-of-order part"
        raise PlanParseError(
            f"{problem} {label(node.number)} (after {label(parts[-1].number)})", node.line_no
        )
    parts.append(node)


def _add_chapter(parts: list[_Node], node: _Node) -> None:
    if not parts:
        raise PlanParseError("chapter before any part (一、…)", node.line_no)
    chapters = parts[-1].children
    if chapters and chapters[0].number == 0:
        raise PlanParseError("chapter after measures placed directly under the part", node.line_no)
    _check_number("chapter", node.number, len(chapters) + 1, node.line_no)
    chapters.append(node)


def _add_measure(parts: list[_Node], node: _Node) -> None:
    if not parts:
        raise PlanParseError("numbered paragraph before any part (一、…)", node.line_no)
    part = parts[-1]
    if not part.children:  # measures directly under the part: an implicit chapter 0
        part.children.append(_Node(0, "", part.line_no))
    measures = part.children[-1].children
    _check_number("measure", node.number, len(measures) + 1, node.line_no)
    node.lines.append((node.line_no, node.title))
    measures.append(node)


def _add_body(parts: list[_Node], preamble: list[str], line_no: int, raw: str) -> None:
    if not parts:
        preamble.append(raw)
        return
    owner = parts[-1]
    while owner.children:  # the innermost open heading owns the line
        owner = owner.children[-1]
    owner.lines.append((line_no, raw))


def _build_outline(lines: list[tuple[int, str, str]]) -> tuple[list[str], list[_Node]]:
    preamble: list[str] = []
    parts: list[_Node] = []
    adders = ((_PART_RE, _add_part), (_CHAPTER_RE, _add_chapter), (_MEASURE_RE, _add_measure))
    for line_no, raw, norm in lines:
        for pattern, add in adders:
            match = pattern.match(norm)
            if match:
                number = int(match.group(1)) if add is _add_measure else chinese_to_int(match[1])
                add(parts, _Node(number or 0, raw[match.end() :], line_no))
                break
        else:
            _add_body(parts, preamble, line_no, raw)
    return preamble, parts


def _is_indicator_chapter(chapter: _Node) -> bool:
    return INDICATOR_CHAPTER_MARK in normalize_width(chapter.title)


def _find_task_part(parts: list[_Node]) -> _Node:
    candidates = [
        part
        for part in parts
        if TASK_PART_MARK in normalize_width(part.title)
        and any(ch.children and not _is_indicator_chapter(ch) for ch in part.children)
    ]
    if not candidates:
        raise PlanParseError(
            f"no task part: expected a part titled '…{TASK_PART_MARK}' with numbered measures"
        )
    return candidates[-1]


def _infer_year(task_part: _Node, preamble: list[str], year: int | None) -> int:
    if year is not None:
        return year
    for title in (task_part.title, *preamble[:1]):
        match = re.search(r"(\d{4})\s*年", normalize_width(title))
        if match:
            return int(match.group(1))
    raise PlanParseError(
        "cannot infer the plan year from the task part title; pass year=", task_part.line_no
    )


def _measure_sentences(node: _Node) -> list[tuple[int, str]]:
    """(line_no, sentence) of a measure; a line break always ends a sentence."""
    sentences = [(no, s) for no, line in node.lines for s in split_sentences(line)]
    title = sentences[0][1] if sentences and node.title else ""
    has_end = any(char in _TERMINATORS for char in title)
    if not title.strip(_TITLE_STRIP) or (not has_end and len(node.lines) == 1):
        raise PlanParseError(
            f"measure {node.number}. has no title sentence (a first sentence ending in 。)",
            node.line_no,
        )
    return sentences


def _build_measure(node: _Node, code_prefix: str, chapter_no: int) -> ParsedMeasure:
    (_, title), *rest = _measure_sentences(node)
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
        for sentence_no, (line_no, sentence) in enumerate(rest, start=1)
    ]
    text = "".join(line for _, line in node.lines)
    return ParsedMeasure(node.number, title, text, node.line_no, tasks)


def _build_chapters(part: _Node, year: int) -> list[ParsedChapter]:
    return [
        ParsedChapter(
            number=chapter.number,
            title=chapter.title,
            line_no=chapter.line_no,
            measures=[
                _build_measure(m, f"{year}-{part.number}.{chapter.number}", chapter.number)
                for m in chapter.children
            ],
        )
        for chapter in part.children
        if not _is_indicator_chapter(chapter)
    ]


def _indicator_names(subject: str) -> list[str]:
    subject = subject.strip()
    for prefix in _SUBJECT_PREFIXES:
        subject = subject.removeprefix(prefix)
    for suffix in _SUBJECT_SUFFIXES:
        subject = subject.removesuffix(suffix)
    names = [name.strip() for name in subject.split("、") if name.strip()]
    return [full for name in names for full in INDICATOR_EXPANSIONS.get(name, (name,))]


def _group_targets(group: _Node) -> tuple[str, list[tuple[str, Target]]]:
    """Title of an indicator group and its (name, target) pairs in text order."""
    (_, title), *rest = _measure_sentences(group)
    pairs = []
    for _, sentence in rest:
        for start, end in clause_spans(sentence):
            clause = sentence[start:end].strip()
            parsed = parse_target(clause)
            if parsed is not None:
                subject_end, target = parsed
                pairs += [(name, target) for name in _indicator_names(clause[:subject_end])]
    return title.strip().rstrip(_TITLE_STRIP), pairs


def _find_baseline_part(parts: list[_Node], year: int, task_part: _Node) -> _Node | None:
    for mark in (BASELINE_PART_MARK, f"{year - 1}年"):
        for part in parts:
            if part is not task_part and mark in normalize_width(part.title):
                return part
    return None


def _find_indicator_chapter(parts: list[_Node]) -> tuple[_Node, _Node] | None:
    """(part, chapter) of the first chapter titled "…主要指标", if any."""
    return next(
        ((part, ch) for part in parts for ch in part.children if _is_indicator_chapter(ch)), None
    )


def _parse_indicators(parts: list[_Node], task_part: _Node, year: int) -> list[ParsedIndicator]:
    found = _find_indicator_chapter(parts)
    if found is None:
        return []
    grouped = [(group.number, *_group_targets(group)) for group in found[1].children]
    all_names = [name for *_, pairs in grouped for name, _ in pairs]
    base_part = _find_baseline_part(parts, year, task_part)
    statements = (
        baseline_statements([line for _, line in base_part.all_lines()]) if base_part else []
    )
    indicators = []
    for group_no, group_title, pairs in grouped:
        for name, target in pairs:
            order = len(indicators) + 1
            baseline = find_baseline(name, statements, year=year - 1, all_names=all_names)
            indicators.append(
                ParsedIndicator(
                    f"{year}-IND-{order:02d}", order, name, group_no, group_title, target, baseline
                )
            )
    return indicators


def _declared_counts(parts: list[_Node]) -> dict[str, int]:
    """Counts the indicator chapter (or its part's preamble) declares: 安排21项指标…"""
    found = _find_indicator_chapter(parts)
    if found is None:
        return {}
    part, chapter = found
    text = normalize_width("\n".join(line for _, line in part.lines + chapter.all_lines()))
    counts = {}
    for key, pattern in _DECLARED_COUNT_RES.items():
        match = pattern.search(text)
        number = match and (int(match[1]) if match[1].isdigit() else chinese_to_int(match[1]))
        if number:
            counts[key] = number
    return counts


def _plan_title(preamble: list[str], task_part: _Node) -> str:
    if preamble and len(preamble[0]) <= 60 and TASK_PART_MARK in preamble[0]:
        return preamble[0]
    return task_part.title


def parse_plan(text: str, *, year: int | None = None) -> ParsedPlan:
    """Parse a plan text into chapters → measures → tasks, indicators and declared counts.

    year defaults to the year in the task part's title ("2025年…计划"). Raises
    PlanParseError (with the line number where one applies) on empty or non-text
    input, broken numbering, a measure without a title sentence, or no task part.
    """
    lines = _read_lines(text)
    preamble, parts = _build_outline(lines)
    if not parts:
        raise PlanParseError("no parts found: expected headings like 一、…")
    task_part = _find_task_part(parts)
    year = _infer_year(task_part, preamble, year)
    return ParsedPlan(
        year=year,
        title=_plan_title(preamble, task_part),
        chapters=_build_chapters(task_part, year),
        indicators=_parse_indicators(parts, task_part, year),
        declared_indicator_counts=_declared_counts(parts),
    )
