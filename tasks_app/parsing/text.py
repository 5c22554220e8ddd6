"""Plan text as copied from a PDF or a web page -> logical lines that keep original line numbers.

Steps, each reported as a warning when it changes something: flattened table rows and an
appendix (附件/附表) are set aside; page numbers and running headers/footers are dropped;
stray spaces between Chinese characters are removed; hard-wrapped lines are joined (a line
that ends without sentence-final punctuation continues on the next). Every character of a
logical line knows the original line it came from (`SourceLine.line_at`).
Pure Python: no Django here.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from tasks_app.parsing.errors import ParseWarning, PlanParseError, line_ranges
from tasks_app.parsing.quantities import normalize_width

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
# A heading marker at the start of a line: 一、 (一) 1. (1) ①, either width.
MARKER_RE = re.compile(
    r"(?:[一二三四五六七八九十]+\s*[、.]|\(\s*[一二三四五六七八九十]+\s*\)"
    r"|\d{1,3}\s*[.、](?!\d)|\(\s*\d{1,3}\s*\)|[①-⑳])"
)
_CLOSERS = "”’」』)）\"'》】"
_TERMINAL = "。！？!?；;:：…"
# A line ending in one of these is certainly continued on the next line.
_CONTINUING = ",，、(（“‘《的和与及或并"
_PAGE_NUMBER_RE = re.compile(
    r"[-—–~·\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–~·\s]*"
)
_CJK = (
    r"\u2e80-\u2fff\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20"
    r"\u2018\u2019\u201c\u201d"
)
_SPACE_RUN_RE = re.compile(r"[ \t\u3000\u00a0]+")
LETTER_SPACED_RATIO = 0.6  # spaces per other character in a letter-spaced line
_STRAY_SPACE_RE = re.compile(rf"(?<=[{_CJK}])[ \t\u3000\u00a0]+(?=[{_CJK}])")
_TABLE_CELL_RE = re.compile(r"[≥≤<>]?-?\d+(?:\.\d+)?(?:%|‰|左右|以上|以内|以下)?|预期性|约束性")
_TABLE_HEADER_WORDS = ("序号", "指标", "单位", "属性", "目标", "完成", "名称")
_APPENDIX_RE = re.compile(r"(?:附件|附表)\s*\d*\s*[:：]?")
HEADER_MAX_CHARS = 40
HEADER_MIN_REPEATS = 3
FULL_LINE_RATIO = 0.85
HEADING_FULL_RATIO = 0.95


@dataclass(frozen=True)
class SourceLine:
    """A logical line: text (cleaned), norm (half-width for matching), origins of its chars."""

    text: str
    norm: str
    breaks: tuple[tuple[int, int], ...]  # (offset in text, original line no), ascending

    @property
    def line_no(self) -> int:
        return self.breaks[0][1]

    def line_at(self, offset: int) -> int:
        """Original line number of the character at offset."""
        index = bisect.bisect_right([b[0] for b in self.breaks], max(offset, 0)) - 1
        return self.breaks[max(index, 0)][1]


@dataclass
class PlanText:
    """The outline's lines, the flattened table rows set aside, and the warnings."""

    lines: list[SourceLine]
    table_rows: list[SourceLine] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)


def _source(text: str, line_no: int) -> SourceLine:
    return SourceLine(text, normalize_width(text), ((0, line_no),))


