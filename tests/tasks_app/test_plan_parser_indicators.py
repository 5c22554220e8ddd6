"""Indicators wherever a plan states them: chapter, paragraph, table; 分别; comparators."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tasks_app.parsing.parser import ParsedPlan, parse_plan
from tasks_app.parsing.quantities import parse_baseline_statement, parse_target

D = Decimal
TASKS = "三、2025年国民经济和社会发展计划\n(一)深化改革\n1.推进改革。落实责任。\n"

CHAPTER = """一、2024年国民经济和社会发展计划执行情况
地区生产总值完成800亿元,同比增长5.5%。工业增加值同比下降1.1%。进出口总额下降13.3%。
二、2025年经济社会发展的总体要求和主要目标
(一)总体要求
坚持稳中求进。
(二)主要预期目标
地区生产总值增长5%左右;工业增加值增长6%;城乡居民人均可支配收入分别增长7%、8%;粮食产量保持在180万吨以上;城镇调查失业率控制在5.5%左右;研发投入强度不低于6%;进出口总额增长百分之六左右。
"""

PARAGRAPH = """一、2024年工作回顾
地区生产总值增长5.5%。
二、2025年工作总体要求
今年经济社会发展的主要预期目标是:地区生产总值增长5%左右,城镇新增就业1.2万人以上,城镇调查失业率5.5%左右。
三、2025年重点任务
(一)深化改革
1.推进改革。落实责任。
"""

TABLE = (
    TASKS
    + """附表
