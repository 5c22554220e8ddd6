"""Structure by evidence: numbering levels, the task part, titles at every level, refusals."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from tasks_app.parsing.parser import ParsedPlan, PlanParseError, parse_plan

REPO = Path(__file__).resolve().parents[2]
DAXING = (REPO / "seeds" / "daxing-2025" / "plan.txt").read_text(encoding="utf-8")
D = Decimal


def all_tasks(parsed: ParsedPlan) -> list:
    return [t for c in parsed.chapters for m in c.measures for t in m.tasks]


def warning_texts(parsed: ParsedPlan) -> list[str]:
    return [str(w) for w in parsed.warnings]


@pytest.fixture(scope="module")
def daxing() -> ParsedPlan:
    return parse_plan(DAXING)


def same_tasks(a: ParsedPlan, b: ParsedPlan) -> None:
    assert [(t.code, t.text) for t in all_tasks(a)] == [(t.code, t.text) for t in all_tasks(b)]
    assert [[(k.value, k.unit, k.label) for k in t.key_results] for t in all_tasks(a)] == [
        [(k.value, k.unit, k.label) for k in t.key_results] for t in all_tasks(b)
    ]
    assert [(i.name, i.target, i.baseline) for i in a.indicators] == [
        (i.name, i.target, i.baseline) for i in b.indicators
    ]


# --- the Daxing plan, edited -------------------------------------------------------------------


def test_daxing_warnings_name_the_chosen_part(daxing: ParsedPlan) -> None:
    assert "line 43: part 三、 chosen as the task part: its title says '计划' and names 2025" in (
        warning_texts(daxing)
    )


def test_daxing_with_task_part_retitled(daxing: ParsedPlan) -> None:
    text = DAXING.replace("三、2025年国民经济和社会发展计划", "三、2025年重点任务", 1)
    parsed = parse_plan(text)
    same_tasks(parsed, daxing)
    assert len(all_tasks(parsed)) == 81
    assert (
        "line 43: part 三、 chosen as the task part: its title says '重点任务' and names 2025"
        in (warning_texts(parsed))
    )


def test_daxing_with_bracketed_measures(daxing: ParsedPlan) -> None:
    lines = DAXING.splitlines()
    edited = [
        re.sub(r"^(\d+)\.", r"(\1)", line) if number >= 43 else line
        for number, line in enumerate(lines, start=1)
    ]
    parsed = parse_plan("\n".join(edited))
    same_tasks(parsed, daxing)
    assert [m.title for c in parsed.chapters for m in c.measures] == [
        m.title for c in daxing.chapters for m in c.measures
    ]


def test_daxing_with_full_width_bracketed_measures(daxing: ParsedPlan) -> None:
    lines = DAXING.splitlines()
    edited = [
        re.sub(r"^(\d+)\.", r"（\1）", line) if number >= 43 else line
        for number, line in enumerate(lines, start=1)
    ]
    same_tasks(parse_plan("\n".join(edited)), daxing)


# --- other plan shapes ------------------------------------------------------------------------

THEMES = """某市2025年重点工作任务分工方案
一、聚力创新赋能,打造科技创新高地
(一)加快创新平台建设。建成3家重点实验室。推动新型研发机构落地。
(二)培育创新主体。新增高新技术企业200家。
二、聚焦城市更新,提升宜居品质
(一)推进老旧小区改造。完成改造小区20个。新建充电桩3000根。
"""


def test_theme_titled_parts_with_bracketed_measures() -> None:
    parsed = parse_plan(THEMES)
    assert parsed.year == 2025
    assert parsed.title == "某市2025年重点工作任务分工方案"
    assert [(c.number, c.title) for c in parsed.chapters] == [
        (1, "聚力创新赋能,打造科技创新高地"),
        (2, "聚焦城市更新,提升宜居品质"),
    ]
    assert [m.title for c in parsed.chapters for m in c.measures] == [
        "加快创新平台建设。", "培育创新主体。", "推进老旧小区改造。",
    ]  # fmt: skip
    assert [(t.code, t.line_no, t.text) for t in all_tasks(parsed)] == [
        ("2025-0.1.1-01", 3, "建成3家重点实验室。"),
        ("2025-0.1.1-02", 3, "推动新型研发机构落地。"),
        ("2025-0.1.2-01", 4, "新增高新技术企业200家。"),
        ("2025-0.2.1-01", 6, "完成改造小区20个。"),
        ("2025-0.2.1-02", 6, "新建充电桩3000根。"),
    ]
    assert any(w.line_no == 2 and "read as themes" in w.message for w in parsed.warnings)


NO_PARTS = """某县2025年政府工作报告(摘要)
今年工作的总体要求是稳中求进。
重点工作任务:
(一)稳住经济大盘。新增城镇就业1.2万人以上。推动项目开工。
(二)改善民生。新建幼儿园3所。
"""


def test_no_parts_only_bracketed_items() -> None:
    parsed = parse_plan(NO_PARTS)
    assert (parsed.year, parsed.title) == (2025, "某县2025年政府工作报告(摘要)")
    assert [(c.number, c.title) for c in parsed.chapters] == [(0, "")]
    assert [(t.code, t.line_no) for t in all_tasks(parsed)] == [
        ("2025-0.0.1-01", 4),
        ("2025-0.0.1-02", 4),
        ("2025-0.0.2-01", 5),
    ]
    assert "line 4: no parts (一、…): the whole text holds the tasks" in warning_texts(parsed)


def test_no_parts_chapters_and_numbered_measures() -> None:
    text = (
        "2026年重点任务\n(一)稳增长\n1.扩大投资。新建道路12公里。\n2.促进消费。举办活动。\n"
        "(二)惠民生\n1.办好实事。新增学位100个。\n"
    )
    parsed = parse_plan(text)
    assert [(c.number, c.title) for c in parsed.chapters] == [(1, "稳增长"), (2, "惠民生")]
    assert [t.code for t in all_tasks(parsed)] == [
        "2026-0.1.1-01",
        "2026-0.1.2-01",
        "2026-0.2.1-01",
    ]


REVIEW_THEN_TASKS = """一、2024年国民经济和社会发展计划执行情况
1.经济增长由负转正。地区生产总值完成100亿元,同比增长5%。工业增加值同比下降1.1%。
2.改革持续深化。完成改革任务30项。
二、重点工作安排
(一)稳定增长
1.扩大有效投资。安排政府投资15亿元。推动项目开工。
"""


def test_numbered_review_part_is_not_the_task_part() -> None:
    parsed = parse_plan(REVIEW_THEN_TASKS)
    assert parsed.year == 2025  # not 2024: the review is of last year
    assert [t.code for t in all_tasks(parsed)] == ["2025-2.1.1-01", "2025-2.1.1-02"]
    warnings = warning_texts(parsed)
    assert "line 4: part 二、 chosen as the task part: its title says '安排'" in warnings
    assert (
        "line 1: part 一、 not read for tasks (review: its title says '执行情况'); "
        "its numbered items are not tasks"
    ) in warnings
    assert "line 4: plan year 2025 inferred: the year after the review of 2024" in warnings


def test_review_told_by_tense_when_titles_say_nothing() -> None:
    text = """一、经济运行情况
