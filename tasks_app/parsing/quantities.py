"""Quantities in Chinese plan text: numerals, key results, indicator targets and baselines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# Full-width ASCII forms (，（）．：；％０-９…) and the ideographic space map to ASCII one
# character for one, so an index found in the normalised text is valid in the original.
_WIDTH_MAP = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
CN_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
MAGNITUDES = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}

# Counted units a key result may carry (年/月/次 are deliberately absent: 30年, 二次督办).
KEY_RESULT_UNITS = tuple(
    "个百分点 平方公里 平方米 立方米 公里 千米 公顷 兆瓦 千瓦时 千瓦 人次 美元 亩 个 家 株 元 项 所"
    " 处 条 座 户 人 套 张 辆 吨 栋 间 台 场 批 部 种 件 米 根 艘 架 %".split()
)
# A unit character followed by one of these is a word, not a unit (一部分, 三种苗…).
_UNIT_WORD_TAILS = dict(
    pair.split(":")
    for pair in "部:分门署 种:苗植子类 所:有以属在 处:理置 场:景所馆地 台:阶 人:民员才"
    " 条:例件款 根:本据源治深 架:构设 米:粮".split()
)
_TARGET_UNITS = (*KEY_RESULT_UNITS, "微克/立方米", "‰")


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_CN_NUMERAL = "[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*"
_CN_PERCENT = (
    "[一二两三四五六七八九十][零〇一二两三四五六七八九十]*(?:点[零〇一二三四五六七八九]+)?"
)
_QUANTITY_RE = re.compile(
    rf"(?:百分之(?P<pct>\d+(?:\.\d+)?|{_CN_PERCENT})"
    rf"|(?:(?<![\d.A-Za-z])(?P<arabic>\d+(?:\.\d+)?)"
    rf"|(?<![零〇一二两三四五六七八九十百千万亿第])(?P<cn>{_CN_NUMERAL}))"
    r"(?P<mag>(?:[十百千万亿](?![米瓦伏克]))*)[余多]?(?P<mag2>[万亿]?)"
    rf"(?P<unit>{_alternation(KEY_RESULT_UNITS)}))"
)
SLOGANS_PATH = Path(__file__).resolve().parent / "data" / "slogans.txt"


def _slogan_pattern(path: Path) -> str:
    """One alternation of the phrases and "re:" patterns in the slogan list (longest first)."""
    literals, patterns = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("re:"):
            patterns.append(line[3:])
        else:
            literals.append(line)
    return "|".join([*patterns, _alternation(tuple(literals))])


# Things that only look like quantities; masked before searching.
_LOOKALIKE_RES = (
    re.compile(r"“[^“”]{0,30}”|‘[^‘’]{0,30}’|「[^「」]{0,30}」|『[^『』]{0,30}』|\"[^\"]{0,30}\""),
    re.compile(r"[A-Za-z][A-Za-z-]*\d+(?:\.\d+)*[A-Za-z\d]*|\d+[A-Za-z][A-Za-z\d]*"),  # M9 PM2.5
    re.compile(r"(?:国道|省道|县道)\d+|\d+(?:国道|省道|号线)"),
    re.compile(r"\d+(?:\.\d+)?\s*(?:千伏|伏)"),  # voltage classes: 110千伏
    re.compile(r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d+\+[A-Za-z\d]+"),
    re.compile(r"十[一二三四五六七八九]五|第[零〇一二两三四五六七八九十百千\d]+"),
    re.compile(r"[一二三四五六七八九十]+条(?=[\d.]|政策|措施)"),  # policy names: 氢十条3.0
    re.compile(_slogan_pattern(SLOGANS_PATH)),
)
_LABEL_BREAKS = re.compile(r"[,;:、。！？!?()“”‘’\"]")
_LABEL_VERBS = tuple(
    "力争 确保 累计 新增 新建 建设 建成 完成 实现 达到 突破 超过 启动 加快 推动"
    " 安排 出台 打造 增加 全年 保持在 控制在 保持 增长 提高 下降 降低".split()
)
_LABEL_PARTICLES = tuple("约 达 超 共 等 近".split())  # only directly before a number
_LABEL_TAILS = ("的建设", "建设", "工作", "任务")
_LABEL_LEADS = ("以上", "以下", "以内", "左右", "上下", "之多", "余", "多", "的")
LABEL_MAX_CHARS = 12


@dataclass(frozen=True)
class KeyResult:
    """A quantity promised in a task: value in base units (1.9万亩 → 19000 亩)."""

    value: Decimal
    unit: str
    label: str
    raw: str


@dataclass
class Target:
    """An indicator target; comparator is one of ">=", "<=", "=", "~", "qualitative"."""

    comparator: str
    value: Decimal | None
    unit: str
    text: str
    is_growth_rate: bool


@dataclass
class Baseline:
    """Last year's figure for an indicator, in the unit the text uses (1334.8 亿元)."""

    year: int
    value: Decimal | None
    unit: str
    growth_pct: Decimal | None
    text: str