def display_width(text: str) -> int:
    """Width on a page: wide (CJK) characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def is_terminal(text: str) -> bool:
    """True if text ends a sentence or a list item (closing quotes/brackets ignored)."""
    stripped = normalize_width(text).rstrip(_CLOSERS + " ")
    return bool(stripped) and stripped[-1] in _TERMINAL


def starts_with_marker(norm: str) -> bool:
    return MARKER_RE.match(norm) is not None


def is_heading_only(norm: str) -> bool:
    """A numbered line with no sentence end in it: a heading, not a paragraph."""
    return starts_with_marker(norm) and not any(c in _TERMINAL for c in norm)


def _is_table_row(norm: str) -> bool:
    tokens = norm.split()
    if len(tokens) < 3 or "。" in norm or max(map(len, tokens)) > 30:
        return False
    if not (tokens[0].isdigit() and 0 < int(tokens[0]) <= 200):
        return sum(word in norm for word in _TABLE_HEADER_WORDS) >= 3 and len(norm) <= 60
    cells = [t for t in tokens[2:] if _TABLE_CELL_RE.fullmatch(t)]
    return bool(re.search(r"[\u4e00-\u9fff]", tokens[1])) and bool(cells)


def _raw_lines(text: object) -> list[tuple[int, str]]:
    if not isinstance(text, str):
        raise PlanParseError(f"plan text must be str, not {type(text).__name__}")
    lines = []
    for line_no, raw in enumerate(_LINE_BREAK_RE.split(text.removeprefix("\ufeff")), start=1):
        if "\x00" in raw:
            raise PlanParseError("binary content, not plan text", line_no)
        stripped = raw.strip()
        if stripped:
            lines.append((line_no, stripped))
    if not lines:
        raise PlanParseError("empty plan text")
    return lines


def _set_aside_tables(lines: list[tuple[int, str]], result: PlanText) -> list[tuple[int, str]]:
    kept, appendix_at = [], None
    for line_no, raw in lines:
        norm = normalize_width(raw)
        if appendix_at is None and _APPENDIX_RE.match(norm) and len(norm) <= HEADER_MAX_CHARS:
            appendix_at = line_no
        if _is_table_row(norm):
            result.table_rows.append(_source(raw, line_no))
        elif appendix_at is None:
            kept.append((line_no, raw))
    if result.table_rows:
        numbers = [row.line_no for row in result.table_rows]
        result.warnings.append(
            ParseWarning(numbers[0], f"lines {line_ranges(numbers)} read as table rows, not text")
        )
    if appendix_at is not None:
        result.warnings.append(
            ParseWarning(appendix_at, "appendix (附件/附表): the lines after it hold no tasks")
        )
    return kept


def _drop_page_furniture(lines: list[tuple[int, str]], result: PlanText) -> list[tuple[int, str]]:
    def key(raw: str) -> str:
        return re.sub(r"\d+", "#", normalize_width(raw))

    repeats = Counter(
        key(raw)
        for _, raw in lines
        if len(raw) <= HEADER_MAX_CHARS and not starts_with_marker(normalize_width(raw))
    )
    kept, pages, headers = [], [], []
    for line_no, raw in lines:
        norm = normalize_width(raw)
        if _PAGE_NUMBER_RE.fullmatch(norm):
            pages.append(line_no)
        elif len(raw) <= HEADER_MAX_CHARS and repeats[key(raw)] >= HEADER_MIN_REPEATS:
            if not starts_with_marker(norm) and not is_terminal(raw):
                headers.append(line_no)
                continue
            kept.append((line_no, raw))
        else:
            kept.append((line_no, raw))
    if pages:
        result.warnings.append(
            ParseWarning(pages[0], f"dropped page numbers on lines {line_ranges(pages)}")
        )
    if headers:
        result.warnings.append(
            ParseWarning(
                headers[0],
                f"dropped a running header/footer repeated on lines {line_ranges(headers)}",
            )
        )
    return kept


def _remove_stray_spaces(lines: list[tuple[int, str]], result: PlanText) -> list[tuple[int, str]]:
    changed = []
    cleaned = []
    for line_no, raw in lines:
        spaces = len(_SPACE_RUN_RE.findall(raw))
        if spaces >= LETTER_SPACED_RATIO * (len(raw) - spaces) and len(raw) > 8:
            text = _SPACE_RUN_RE.sub("", raw)  # letter-spaced: 推 进 改 革 , 新 建 1 . 9 万 亩
        else:
            text = _STRAY_SPACE_RE.sub("", raw)
        if text != raw:
            changed.append(line_no)
        cleaned.append((line_no, text))
    if changed:
        result.warnings.append(
            ParseWarning(
                changed[0],
                f"removed spaces between Chinese characters on lines {line_ranges(changed)}",
            )
        )
    return cleaned


def _percentile(values: list[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0


def _join_wrapped(lines: list[tuple[int, str]], result: PlanText) -> list[SourceLine]:
    """Join each line that does not end a sentence with the line after it."""
    chars = _percentile([len(raw) for _, raw in lines], 0.75)
    widths = _percentile([display_width(raw) for _, raw in lines], 0.75)
    open_lines = sum(
        1
        for _, raw in lines[:-1]
        if not is_terminal(raw) and not is_heading_only(normalize_width(raw))
    )
    wrapped = open_lines >= max(3, len(lines) // 10)

    def full(raw: str, ratio: float) -> bool:
        return wrapped and (len(raw) >= ratio * chars or display_width(raw) >= ratio * widths)

    def continues(raw: str, following: str) -> bool:
        if is_terminal(raw):
            return False
        norm, next_norm = normalize_width(raw), normalize_width(following)
        if norm[-1] in _CONTINUING:  # cut mid-sentence
            return True
        if is_heading_only(norm):  # a heading continues only if it filled the whole line
            return full(raw, HEADING_FULL_RATIO) and not starts_with_marker(next_norm)
        return full(raw, FULL_LINE_RATIO)

    joined: list[SourceLine] = []
    joins: list[int] = []
    pending: tuple[str, list[tuple[int, int]]] | None = None
    for index, (line_no, raw) in enumerate(lines):
        if pending is None:
            text, breaks = raw, [(0, line_no)]
        else:
            text, breaks = pending
            breaks.append((len(text), line_no))
            text += raw  # no space: a PDF breaks Chinese (and words like Bio-Park) anywhere
            joins.append(line_no)
            if starts_with_marker(normalize_width(raw)):
                result.warnings.append(
                    ParseWarning(
                        line_no, "starts like a numbered heading but continues the line before"
                    )
                )
        following = lines[index + 1][1] if index + 1 < len(lines) else None
        if following is not None and continues(raw, following):
            pending = (text, breaks)
            continue
        pending = None
        joined.append(SourceLine(text, normalize_width(text), tuple(breaks)))
    if joins:
        result.warnings.append(
            ParseWarning(
                joins[0] - 1,
                f"joined {len(joins)} hard-wrapped lines to the line before "
                f"(no sentence-final punctuation): lines {line_ranges(joins)}",
            )
        )
    return joined


def read_plan_text(text: object) -> PlanText:
    """Clean a plan text into logical lines; raises PlanParseError on empty or binary input."""
    result = PlanText(lines=[])
    lines = _raw_lines(text)
    lines = _set_aside_tables(lines, result)
    lines = _drop_page_furniture(lines, result)
    lines = _remove_stray_spaces(lines, result)
    result.lines = _join_wrapped(lines, result)
    return result