1.经济平稳运行。一年来,全区完成了各项任务,同比增长5%。圆满完成年度目标。
二、加快产业发展
1.培育新动能。将推动产业升级。力争新增企业50家。
"""
    parsed = parse_plan(text, year=2025)
    assert [t.text for t in all_tasks(parsed)] == ["将推动产业升级。", "力争新增企业50家。"]
    assert any("reads as past" in w.message and w.line_no == 1 for w in parsed.warnings)


def test_review_told_by_an_earlier_year() -> None:
    text = (
        "一、2024年主要工作\n1.稳住增长。完成投资10亿元。\n"
        "二、2025年主要工作\n1.扩大投资。新建道路12公里。\n"
    )
    parsed = parse_plan(text)
    assert [t.code for t in all_tasks(parsed)] == ["2025-2.0.1-01"]
    assert any("names 2024, before 2025" in w.message for w in parsed.warnings)


def test_sub_items_with_more_sentences_start_with_a_title() -> None:
    text = """三、2025年国民经济和社会发展计划
(一)深化改革
1.推进重点改革。统筹推进各项改革。
(1)深化国资国企改革。完成3家企业重组。推进混改。
(2)深化财税改革。
"""
    parsed = parse_plan(text)
    assert [(t.line_no, t.text) for t in all_tasks(parsed)] == [
        (3, "统筹推进各项改革。"),
        (4, "完成3家企业重组。"),  # "(1)深化国资国企改革。" is a title, not a task
        (4, "推进混改。"),
        (5, "(2)深化财税改革。"),  # a one-sentence item is a task
    ]
    assert "line 4: '(1)深化国资国企改革。' read as a sub-item title, not a task" in (
        warning_texts(parsed)
    )
    measure = parsed.chapters[0].measures[0]
    assert measure.text == (
        "推进重点改革。统筹推进各项改革。(1)深化国资国企改革。完成3家企业重组。推进混改。(2)深化财税改革。"
    )


def test_circled_sub_items_stay_in_the_measure() -> None:
    text = "三、2025年计划\n1.建设新城。推进三个项目:\n①新建道路12公里。\n②新建学校2所。\n"
    parsed = parse_plan(text)
    assert [t.text for t in all_tasks(parsed)] == [
        "推进三个项目:",
        "①新建道路12公里。",
        "②新建学校2所。",
    ]


def test_chapter_titles_are_titles_not_tasks() -> None:
    text = "二、2025年重点任务\n(一)坚持创新驱动。\n1.建设平台。新建平台3个。\n"
    parsed = parse_plan(text)
    assert parsed.chapters[0].title == "坚持创新驱动"
    assert [t.text for t in all_tasks(parsed)] == ["新建平台3个。"]


# --- refusals name the line, what was expected and what was found ------------------------------


def test_no_task_part_lists_what_was_found() -> None:
    text = (
        "一、2024年计划执行情况\n(一)回顾\n经济增长。\n二、2025年主要目标\n1.增长。经济增长5%。\n"
    )
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    message = caught.value.message
    assert message.startswith("no task part: expected a part naming the coming year's work")
    assert "line 1 一、2024年计划执行情况 (review: its title says '执行情况')" in message
    assert "line 4 二、2025年主要目标 (goals: its title says '主要目标')" in message


@pytest.mark.parametrize(
    ("text", "line_no", "message"),
    [
        (
            "三、2025年计划\n(一)甲\n(1)标题。句子。\n(3)标题。句子。\n",
            4,
            "item (3) out of order (expected (2))",
        ),
        (
            "三、2025年计划\n(一)甲。句子。\n(一)乙。句子。\n",
            3,
            "duplicate chapter (一) (expected (二))",
        ),
        ("(1)标题。句子。\n三、2025年计划\n", 1, "numbered item (1) before any part"),
        (
            "2025年任务\n(一)甲。句子。\n(三)丙。句子。\n",
            3,
            "chapter (三) out of order (expected (二))",
        ),
        ("三、2025年计划\n1.标题\n", 2, "measure 1. has no title sentence"),
        ("2025年任务\n1.标题。\n2.标题。\n", 2, "holds measures but no tasks"),
    ],
)
def test_refusals_name_the_line(text: str, line_no: int | None, message: str) -> None:
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    assert caught.value.line_no == line_no
    assert message in caught.value.message


def test_refusal_line_numbers_are_original_lines_after_dewrapping() -> None:
    body = "推进各项改革任务落实落细,持续优化营商环境,全面提升政务服务效能,"
    text = (
        "三、2025年国民经济和社会发展计划\n(一)深化改革\n1.推进改革。"
        + "\n".join(body[i : i + 12] for i in range(0, len(body), 12))
        + "。\n3.标题。句子。\n"
    )
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    assert caught.value.line_no == len(text.splitlines())
    assert "measure 3. out of order (expected 2.)" in caught.value.message


def test_a_title_too_long_to_store_is_refused_by_line() -> None:
    text = "三、2025年计划\n(一)甲\n1." + "推进改革" * 60 + "。落实。\n"
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    assert caught.value.line_no == 3
    assert "measure title has 241 characters (expected at most 200)" in caught.value.message


WORK_REPORT = """政府工作报告
——2025年1月10日在某区人民代表大会上
一、2024年工作回顾
(一)经济运行稳中向好。地区生产总值增长5.2%。进出口总额同比下降4.1%。
二、2025年经济社会发展总体要求和主要预期目标
今年的主要预期目标是:地区生产总值增长5%左右;进出口总额增长百分之二左右。
三、2025年政府工作任务
(一)推动高质量发展。新建充电桩3000根。推动产业集群发展。
(二)保障和改善民生。新增城镇就业1.2万人以上。加强四个中心功能建设。
补充说明各项民生实事。
各位代表,做好今年工作责任重大。让我们团结一心,奋发有为!
"""


def test_work_report_shape() -> None:
    parsed = parse_plan(WORK_REPORT)
    assert (parsed.year, parsed.title) == (2025, "政府工作报告")
    assert [(t.code, t.text) for t in all_tasks(parsed)] == [
        ("2025-3.0.1-01", "新建充电桩3000根。"),
        ("2025-3.0.1-02", "推动产业集群发展。"),
        ("2025-3.0.2-01", "新增城镇就业1.2万人以上。"),
        ("2025-3.0.2-02", "加强四个中心功能建设。"),
        ("2025-3.0.2-03", "补充说明各项民生实事。"),
    ]
    assert [k.label for t in all_tasks(parsed) for k in t.key_results] == ["充电桩", "城镇就业"]
    assert [(i.name, i.baseline.growth_pct) for i in parsed.indicators] == [
        ("地区生产总值", D("5.2")),
        ("进出口总额", D("-4.1")),
    ]
    warnings = warning_texts(parsed)
    assert "line 11: lines 11 read as closing remarks, not tasks" in warnings
    assert "line 10: unnumbered lines 10 read as part of chapter (二) (line 9)" in warnings
    assert any(w.startswith("line 3: part 一、 not read for tasks (review: ") for w in warnings)


def test_unnumbered_heading_lines_are_titles_not_tasks() -> None:
    text = (
        "三、2025年国民经济和社会发展计划\n(一)产业\n1.发展产业。推动升级。\n"
        "加快建设现代化产业体系\n新建充电桩3000根。\n"
    )
    parsed = parse_plan(text)
    assert [(t.line_no, t.text) for t in all_tasks(parsed)] == [
        (3, "推动升级。"),
        (5, "新建充电桩3000根。"),
    ]
    assert "line 4: lines 4 read as headings, not tasks" in warning_texts(parsed)


def test_a_number_too_large_to_store_is_refused_by_line() -> None:
    text = "三、2025年计划\n(一)甲\n1.投资。安排资金" + "9" * 13 + "亿元。\n"
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    assert caught.value.line_no == 3
    assert "too large to store" in caught.value.message