def normalize_width(text: str) -> str:
    """Return text with full-width ASCII forms and ideographic spaces made half-width.

    Length-preserving: stored text stays verbatim, only matching uses the result.
    """
    return text.translate(_WIDTH_MAP)


def chinese_to_int(numeral: str) -> int | None:
    """Value of a Chinese numeral below 10,000 (两 → 2, 二十一 → 21); None if not one."""
    if not numeral:
        return None
    total, digit = 0, None
    for char in numeral:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char in CN_MULTIPLIERS:
            total += (1 if digit is None else digit) * CN_MULTIPLIERS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def percent_value(numeral: str) -> Decimal | None:
    """Value of the N in 百分之N: 6.5, 六 or 六点五."""
    if numeral[:1].isdigit():
        return Decimal(numeral)
    whole, _, fraction = numeral.partition("点")
    number = chinese_to_int(whole)
    if number is None:
        return None
    digits = "".join(str(CN_DIGITS[c]) for c in fraction)
    return Decimal(f"{number}.{digits}") if digits else Decimal(number)


def clean_decimal(value: Decimal) -> Decimal:
    """Decimal without exponent or trailing zeros: 19000.0 → 19000, 98.50 → 98.5."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _mask_lookalikes(norm: str) -> str:
    for pattern in _LOOKALIKE_RES:
        norm = pattern.sub(lambda m: "\x00" * len(m.group(0)), norm)
    return norm


def _strip_words(text: str, words: tuple[str, ...], *, leading: bool) -> str:
    changed = True
    while changed and text:
        changed = False
        for word in words:
            if leading and text.startswith(word):
                text, changed = text[len(word) :], True
            elif not leading and text.endswith(word):
                text, changed = text[: -len(word)], True
    return text


def _label(text: str, norm: str, start: int, end: int) -> str:
    """Best-effort name of what is counted: the words after the quantity, else before it."""
    stop = _LABEL_BREAKS.search(norm, end)
    after = text[end : stop.start() if stop else len(text)].strip()
    after = _strip_words(after, _LABEL_LEADS, leading=True)  # 1.2万人以上 → not "以上"
    after = _strip_words(after, _LABEL_TAILS, leading=False)[:LABEL_MAX_CHARS]
    if len(after) >= 2:  # 建设1.9万亩高标准农田 → 高标准农田
        return after
    breaks = list(_LABEL_BREAKS.finditer(norm, 0, start))
    before = text[breaks[-1].end() if breaks else 0 : start].strip()
    before = _strip_words(before, _LABEL_VERBS + _LABEL_PARTICLES, leading=False)
    before = _strip_words(before, _LABEL_VERBS, leading=True)
    return before[-LABEL_MAX_CHARS:] or after  # 力争育苗量突破3亿株 → 育苗量


def _quantity_value(match: re.Match[str]) -> Decimal | None:
    if match.group("pct"):
        number = percent_value(match.group("pct"))
        return None if number is None else clean_decimal(number)
    if match.group("arabic"):
        value = Decimal(match.group("arabic"))
    else:
        number = chinese_to_int(match.group("cn"))
        if number is None:
            return None
        value = Decimal(number)
    for char in match.group("mag") + match.group("mag2"):
        value *= MAGNITUDES[char]
    return clean_decimal(value)


def extract_key_results(text: str) -> list[KeyResult]:
    """Quantities promised in text, in base units: 建设1.9万亩高标准农田 → 19000 亩.

    Codes and names that only look like numbers (国道104, M9, “3610”, 110千伏, 十四五,
    一批, 2025年 …) are masked first; a number counts only when a unit follows it.
    """
    norm = normalize_width(text)
    masked = _mask_lookalikes(norm)
    results = []
    for match in _QUANTITY_RE.finditer(masked):
        unit = match.group("unit") or "%"
        following = masked[match.end() : match.end() + 1]
        if following and following in _UNIT_WORD_TAILS.get(unit, ""):
            continue
        value = _quantity_value(match)
        if value is None:
            continue
        label = _label(text, norm, match.start(), match.end())
        results.append(KeyResult(value, unit, label, text[match.start() : match.end()]))
    return results


# Qualitative targets, matched at the end of a clause; "达到市级要求" = meets the city's quota.
_QUALITATIVE_TARGETS = tuple(
    "与经济增长基本同步 和经济增长基本同步 与经济增长同步 和经济增长同步"
    " 达到市级要求 完成市级下达任务 稳步增长 进一步提升 持续提升"
    " 持续改善 保持稳定 稳中有升 基本持平".split()
)
_AT_MOST_VERBS = ("控制在", "不高于", "不超过", "低于")
_GROWTH_VERBS = ("增长", "下降", "降低")
_TARGET_RE = re.compile(
    r"(?P<verb>增长|提高|提升|下降|降低|达到|达|控制在|保持在|不低于|不高于|不超过|超过|低于|高于)?"
    rf"(?:(?P<num>\d+(?:\.\d+)?)(?P<unit>[万亿千百]*(?:{_alternation(_TARGET_UNITS)}))"
    rf"|百分之(?P<pct>\d+(?:\.\d+)?|{_CN_PERCENT}))"
    r"(?P<suffix>以上|以内|以下|左右)?$"
)


def _comparator(verb: str, suffix: str) -> str:
    if suffix in ("以内", "以下") or (verb in _AT_MOST_VERBS and suffix != "左右"):
        return "<="
    if suffix == "左右":
        return "~"
    if suffix == "以上":  # 保持在180万吨以上
        return ">="
    if not verb or verb == "保持在":
        return "="
    return ">="


def parse_target(clause: str) -> tuple[int, Target] | None:
    """Split a clause ending in a target ("地区生产总值增长5%") into subject end and Target.

    Returns (index where the target text starts, Target), or None if the clause does
    not end in a target. Values and units stay as written (5 %, not 0.05).
    """
    norm = normalize_width(clause)
    for phrase in _QUALITATIVE_TARGETS:
        if norm.endswith(phrase) and len(norm) > len(phrase):
            start = len(norm) - len(phrase)
            return start, Target("qualitative", None, "", clause[start:], False)
    match = _TARGET_RE.search(norm)
    if match is None or match.start() == 0:
        return None
    verb, suffix, unit = match.group("verb") or "", match.group("suffix") or "", match["unit"]
    if match["pct"]:  # 增长百分之六左右
        number = percent_value(match["pct"])
        if number is None:
            return None
        value, unit = number, "%"
    else:
        value = Decimal(match.group("num"))
    target = Target(
        comparator=_comparator(verb, suffix),
        value=clean_decimal(value),
        unit=unit,
        text=clause[match.start() :],
        is_growth_rate=verb in _GROWTH_VERBS and unit == "%",
    )
    return match.start(), target


_LEVEL_RE = re.compile(
    rf"(?P<filler>\D{{0,10}}?)(?P<num>\d+(?:\.\d+)?)"
    rf"(?P<unit>[万亿千百]*(?:{_alternation(_TARGET_UNITS)}))"
)
_GROWTH_RE = re.compile(
    r"(?:同比|比上年|较上年)?(?:(?P<fall>下降|降低|减少|回落)|增长|增速为?|增速达)(?P<num>\d+(?:\.\d+)?)%"
)
_GROWTH_WORDS = ("增长", "增速", "增速为", "增速达", "下降", "降低", "提高", "增加")


def parse_baseline_statement(
    statement: str, name_end: int
) -> tuple[Decimal | None, str, Decimal | None]:
    """Level (value, unit) and growth % stated after an indicator name ending at name_end.

    "地区生产总值总量完成1334.8亿元,同比增长5.2%" → (1334.8, "亿元", 5.2).
    """
    rest = normalize_width(statement)[name_end:]
    value, unit = None, ""
    level = _LEVEL_RE.match(rest)
    if level and not level.group("filler").endswith(_GROWTH_WORDS):
        value, unit = clean_decimal(Decimal(level.group("num"))), level.group("unit")
    growth = _GROWTH_RE.search(rest)
    growth_pct = None
    if growth:  # a fall is a negative growth: 同比下降1.1% → -1.1
        growth_pct = clean_decimal(Decimal(growth.group("num")) * (-1 if growth["fall"] else 1))
    return value, unit, growth_pct


# Other names under which last year's report states an indicator.
BASELINE_ALIASES = {
    "地区生产总值": ("地区生产总值总量",),
    "规上工业总产值": ("规模以上工业总产值",),
    "细颗粒物浓度": ("细颗粒物年均浓度", "PM2.5年均浓度", "PM2.5浓度"),
    "高新技术企业数": ("高新技术企业", "国高新"),
    "实际利用外资规模": ("实际利用外资",),
    "常住人口规模": ("常住人口",),
    "生产生活用水总量": ("用水总量",),
}
_CLAUSE_RE = re.compile(r"[^,;:。！？!?]+")
_STATEMENT_CONTINUATIONS = ("同比", "比上年", "较上年", "增长", "增速", "下降")


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of text, split at , ; : (either width) and sentence ends."""
    return [match.span() for match in _CLAUSE_RE.finditer(normalize_width(text))]


