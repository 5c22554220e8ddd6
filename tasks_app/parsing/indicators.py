"""Indicators wherever a plan states them, with targets and last year's baselines.

Sources, first found wins: a part or chapter titled 主要指标/主要预期目标/主要目标 (its
numbered paragraphs are indicator groups; without them its text is one group); a paragraph
"主要预期目标是:…"; a flattened table (`1 地区生产总值增速 % 5.2 5 预期性`). "A、B分别增长7%、8%"
is split into one indicator per name. Every split, inferred comparator and unused source is
a warning. Pure Python: no Django here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from tasks_app.parsing.errors import ParseWarning
from tasks_app.parsing.parser import ParsedIndicator, _measure_sentences, split_sentences
from tasks_app.parsing.quantities import (
    Baseline,
    Target,
    baseline_statements,
    chinese_to_int,
    clause_spans,
    clean_decimal,
    find_baseline,
    normalize_width,
    parse_target,
)
from tasks_app.parsing.structure import Node, Segment, TaskSection, is_indicator_node
from tasks_app.parsing.text import SourceLine

BASELINE_PART_MARK = "执行情况"
# One phrase of the plan tracked as several indicators.
INDICATOR_EXPANSIONS = {"居民收入": ("城镇居民人均可支配收入", "农村居民人均可支配收入")}
_SUBJECT_PREFIXES = ("保持", "确保", "力争", "推动", "促进")
_SUBJECT_SUFFIXES = ("实现", "增长", "保持", "继续")
_TITLE_STRIP = "。！？!?；;，,、：: \t"
_COUNT_NUMBER = r"(\d+|[一二两三四五六七八九十]+)"
_DECLARED_COUNT_RES = {
    "total": re.compile(_COUNT_NUMBER + r"\s*项(?:主要)?指标"),
    "expected": re.compile(_COUNT_NUMBER + r"\s*项预期性指标"),
    "binding": re.compile(_COUNT_NUMBER + r"\s*项约束性指标"),
}
_PARAGRAPH_RE = re.compile(r"主要(?:预期)?(?:目标|指标)(?:是|为|包括|有)?[:：]")
_RESPECTIVELY_RE = re.compile(
    r"(?P<subject>.+?)分别(?P<verb>增长|提高|提升|下降|降低|达到|达|控制在|保持在|不低于|不超过)?"
    r"(?P<values>.+)"
)
_VALUE_RE = re.compile(r"(\d+(?:\.\d+)?)([^\d、和与及]*)")
_EXPLICIT_COMPARATORS = tuple(
    "以上 以下 以内 左右 不低于 不高于 不超过 控制在 低于 高于 超过".split()
)
_CELL_VALUE_RE = re.compile(
    r"(?P<op>[≥≤<>]?)(?P<num>-?\d+(?:\.\d+)?)(?P<suffix>左右|以上|以内|以下)?"
)
_CATEGORIES = {"预期性": "expected", "约束性": "binding"}
_GROWTH_NAME_ENDS = ("增速", "增长", "增幅", "增长率")

Pair = tuple[str, Target, int | None]


def _indicator_names(subject: str) -> list[str]:
    subject = subject.strip()
    for prefix in _SUBJECT_PREFIXES:
        subject = subject.removeprefix(prefix)
    for suffix in _SUBJECT_SUFFIXES:
        subject = subject.removesuffix(suffix)
    names = [name.strip() for name in subject.split("、") if name.strip()]
    return [full for name in names for full in INDICATOR_EXPANSIONS.get(name, (name,))]


def _respective_names(subject: str) -> list[str]:
    names = [n for part in re.split(r"和|与|及", subject) for n in _indicator_names(part)]
    if len(names) == 1 and names[0].startswith("城乡"):  # 城乡居民… = 城镇居民… and 农村居民…
        rest = names[0][2:]
        return [f"城镇{rest}", f"农村{rest}"]
    return names


def _split_respectively(
    clause: str, line_no: int | None, warnings: list[ParseWarning]
) -> list[Pair]:
    """ "城乡居民人均可支配收入分别增长7%、8%" -> one indicator per name and value."""
    match = _RESPECTIVELY_RE.fullmatch(normalize_width(clause).strip())
    if match is None:
        return []
    names = _respective_names(match["subject"])
    values = [v for v in re.split(r"、|和|与|及", match["values"]) if v.strip()]
    if len(names) != len(values) or len(names) < 2:
        warnings.append(
            ParseWarning(
                line_no,
                f"'{clause}': {len(names)} names and {len(values)} values after 分别; "
                "no indicator read",
            )
        )
        return []
    units = [_VALUE_RE.match(v.strip()) for v in values]
    last_unit = next((m[2] for m in reversed(units) if m and m[2]), "")
    pairs = []
    for name, value, unit in zip(names, values, units, strict=True):
        text = value.strip() if unit is None or unit[2] else value.strip() + last_unit
        parsed = parse_target(f"{name}{match['verb'] or ''}{text}")
        if parsed is not None:
            pairs.append((name, parsed[1], line_no))
    warnings.append(
        ParseWarning(
            line_no,
            f"'{clause}' split into {len(pairs)} indicators: {', '.join(n for n, *_ in pairs)}",
        )
    )
    return pairs


def _sentence_targets(
    sentence: str, line_no: int | None, warnings: list[ParseWarning]
) -> list[Pair]:
    pairs: list[Pair] = []
    for start, end in clause_spans(sentence):
        clause = sentence[start:end].strip()
        if "分别" in clause:
            pairs += _split_respectively(clause, line_no, warnings)
            continue
        parsed = parse_target(clause)
        if parsed is not None:
            subject_end, target = parsed
            pairs += [(name, target, line_no) for name in _indicator_names(clause[:subject_end])]
    return pairs


def _group_targets(group: Node, warnings: list[ParseWarning]) -> tuple[str, list[Pair]]:
    """Title of an indicator group and its (name, target, line) in text order."""
    (_, title, _), *rest = _measure_sentences(group)
    pairs = [
        p for line_no, sentence, _ in rest for p in _sentence_targets(sentence, line_no, warnings)
    ]
    return title.strip().rstrip(_TITLE_STRIP), pairs


def _indicator_node(root: Node) -> Node | None:
    """The first part/chapter titled 主要指标/主要预期目标/… with no such chapter inside it."""
    nodes = [n for n in root.walk() if is_indicator_node(n)]
    innermost = [n for n in nodes if not any(is_indicator_node(c) for c in n.walk()[1:])]
    return innermost[0] if innermost else None


def _chapter_groups(node: Node, warnings: list[ParseWarning]) -> list[tuple[int, str, list[Pair]]]:
    if node.children:
        return [(group.number, *_group_targets(group, warnings)) for group in node.children]
    pairs = [
        p
        for segment in node.lines
        for sentence in _split_keep_lines(segment)
        for p in _sentence_targets(sentence[1], sentence[0], warnings)
    ]
    return [(1, node.title_text.strip().rstrip(_TITLE_STRIP), pairs)]


def _split_keep_lines(segment: Segment) -> list[tuple[int, str]]:
    out, offset = [], 0
    for sentence in split_sentences(segment.text):
        out.append((segment.line_at(offset), sentence))
        offset += len(sentence)
    return out


def _paragraph_groups(
    lines: list[SourceLine], warnings: list[ParseWarning]
) -> list[tuple[int, str, list[Pair]]]:
    for line in lines:
        match = _PARAGRAPH_RE.search(line.norm)
        if match is None:
            continue
        text = line.text[match.end() :]
        pairs = _sentence_targets(text, line.line_at(match.end()), warnings)
        if pairs:
            warnings.append(
                ParseWarning(
                    line.line_no,
                    f"indicators read from the paragraph '{line.text[: match.end()]}…'",
                )
            )
            return [(1, line.text[match.start() : match.end()].rstrip(":："), pairs)]
    return []


def _cell_target(cell: str, unit: str, growth: bool) -> tuple[Target, bool]:
    """Target of a table cell and whether its comparator was written (≥, 以上, 左右 …)."""
    match = _CELL_VALUE_RE.fullmatch(cell)
    if match is None:
        return Target("qualitative", None, "", cell, False), True
    op, suffix = match["op"], match["suffix"] or ""
    comparator = {"≥": ">=", ">": ">=", "≤": "<=", "<": "<="}.get(op) or {
        "以上": ">=", "以内": "<=", "以下": "<=", "左右": "~",
    }.get(suffix) or (">=" if growth else "=")  # fmt: skip
    value = clean_decimal(Decimal(match["num"]))
    return Target(comparator, value, unit, cell, growth), bool(op or suffix)


def _table_row(row: SourceLine, year: int, warnings: list[ParseWarning]) -> ParsedIndicator | None:
    tokens = row.norm.split()
    if not tokens[0].isdigit():
        return None  # a header row
    name, cells = tokens[1], tokens[2:]
    category = _CATEGORIES.get(cells[-1], "") if cells else ""
    if category:
        cells = cells[:-1]
    unit = cells[0] if cells and not _CELL_VALUE_RE.fullmatch(cells[0]) and len(cells) > 1 else ""
    values = cells[1:] if unit else cells
    if not values:
        return None
    growth = name.endswith(_GROWTH_NAME_ENDS) and unit in ("%", "")
    target, written = _cell_target(values[-1], unit, growth)
    if not written and target.comparator != "qualitative":
        warnings.append(
            ParseWarning(
                row.line_no, f"{name}: comparator '{target.comparator}' inferred for '{values[-1]}'"
            )
        )
    baseline = None
    if len(values) >= 2:
        number = _CELL_VALUE_RE.fullmatch(values[-2])
        if number is not None:
            value = clean_decimal(Decimal(number["num"]))
            baseline = Baseline(
                year - 1, None if growth else value, "" if growth else unit,
                value if growth else None, row.text,
            )  # fmt: skip
    return ParsedIndicator("", 0, name, 1, "主要指标", target, baseline, row.line_no, category)


def _table_indicators(
    rows: list[SourceLine], year: int, warnings: list[ParseWarning]
) -> list[ParsedIndicator]:
    found = []
    for row in rows:
        try:
            indicator = _table_row(row, year, warnings)
        except (InvalidOperation, IndexError):
            indicator = None
        if indicator is None:
            continue
        found.append(indicator)
    if found:
        warnings.append(
            ParseWarning(found[0].line_no, f"{len(found)} indicators read from a flattened table")
        )
    return found


def _baseline_texts(root: Node, section: TaskSection, year: int) -> list[str]:
    parts = [c for c in root.children if c.kind == "part" and c not in section.containers]
    reviews = [r.part for r in section.readings if r.role == "review"]
    for mark in (BASELINE_PART_MARK, f"{year - 1}年"):
        reviews += [p for p in parts if mark in normalize_width(p.title_text)]
    if not reviews:
        return []
    part = next(p for p in parts if p in reviews)
    return [
        segment.text
        for node in part.walk()
        for segment in ([node.title] if node is not part and node.title else []) + node.lines
    ]


def _declared_counts(root: Node, node: Node | None) -> dict[str, int]:
    """Counts the indicator chapter (or its part's preamble) declares: 安排21项指标…"""
    if node is None:
        return {}
    parent = next((n for n in root.walk() if node in n.children), None)
    own = [s.text for s in parent.lines] if parent is not None and parent.kind != "root" else []
    subtree = [
        segment.text
        for n in node.walk()
        for segment in ([n.title] if n is not node and n.title else []) + n.lines
    ]
    text = normalize_width("\n".join(own + subtree))
    counts = {}
    for key, pattern in _DECLARED_COUNT_RES.items():
        match = pattern.search(text)
        number = match and (int(match[1]) if match[1].isdigit() else chinese_to_int(match[1]))
        if number:
            counts[key] = number
    return counts


def _warn_inferred(indicators: list[ParsedIndicator], warnings: list[ParseWarning]) -> None:
    for ind in indicators:
        target = ind.target
        if target.comparator == "qualitative" or ind.category:
            continue
        if not any(word in normalize_width(target.text) for word in _EXPLICIT_COMPARATORS):
            warnings.append(
                ParseWarning(
                    ind.line_no,
                    f"{ind.name}: comparator '{target.comparator}' inferred from "
                    f"'{target.text}' (no 以上/以内/左右/不低于/不超过)",
                )
            )


def read_indicators(
    *,
    root: Node,
    section: TaskSection,
    lines: list[SourceLine],
    table_rows: list[SourceLine],
    year: int,
    warnings: list[ParseWarning],
) -> tuple[list[ParsedIndicator], dict[str, int]]:
    """The plan's indicators (coded {year}-IND-NN) and the counts it declares."""
    node = _indicator_node(root)
    grouped = _chapter_groups(node, warnings) if node is not None else []
    if not grouped or not any(pairs for *_, pairs in grouped):
        grouped = _paragraph_groups(lines, warnings)
    statements = baseline_statements(_baseline_texts(root, section, year))
    all_names = [name for *_, pairs in grouped for name, _, _ in pairs]
    indicators = []
    for group_no, group_title, pairs in grouped:
        for name, target, line_no in pairs:
            order = len(indicators) + 1
            baseline = find_baseline(name, statements, year=year - 1, all_names=all_names)
            indicators.append(
                ParsedIndicator(
                    f"{year}-IND-{order:02d}", order, name, group_no, group_title, target, baseline,
                    line_no,
                )
            )  # fmt: skip
    _warn_inferred(indicators, warnings)
    if table_rows:
        table = _table_indicators(table_rows, year, warnings)
        if indicators and table:
            warnings.append(
                ParseWarning(
                    table[0].line_no, "indicator table not used: the text states the indicators"
                )
            )
        elif table:
            for order, ind in enumerate(table, start=1):
                ind.code, ind.order = f"{year}-IND-{order:02d}", order
            indicators = table
    if not indicators:
        warnings.append(
            ParseWarning(
                node.line_no if node else None,
                "no indicators found: expected a 主要指标/主要预期目标 chapter or paragraph, "
                "or a table of indicators",
            )
        )
    names = [i.name for i in indicators]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        first = next(i for i in indicators if i.name == duplicates[0])
        warnings.append(
            ParseWarning(first.line_no, f"indicator named more than once: {', '.join(duplicates)}")
        )
    return indicators, _declared_counts(root, node)