序号 指标 单位 2024年完成 2025年目标 属性
1 地区生产总值增速 % 5.2 5 预期性
2 一般公共预算收入 亿元 110.4 ≥115 预期性
3 城镇调查失业率 % 4.2 <5 约束性
4 细颗粒物年均浓度 微克/立方米 34 32左右 约束性
5 森林覆盖率 % 32 稳步提升 约束性
"""
)


def rows(parsed: ParsedPlan) -> list[tuple]:
    return [
        (i.name, i.target.comparator, i.target.value, i.target.unit, i.target.is_growth_rate)
        for i in parsed.indicators
    ]


def messages(parsed: ParsedPlan) -> list[str]:
    return [str(w) for w in parsed.warnings]


def test_indicators_in_a_chapter_titled_main_expected_targets() -> None:
    parsed = parse_plan(CHAPTER + TASKS)
    assert rows(parsed) == [
        ("地区生产总值", "~", D("5"), "%", True),
        ("工业增加值", ">=", D("6"), "%", True),
        ("城镇居民人均可支配收入", ">=", D("7"), "%", True),
        ("农村居民人均可支配收入", ">=", D("8"), "%", True),
        ("粮食产量", ">=", D("180"), "万吨", False),
        ("城镇调查失业率", "~", D("5.5"), "%", False),
        ("研发投入强度", ">=", D("6"), "%", False),
        ("进出口总额", "~", D("6"), "%", True),
    ]
    assert [i.code for i in parsed.indicators][:2] == ["2025-IND-01", "2025-IND-02"]
    assert {i.line_no for i in parsed.indicators} == {7}
    assert {i.group_title for i in parsed.indicators} == {"主要预期目标"}


def test_respectively_is_split_and_warned() -> None:
    parsed = parse_plan(CHAPTER + TASKS)
    assert (
        "line 7: '城乡居民人均可支配收入分别增长7%、8%' split into 2 indicators: "
        "城镇居民人均可支配收入, 农村居民人均可支配收入"
    ) in messages(parsed)


def test_respectively_with_listed_names() -> None:
    text = CHAPTER.replace(
        "城乡居民人均可支配收入分别增长7%、8%", "工业投资和服务业投资分别增长10%、6.5%"
    )
    names = [(n, v) for n, _, v, *_ in rows(parse_plan(text + TASKS))]
    assert ("工业投资", D("10")) in names and ("服务业投资", D("6.5")) in names


def test_respectively_with_unequal_counts_is_a_warning_not_a_guess() -> None:
    text = CHAPTER.replace("城乡居民人均可支配收入分别增长7%、8%", "甲、乙、丙分别增长7%、8%")
    parsed = parse_plan(text + TASKS)
    assert "甲" not in [i.name for i in parsed.indicators]
    assert any("3 names and 2 values after 分别" in m for m in messages(parsed))


def test_falls_are_negative_growth_in_baselines() -> None:
    by_name = {i.name: i.baseline for i in parse_plan(CHAPTER + TASKS).indicators}
    assert by_name["地区生产总值"].value == D("800")
    assert by_name["地区生产总值"].growth_pct == D("5.5")
    assert by_name["工业增加值"].growth_pct == D("-1.1")
    assert by_name["进出口总额"].growth_pct == D("-13.3")


def test_inferred_comparators_are_warnings() -> None:
    parsed = parse_plan(CHAPTER + TASKS)
    inferred = [m for m in messages(parsed) if "inferred from" in m]
    assert inferred == [
        "line 7: 工业增加值: comparator '>=' inferred from '增长6%' "
        "(no 以上/以内/左右/不低于/不超过)",
        "line 7: 城镇居民人均可支配收入: comparator '>=' inferred from '增长7%' "
        "(no 以上/以内/左右/不低于/不超过)",
        "line 7: 农村居民人均可支配收入: comparator '>=' inferred from '增长8%' "
        "(no 以上/以内/左右/不低于/不超过)",
    ]


def test_indicators_in_a_paragraph() -> None:
    parsed = parse_plan(PARAGRAPH)
    assert rows(parsed) == [
        ("地区生产总值", "~", D("5"), "%", True),
        ("城镇新增就业", ">=", D("1.2"), "万人", False),
        ("城镇调查失业率", "~", D("5.5"), "%", False),
    ]
    assert parsed.indicators[0].baseline.growth_pct == D("5.5")
    assert "line 4: indicators read from the paragraph '今年经济社会发展的主要预期目标是:…'" in (
        messages(parsed)
    )


def test_indicators_in_a_flattened_table() -> None:
    parsed = parse_plan(TABLE)
    assert rows(parsed) == [
        ("地区生产总值增速", ">=", D("5"), "%", True),
        ("一般公共预算收入", ">=", D("115"), "亿元", False),
        ("城镇调查失业率", "<=", D("5"), "%", False),
        ("细颗粒物年均浓度", "~", D("32"), "微克/立方米", False),
        ("森林覆盖率", "qualitative", None, "", False),
    ]
    assert [i.category for i in parsed.indicators] == ["expected"] * 2 + ["binding"] * 3
    assert [i.line_no for i in parsed.indicators] == [6, 7, 8, 9, 10]
    gdp, revenue = parsed.indicators[:2]
    assert (gdp.baseline.value, gdp.baseline.growth_pct) == (None, D("5.2"))
    assert (revenue.baseline.value, revenue.baseline.unit) == (D("110.4"), "亿元")
    assert "line 6: 地区生产总值增速: comparator '>=' inferred for '5'" in messages(parsed)


def test_a_table_beside_stated_indicators_is_not_used() -> None:
    parsed = parse_plan(CHAPTER + TABLE)
    assert parsed.indicators[0].name == "地区生产总值"
    assert any("indicator table not used" in m for m in messages(parsed))


def test_no_indicators_is_a_warning() -> None:
    parsed = parse_plan(TASKS)
    assert parsed.indicators == []
    assert any(m.startswith("no indicators found") for m in messages(parsed))


@pytest.mark.parametrize(
    ("clause", "comparator", "value", "unit"),
    [
        ("工业增加值增长6%以上", ">=", D("6"), "%"),
        ("研发投入强度不低于6%", ">=", D("6"), "%"),
        ("城镇调查失业率控制在5.5%以内", "<=", D("5.5"), "%"),
        ("能耗增量不超过30万吨", "<=", D("30"), "万吨"),
        ("地区生产总值增长5%左右", "~", D("5"), "%"),
        ("物价涨幅控制在3%左右", "~", D("3"), "%"),
        ("城镇调查失业率控制在5.5%", "<=", D("5.5"), "%"),
        ("粮食产量保持在180万吨以上", ">=", D("180"), "万吨"),
        ("耕地保有量保持在20万亩", "=", D("20"), "万亩"),
        ("经济增长百分之六左右", "~", D("6"), "%"),
        ("居民收入增长百分之六点五", ">=", D("6.5"), "%"),
        ("PM2.5浓度低于30微克/立方米", "<=", D("30"), "微克/立方米"),
    ],
)
def test_every_comparator(clause: str, comparator: str, value: Decimal, unit: str) -> None:
    parsed = parse_target(clause)
    assert parsed is not None
    target = parsed[1]
    assert (target.comparator, target.value, target.unit) == (comparator, value, unit)


@pytest.mark.parametrize(
    ("statement", "value", "growth"),
    [
        ("地区生产总值完成800亿元,同比增长5.5%", D("800"), D("5.5")),
        ("工业增加值同比下降1.1%", None, D("-1.1")),
        ("进出口总额下降13.3%", None, D("-13.3")),
        ("社会消费品零售额比上年降低2%", None, D("-2")),
    ],
)
def test_baseline_falls(statement: str, value: Decimal | None, growth: Decimal) -> None:
    name_end = statement.index("值") + 1 if "值" in statement[:6] else 5
    if statement.startswith("社会消费品零售额"):
        name_end = len("社会消费品零售额")
    found_value, _, found_growth = parse_baseline_statement(statement, name_end)
    assert (found_value, found_growth) == (value, growth)