def baseline_statements(lines: list[str]) -> list[str]:
    """Clauses of last year's report; a bare "同比增长…" clause joins the one before it."""
    statements = []
    for line in lines:
        spans = clause_spans(line)
        for index, (start, end) in enumerate(spans):
            if index and normalize_width(line[start:end]).startswith(_STATEMENT_CONTINUATIONS):
                continue
            if index + 1 < len(spans):
                following = normalize_width(line[spans[index + 1][0] : spans[index + 1][1]])
                if following.startswith(_STATEMENT_CONTINUATIONS):
                    end = spans[index + 1][1]
            statements.append(line[start:end])
    return statements


def _name_ends(statement: str, name: str, longer: list[str]) -> list[int]:
    """Ends of name in statement, skipping places where it is part of a longer name."""
    norm = normalize_width(statement)
    ends = []
    for match in re.finditer(re.escape(name), norm):
        inside = any(
            norm[match.start() - k : match.start() - k + len(other)] == other
            for other in longer
            for k in [other.find(name)]
            if match.start() >= k
        )
        if not inside:
            ends.append(match.end())
    return ends


def find_baseline(
    name: str, statements: list[str], *, year: int, all_names: list[str]
) -> Baseline | None:
    """Baseline of indicator name from last year's statements; None if none gives a figure.

    The level comes from the first statement with a value; the growth from that statement
    or else the first one with a growth rate; text joins the statements used with "；".
    """
    hits = []  # (statement index, value, unit, growth)
    for alias in (name, *BASELINE_ALIASES.get(name, ())):
        longer = [other for other in all_names if alias in other and other != alias]
        for index, statement in enumerate(statements):
            for end in _name_ends(statement, alias, longer):
                value, unit, growth = parse_baseline_statement(statement, end)
                if value is not None or growth is not None:
                    hits.append((index, value, unit, growth))
    level = next((hit for hit in hits if hit[1] is not None), None)
    growths = [hit for hit in hits if hit[3] is not None]
    growth = level if level and level[3] is not None else (growths[0] if growths else None)
    if level is None and growth is None:
        return None
    used = sorted({hit[0] for hit in (level, growth) if hit is not None})
    return Baseline(
        year=year,
        value=level[1] if level else None,
        unit=level[2] if level else "",
        growth_pct=growth[3] if growth else None,
        text="；".join(statements[index] for index in used),
    )
