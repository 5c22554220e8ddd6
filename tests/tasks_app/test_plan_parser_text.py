"""Text as copied out of a PDF or a web page: hard wraps, page numbers, headers, stray spaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks_app.parsing.parser import ParsedPlan, parse_plan
from tasks_app.parsing.text import display_width, read_plan_text

REPO = Path(__file__).resolve().parents[2]
DAXING = (REPO / "seeds" / "daxing-2025" / "plan.txt").read_text(encoding="utf-8")
HEADER = "北京市大兴区发展和改革委员会"
LINES_PER_PAGE = 40


def hard_wrap(text: str, width: int, *, footer: str = "— {} —") -> str:
    """The text as a PDF shows it: lines cut at `width` characters, pages of 40 lines with a
    running header and a page number."""
    lines = [line[i : i + width] for line in text.splitlines() for i in range(0, len(line), width)]
    pages = []
    for page, start in enumerate(range(0, len(lines), LINES_PER_PAGE), start=1):
        pages += [HEADER, *lines[start : start + LINES_PER_PAGE], footer.format(page)]
    return "\n".join(pages) + "\n"


def all_tasks(parsed: ParsedPlan) -> list:
    return [t for c in parsed.chapters for m in c.measures for t in m.tasks]


def summary(parsed: ParsedPlan) -> tuple:
    return (
        parsed.year,
        [
            (t.code, t.text, [(k.value, k.unit, k.label) for k in t.key_results])
            for t in all_tasks(parsed)
        ],
        [(i.code, i.name, i.group_no, i.target, i.baseline) for i in parsed.indicators],
        parsed.declared_indicator_counts,
    )


@pytest.fixture(scope="module")
def clean() -> ParsedPlan:
    return parse_plan(DAXING)


@pytest.mark.parametrize(
    ("width", "footer"), [(30, "— {} —"), (33, "第{}页"), (35, "- {} -"), (37, "{}"), (40, "{}/12")]
)
def test_hard_wrapped_daxing_parses_like_the_clean_text(
    clean: ParsedPlan, width: int, footer: str
) -> None:
    wrapped = hard_wrap(DAXING, width, footer=footer)
    assert len(wrapped.splitlines()) > 5 * len(DAXING.splitlines())
    parsed = parse_plan(wrapped)
    assert summary(parsed) == summary(clean)
    assert len(all_tasks(parsed)) == 81
    assert len(parsed.indicators) == 21
    assert sum(len(t.key_results) for t in all_tasks(parsed)) == 8
    messages = [w.message for w in parsed.warnings]
    assert any(m.startswith("dropped page numbers on lines") for m in messages)
    assert any(m.startswith("dropped a running header/footer") for m in messages)
    assert any(m.startswith("joined ") for m in messages)


def test_wrapped_tasks_keep_their_original_line_numbers() -> None:
    wrapped = hard_wrap(DAXING, 35)
    lines = wrapped.splitlines()
    parsed = parse_plan(wrapped)
    for task in all_tasks(parsed):
        following = "".join(
            line for line in lines[task.line_no - 1 : task.line_no + 4] if line != HEADER
        )
        assert task.text[:6] in following, (task.code, task.line_no)
        assert task.text[:6] not in lines[task.line_no - 2], (task.code, task.line_no)
    first = parsed.chapters[0].measures[0]
    assert lines[first.line_no - 1].startswith("1.增强改革创新的责任感")


def test_wrapped_measure_text_is_the_clean_text(clean: ParsedPlan) -> None:
    parsed = parse_plan(hard_wrap(DAXING, 32))
    assert [m.text for c in parsed.chapters for m in c.measures] == [
        m.text for c in clean.chapters for m in c.measures
    ]


def test_clean_text_is_left_alone() -> None:
    cleaned = read_plan_text(DAXING)
    assert [line.text for line in cleaned.lines] == DAXING.splitlines()
    assert [line.line_no for line in cleaned.lines] == list(range(1, len(DAXING.splitlines()) + 1))
    assert cleaned.warnings == []
    assert cleaned.table_rows == []


def test_line_map_after_joining() -> None:
    cleaned = read_plan_text("1.推进改革,\n完善制度,\n落实责任。\n")
    [line] = cleaned.lines
    assert line.text == "1.推进改革,完善制度,落实责任。"
    assert [line.line_at(i) for i in (0, 6, 7, 11, 12)] == [1, 1, 2, 2, 3]


def test_heading_lines_are_not_joined_to_their_body() -> None:
    text = "三、2025年计划\n(一)深化改革\n1.推进改革。落实责任。\n"
    assert [line.text for line in read_plan_text(text).lines] == text.splitlines()


def test_a_line_looking_like_a_heading_continues_a_cut_sentence() -> None:
    text = (
        "三、2025年国民经济和社会发展计划\n(一)产业\n1.融合发展。推动一、\n二、三产业融合发展。\n"
    )
    parsed = parse_plan(text)
    assert [t.text for t in all_tasks(parsed)] == ["推动一、二、三产业融合发展。"]
    assert any(w.line_no == 4 and "continues the line before" in w.message for w in parsed.warnings)


def test_stray_spaces_between_chinese_characters() -> None:
    text = "三、2025年 计划\n1.推 进 改 革。新 建 道 路 12 公里。推进 M9 线。\n"
    parsed = parse_plan(text)
    assert [t.text for t in all_tasks(parsed)] == ["新建道路 12 公里。", "推进 M9 线。"]
    assert any(
        "removed spaces between Chinese characters on lines 1-2" in str(w) for w in parsed.warnings
    )


def test_table_rows_and_appendix_are_set_aside() -> None:
    text = (
        "三、2025年国民经济和社会发展计划\n1.推进改革。落实责任。\n"
        "附件:2025年主要指标表\n序号 指标名称 单位 2024年完成 2025年目标 属性\n"
        "1 地区生产总值增速 % 5.2 5 预期性\n说明:本表数据为初步数。\n"
    )
    cleaned = read_plan_text(text)
    assert [line.line_no for line in cleaned.lines] == [1, 2]
    assert [row.line_no for row in cleaned.table_rows] == [4, 5]
    parsed = parse_plan(text)
    assert [t.text for t in all_tasks(parsed)] == ["落实责任。"]
    assert "line 3: appendix (附件/附表): the lines after it hold no tasks" in [
        str(w) for w in parsed.warnings
    ]


def test_letter_spaced_text_parses_like_the_clean_text(clean: ParsedPlan) -> None:
    lines = DAXING.splitlines()
    spaced = "\n".join(
        " ".join(line) if number > 42 else line for number, line in enumerate(lines, 1)
    )
    parsed = parse_plan(spaced)
    assert summary(parsed) == summary(clean)
    assert any("removed spaces between Chinese characters" in w.message for w in parsed.warnings)


def wrap_by_display_width(text: str, columns: int) -> str:
    """As a PDF wraps: by width on the page, so lines with digits and Latin hold more."""
    out = []
    for line in text.splitlines():
        current = ""
        for char in line:
            if display_width(current + char) > columns:
                out.append(current)
                current = ""
            current += char
        out.append(current)
    return "\n".join(out)


@pytest.mark.parametrize("columns", [56, 67, 78])
def test_wrapped_by_page_width_parses_like_the_clean_text(clean: ParsedPlan, columns: int) -> None:
    assert summary(parse_plan(wrap_by_display_width(DAXING, columns))) == summary(clean)
