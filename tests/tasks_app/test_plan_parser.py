"""Tests of the pure-Python plan parser: the real Daxing 2025 plan and plan-shaped texts."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tasks_app.parsing.parser import (
    ParsedPlan,
    PlanParseError,
    derive_title,
    extract_key_results,
    parse_plan,
    split_sentences,
)
from tasks_app.parsing.quantities import parse_target

REPO = Path(__file__).resolve().parents[2]
PLAN_PATH = REPO / "seeds" / "daxing-2025" / "plan.txt"
D = Decimal


@pytest.fixture(scope="module")
def plan_text() -> str:
    return PLAN_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan(plan_text: str) -> ParsedPlan:
    return parse_plan(plan_text)


def all_tasks(parsed: ParsedPlan) -> list:
    return [t for c in parsed.chapters for m in c.measures for t in m.tasks]


# --- the real plan: structure -------------------------------------------------------


def test_real_plan_year_title_and_chapters(plan: ParsedPlan) -> None:
    assert plan.year == 2025
    assert plan.title == "2025年国民经济和社会发展计划"
    assert [c.number for c in plan.chapters] == [1, 2, 3, 4, 5, 6]
    assert plan.chapters[0].title == "进一步全面深化改革,更好把握高质量发展新机遇"
    assert plan.chapters[5].title == "进一步聚焦民生期盼,奋力绘就美好生活新图景"
    assert [c.line_no for c in plan.chapters] == [44, 48, 52, 57, 62, 66]


def test_real_plan_has_20_measures(plan: ParsedPlan) -> None:
    assert [[m.number for m in c.measures] for c in plan.chapters] == [
        [1, 2, 3], [1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3], [1, 2, 3],
    ]  # fmt: skip
    first = plan.chapters[0].measures[0]
    assert (first.title, first.line_no) == ("增强改革创新的责任感、紧迫感。", 45)
    assert plan.chapters[5].measures[2].title == "牢牢守住安全发展底线。"


def test_real_plan_keeps_every_sentence_verbatim(plan: ParsedPlan, plan_text: str) -> None:
    lines = plan_text.splitlines()
    for chapter in plan.chapters:
        for measure in chapter.measures:
            assert measure.title + "".join(t.text for t in measure.tasks) == measure.text
            assert lines[measure.line_no - 1] == f"{measure.number}.{measure.text}"
            assert measure.title.endswith("。")
            assert all(t.line_no == measure.line_no for t in measure.tasks)


def test_real_plan_task_count_is_sentences_after_titles(plan: ParsedPlan, plan_text: str) -> None:
    lines = plan_text.splitlines()
    part_three = next(i for i, line in enumerate(lines) if line.startswith("三、"))
    measure_lines = [line for line in lines[part_three:] if re.match(r"\d+\.", line)]
    expected = sum(line.count("。") - 1 for line in measure_lines)  # no ！？ in this plan
    assert len(measure_lines) == 20
    assert len(all_tasks(plan)) == expected == 81


def test_real_plan_codes_unique_and_well_formed(plan: ParsedPlan) -> None:
    tasks = all_tasks(plan)
    codes = [t.code for t in tasks]
    assert len(set(codes)) == len(codes)
    for task in tasks:
        expected = f"2025-3.{task.chapter_no}.{task.measure_no}-{task.sentence_no:02d}"
        assert task.code == expected
        assert re.fullmatch(r"2025-3\.[1-6]\.[1-4]-\d\d", task.code)
    for chapter in plan.chapters:
        for measure in chapter.measures:
            assert [t.sentence_no for t in measure.tasks] == list(range(1, len(measure.tasks) + 1))
    assert codes[0] == "2025-3.1.1-01"
    assert codes[-1] == "2025-3.6.3-05"


def test_real_plan_task_texts_and_titles(plan: ParsedPlan) -> None:
    by_code = {t.code: t for t in all_tasks(plan)}
    task = by_code["2025-3.4.2-03"]
    assert task.text == "强化农业科技支撑,建设1.9万亩高标准农田,有效提升粮食、蔬菜产量效益。"
    assert task.title == "强化农业科技支撑"
    assert by_code["2025-3.1.1-01"].title == "深刻领会新时代新征程进一步全面深化改革面临的复杂"
    assert by_code["2025-3.6.3-05"].text.endswith("有效提升安全应急保障能力。")


# --- the real plan: key results -------------------------------------------------------

# Every quantity a careful reader finds in part 三, task by task; all other tasks have none.
EXPECTED_KEY_RESULTS = {
    "2025-3.2.1-04": [(D("1500000000"), "元", "区政府投资资金")],
    "2025-3.2.2-03": [(D("3"), "项", "标准")],
    "2025-3.4.2-03": [(D("19000"), "亩", "高标准农田")],
    "2025-3.4.2-04": [(D("300000000"), "株", "育苗量")],
    "2025-3.4.4-03": [(D("2"), "个", "地块社会停车场")],
    "2025-3.5.2-01": [(D("5"), "个", "花园村庄")],
    "2025-3.6.1-01": [(D("2880"), "个", "学位")],
    "2025-3.6.1-04": [(D("3"), "家", "区域养老服务中心")],
}


def test_real_plan_key_results_table(plan: ParsedPlan) -> None:
    found = {
        t.code: [(k.value, k.unit, k.label) for k in t.key_results]
        for t in all_tasks(plan)
        if t.key_results
    }
    assert found == EXPECTED_KEY_RESULTS


def test_real_plan_key_result_values_are_plain_decimals(plan: ParsedPlan) -> None:
    results = [k for t in all_tasks(plan) for k in t.key_results]
    assert [str(k.value) for k in results] == [
        "1500000000", "3", "19000", "300000000", "2", "5", "2880", "3",
    ]  # fmt: skip
    assert [k.raw for k in results] == [
        "15亿元", "3项", "1.9万亩", "3亿株", "两个", "5个", "2880个", "3家",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "value", "unit", "label"),
    [
        ("建设1.9万亩高标准农田", D("19000"), "亩", "高标准农田"),
        ("新增学位2880个", D("2880"), "个", "学位"),
        ("力争育苗量突破3亿株", D("300000000"), "株", "育苗量"),
        ("科学精准安排15亿元区政府投资资金", D("1500000000"), "元", "区政府投资资金"),
        ("完成团河、雪花两个地块社会停车场建设", D("2"), "个", "地块社会停车场"),
        ("出台液氢加注规程等三项标准", D("3"), "项", "标准"),
        ("新增健身场地13万平方米", D("130000"), "平方米", "健身场地"),
        ("新建改造供水管线15公里", D("15"), "公里", "改造供水管线"),
        ("吸引游客超11万人次", D("110000"), "人次", "吸引游客"),
        ("纳入A类经营主体5800余家", D("5800"), "家", "纳入A类经营主体"),
        ("建设二十一个项目", D("21"), "个", "项目"),
        ("安排１５亿元资金", D("1500000000"), "元", "资金"),  # full-width digits
    ],
)
def test_key_result_examples(text: str, value: Decimal, unit: str, label: str) -> None:
    [result] = extract_key_results(text)
    assert (result.value, result.unit, result.label) == (value, unit, label)
    assert str(result.value) == str(value)  # normalised: 19000, not 1.9E+4 or 19000.0


def test_key_results_keep_order_and_raw_text() -> None:
    results = extract_key_results("新增超低能耗建筑8.1万平方米、公建绿色化改造超21万平方米")
    assert [(r.value, r.unit, r.raw) for r in results] == [
        (D("81000"), "平方米", "8.1万平方米"),
        (D("210000"), "平方米", "21万平方米"),
    ]
    assert [r.label for r in results] == ["超低能耗建筑", "公建绿色化改造"]


@pytest.mark.parametrize(
    "text",
    [
        "加快国道104等前期手续",
        "持续推进M9、M20、S6三轨四站规划建设",
        "配合京德高速、京港台高铁、R1线建设",
        "迭代更新“氢十条3.0”政策",
        "迭代更新氢十条3.0政策",
        "工业领域接续实施“3610”培育措施",
        "加强PM2.5与臭氧协同治理",
        "推动大东110千伏输变电工程开工",
        "医药园220千伏输变电工程完成立项",
        "启动第二轮土地承包到期后再延长30年试点",
        "完成老旧小区改造“十四五”任务目标",
        "十四五时期",
        "为“十五五”良好开局打牢基础",
        "十五五规划",
        "2025年是关键之年",
        "年度综合评价全市第三",
        "位居全市第一",
        "推动金苑路科创园等一批重点实验室落地",
        "一体推进坚持和巩固制度",
        "一体化管理",
        "构建一站式服务体系",
        "一刻钟社区服务圈",
        "推进一网通办",
        "紧扣五子联动",
        "深耕六个大兴",
        "持续抓好“六个大兴”建设",
        "坚持三落一提基本要求",
        "两区合作迈上新台阶",
        "3月15日前完成",
        "系统梳理1+N产业政策体系",
        "全面推行“一业一证”改革",
        "扩大一件事改革覆盖领域",
        "确保零就业家庭动态清零",
        "实施建筑绿色发展三年计划",
    ],
)
def test_lookalikes_are_not_key_results(text: str) -> None:
    assert extract_key_results(text) == []


# --- the real plan: indicators ----------------------------------------------------------

INDICATOR_NAMES = [
    "地区生产总值", "一般公共预算收入", "规上工业总产值", "社会消费品零售额", "固定资产投资",
    "细颗粒物浓度", "森林覆盖率", "常住人口规模", "生产生活用水总量", "单位地区生产总值能耗降幅",
    "单位地区生产总值二氧化碳排放降幅", "生活垃圾回收利用率", "每万人拥有高价值发明专利数",
    "高新技术企业数", "技术合同成交额", "实际利用外资规模", "城镇居民人均可支配收入",
    "农村居民人均可支配收入", "城镇登记失业率", "食品安全监测抽验合格率", "药品安全监测抽验合格率",
]  # fmt: skip

# name -> (comparator, value, unit, text, is_growth_rate)
EXPECTED_TARGETS = {
    "地区生产总值": (">=", D("5"), "%", "增长5%", True),
    "生活垃圾回收利用率": (">=", D("40"), "%", "达到40%", False),
    "城镇登记失业率": ("<=", D("5"), "%", "控制在5%以内", False),
    "食品安全监测抽验合格率": (">=", D("98.5"), "%", "达到98.5%以上", False),
    "药品安全监测抽验合格率": (">=", D("99"), "%", "达到99%以上", False),
    **{n: ("qualitative", None, "", "稳步增长", False) for n in INDICATOR_NAMES[1:5]},
    **{n: ("qualitative", None, "", "达到市级要求", False) for n in INDICATOR_NAMES[5:11]},
    "每万人拥有高价值发明专利数": ("qualitative", None, "", "进一步提升", False),
    **{n: ("qualitative", None, "", "达到市级要求", False) for n in INDICATOR_NAMES[13:16]},
    **{n: ("qualitative", None, "", "与经济增长基本同步", False) for n in INDICATOR_NAMES[16:18]},
}

# name -> (value, unit, growth_pct, text); indicators not listed have no baseline.
EXPECTED_BASELINES = {
    "地区生产总值": (D("1334.8"), "亿元", D("5.2"), "地区生产总值总量完成1334.8亿元,同比增长5.2%"),
    "一般公共预算收入": (
        D("110.4"), "亿元", D("5"), "一般公共预算收入增长5%；一般公共预算收入完成110.4亿元",
    ),
    "规上工业总产值": (None, "", D("1.3"), "规模以上工业总产值增长1.3%"),
    "社会消费品零售额": (D("687.4"), "亿元", None, "社会消费品零售额完成687.4亿元"),
    "固定资产投资": (D("835.9"), "亿元", None, "仍贡献了固定资产投资835.9亿元"),
    "细颗粒物浓度": (D("34"), "微克/立方米", None, "细颗粒物年均浓度34微克/立方米"),
    "生活垃圾回收利用率": (D("40"), "%", None, "生活垃圾回收利用率达40%"),
    "高新技术企业数": (D("1300"), "家", None, "“国高新”企业保有量突破1300家"),
    "技术合同成交额": (None, "", D("52.4"), "登记技术合同成交额增长52.4%"),
}  # fmt: skip


def test_real_plan_indicator_names_codes_and_groups(plan: ParsedPlan) -> None:
    indicators = plan.indicators
    assert [i.name for i in indicators] == INDICATOR_NAMES
    assert [i.code for i in indicators] == [f"2025-IND-{n:02d}" for n in range(1, 22)]
    assert [i.order for i in indicators] == list(range(1, 22))
    assert [i.group_no for i in indicators] == [1] * 5 + [2] * 7 + [3] * 4 + [4] * 5
    assert [i.group_title for i in indicators[::5]] == [
        "持续提升经济发展效益", "持续提升环境发展质量", "持续提升环境发展质量",
        "持续提升科技创新能力", "持续提升民生保障水平",
    ]  # fmt: skip


def test_real_plan_indicator_targets(plan: ParsedPlan) -> None:
    for indicator in plan.indicators:
        t = indicator.target
        actual = (t.comparator, t.value, t.unit, t.text, t.is_growth_rate)
        assert actual == EXPECTED_TARGETS[indicator.name], indicator.name


def test_real_plan_indicator_baselines(plan: ParsedPlan) -> None:
    for indicator in plan.indicators:
        b = indicator.baseline
        if indicator.name not in EXPECTED_BASELINES:
            assert b is None, indicator.name
            continue
        assert b is not None and b.year == 2024
        assert (b.value, b.unit, b.growth_pct, b.text) == EXPECTED_BASELINES[indicator.name]


def test_real_plan_declared_indicator_counts(plan: ParsedPlan) -> None:
    assert plan.declared_indicator_counts == {"total": 21, "expected": 12, "binding": 9}
    assert len(plan.indicators) == plan.declared_indicator_counts["total"]


@pytest.mark.parametrize(
    ("clause", "comparator", "value", "unit", "text", "growth"),
    [
        ("地区生产总值增长5%", ">=", D("5"), "%", "增长5%", True),
        ("生活垃圾回收利用率达到40%", ">=", D("40"), "%", "达到40%", False),
        ("城镇登记失业率控制在5%以内", "<=", D("5"), "%", "控制在5%以内", False),
        ("食品安全监测抽验合格率达到98.5%以上", ">=", D("98.5"), "%", "达到98.5%以上", False),
        ("地区生产总值增长5%左右", "~", D("5"), "%", "增长5%左右", True),
        ("能耗下降3%", ">=", D("3"), "%", "下降3%", True),
        ("地区生产总值增长５％", ">=", D("5"), "%", "增长５％", True),  # unit normalised
        ("森林覆盖率达到市级要求", "qualitative", None, "", "达到市级要求", False),
        ("固定资产投资实现稳步增长", "qualitative", None, "", "稳步增长", False),
        ("专利数进一步提升", "qualitative", None, "", "进一步提升", False),
        ("居民收入增长与经济增长基本同步", "qualitative", None, "", "与经济增长基本同步", False),
    ],
)
def test_parse_target(
    clause: str, comparator: str, value: Decimal | None, unit: str, text: str, growth: bool
) -> None:
    parsed = parse_target(clause)
    assert parsed is not None
    _, target = parsed
    actual = (target.comparator, target.value, target.unit, target.text, target.is_growth_rate)
    assert actual == (comparator, value, unit, text, growth)


@pytest.mark.parametrize("clause", ["精准合理开展经济运行调度", "坚持人民至上理念", "增长5%"])
def test_parse_target_ignores_clauses_without_indicator(clause: str) -> None:
    assert parse_target(clause) is None


# --- sentences and titles ---------------------------------------------------------------


def test_split_sentences_on_terminators_only() -> None:
    text = "甲,乙；丙。丁！戊？己!庚?辛"
    assert split_sentences(text) == ["甲,乙；丙。", "丁！", "戊？", "己!", "庚?", "辛"]


def test_split_sentences_keeps_closing_quotes_and_brackets() -> None:
    text = "他说“要抓落实。”随后（完成任务。）再“试点！”」后。"
    pieces = split_sentences(text)
    assert pieces == ["他说“要抓落实。”", "随后（完成任务。）", "再“试点！”」", "后。"]
    assert "".join(pieces) == text


def test_split_sentences_does_not_split_decimals() -> None:
    assert split_sentences("建设1.9万亩农田。迭代“氢十条3.0”。") == [
        "建设1.9万亩农田。",
        "迭代“氢十条3.0”。",
    ]


def test_split_sentences_empty() -> None:
    assert split_sentences("") == []


@pytest.mark.parametrize(
    ("sentence", "max_chars", "title"),
    [
        ("强化农业科技支撑,建设1.9万亩高标准农田。", 24, "强化农业科技支撑"),
        ("强化农业科技支撑，建设农田。", 24, "强化农业科技支撑"),
        ("加快3家区域养老服务中心建设。", 24, "加快3家区域养老服务中心建设"),
        ("推进甲；推进乙,推进丙。", 24, "推进甲"),
        ("一二三四五六七八九十。", 5, "一二三四五"),
        ("一二三四、五六七。", 5, "一二三四"),
    ],
)
def test_derive_title(sentence: str, max_chars: int, title: str) -> None:
    assert derive_title(sentence, max_chars=max_chars) == title


# --- plan-shaped texts --------------------------------------------------------------------

MINI_PLAN = """\
一、2024年国民经济和社会发展计划执行情况
地区生产总值完成100亿元,同比增长6%。
二、2025年国民经济和社会发展计划初步安排
(一)主要指标
安排3项指标,包括2项预期性指标及1项约束性指标:
1.提升经济效益。精准调度,地区生产总值增长5%左右,城镇登记失业率控制在4%以内。
2.改善生态环境。细颗粒物浓度达到市级要求。
三、2025年国民经济和社会发展计划
(一)深化改革
1.增强改革意识。完成3项改革任务。建设2个园区!
2.优化营商环境。推行一网通办？新增企业500家。
(二)改善民生
1.办好民生实事。新增学位2880个。
"""
MINI_CODES = ["2025-3.1.1-01", "2025-3.1.1-02", "2025-3.1.2-01", "2025-3.1.2-02", "2025-3.2.1-01"]


def summary(parsed: ParsedPlan) -> tuple:
    tasks = [
        (t.code, t.line_no, [(k.value, k.unit) for k in t.key_results]) for t in all_tasks(parsed)
    ]
    indicators = [
        (i.code, i.name, i.target.comparator, i.target.value, i.baseline and i.baseline.value)
        for i in parsed.indicators
    ]
    return parsed.year, tasks, indicators, parsed.declared_indicator_counts


def test_mini_plan() -> None:
    parsed = parse_plan(MINI_PLAN)
    assert [t.code for t in all_tasks(parsed)] == MINI_CODES
    assert [t.text for t in all_tasks(parsed)] == [
        "完成3项改革任务。", "建设2个园区!", "推行一网通办？", "新增企业500家。",
        "新增学位2880个。",
    ]  # fmt: skip
    assert [i.name for i in parsed.indicators] == ["地区生产总值", "城镇登记失业率", "细颗粒物浓度"]
    gdp = parsed.indicators[0]
    assert (gdp.target.comparator, gdp.target.value, gdp.target.text) == ("~", D("5"), "增长5%左右")
    assert gdp.baseline is not None
    assert (gdp.baseline.year, gdp.baseline.value, gdp.baseline.unit) == (2024, D("100"), "亿元")
    assert gdp.baseline.growth_pct == D("6")
    assert parsed.indicators[1].target.comparator == "<="
    assert parsed.indicators[2].baseline is None
    assert parsed.declared_indicator_counts == {"total": 3, "expected": 2, "binding": 1}


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_lone_cr_line_endings(newline: str) -> None:
    assert summary(parse_plan(MINI_PLAN.replace("\n", newline))) == summary(parse_plan(MINI_PLAN))


def test_mixed_line_endings_count_lines_like_lf() -> None:
    lines = MINI_PLAN.split("\n")
    mixed = "".join(line + ("\r\n", "\r", "\n")[i % 3] for i, line in enumerate(lines))
    assert summary(parse_plan(mixed)) == summary(parse_plan(MINI_PLAN))


def test_full_width_punctuation_bom_and_whitespace() -> None:
    full_width = (
        MINI_PLAN.replace("(一)", "（一）")
        .replace("(二)", "（ 二 ）")
        .replace("1.完成", "1．完成")
        .replace("2.优化", "2、优化")
        .replace("1.办好", "\u3000 1．办好")
        .replace(",", "，")
        .replace("5%左右", "5％左右")
        .replace("三、", "  三、")
        .replace("\n", " \u3000\n", 5)
    )
    text = "\ufeff\n\n" + full_width.replace("(一)深化改革", "（一）深化改革\n\n")
    parsed = parse_plan(text)
    expected = summary(parse_plan(MINI_PLAN))
    assert [t.code for t in all_tasks(parsed)] == MINI_CODES
    assert [(c, kr) for c, _, kr in summary(parsed)[1]] == [(c, kr) for c, _, kr in expected[1]]
    assert summary(parsed)[2:] == expected[2:]
    assert parsed.chapters[0].title == "深化改革"
    assert parsed.chapters[1].measures[0].text == "办好民生实事。新增学位2880个。"
    assert parsed.indicators[0].target.text == "增长5％左右"  # stored verbatim


def test_real_plan_with_crlf_and_bom_parses_the_same(plan: ParsedPlan, plan_text: str) -> None:
    again = parse_plan("\ufeff" + plan_text.replace("\n", "\r\n"))
    assert summary(again) == summary(plan)
    assert [t.text for t in all_tasks(again)] == [t.text for t in all_tasks(plan)]


def test_declared_counts_in_chinese_numerals() -> None:
    text = MINI_PLAN.replace(
        "安排3项指标,包括2项预期性指标及1项约束性指标",
        ("安排三项指标,包括两项预期性指标及一项约束性指标"),
    )
    assert parse_plan(text).declared_indicator_counts == {"total": 3, "expected": 2, "binding": 1}


def test_explicit_year_overrides_titles() -> None:
    assert parse_plan(MINI_PLAN, year=2030).chapters[0].measures[0].tasks[0].code == (
        "2030-3.1.1-01"
    )


def test_measures_directly_under_a_part() -> None:
    text = """北京市大兴区2026年国民经济和社会发展计划
一、2025年工作回顾
全年地区生产总值增长5%。
二、2026年国民经济和社会发展计划
1.稳定经济增长。新增企业500家。推动项目落地。
2.改善民生。新增学位100个。
"""
    parsed = parse_plan(text)
    assert parsed.year == 2026
    assert parsed.title == "北京市大兴区2026年国民经济和社会发展计划"
    assert [(c.number, c.title) for c in parsed.chapters] == [(0, "")]
    assert [t.code for t in all_tasks(parsed)] == [
        "2026-2.0.1-01",
        "2026-2.0.1-02",
        "2026-2.0.2-01",
    ]
    assert parsed.indicators == []
    assert parsed.declared_indicator_counts == {}


def test_four_levels_keep_sub_items_in_the_measure() -> None:
    text = """三、2025年国民经济和社会发展计划
(一)深化改革
1.推进重点改革
完成以下任务:
(1)完成3项改革。
（2）建设2个园区。
2.优化环境。新增企业500家。
"""
    parsed = parse_plan(text)
    first, second = parsed.chapters[0].measures
    assert first.title == "推进重点改革"
    assert first.text == "推进重点改革完成以下任务:(1)完成3项改革。（2）建设2个园区。"
    assert [(t.code, t.text, t.line_no) for t in first.tasks] == [
        ("2025-3.1.1-01", "完成以下任务:", 4),
        ("2025-3.1.1-02", "(1)完成3项改革。", 5),
        ("2025-3.1.1-03", "（2）建设2个园区。", 6),
    ]
    assert first.tasks[1].key_results[0].value == D("3")
    assert [t.code for t in second.tasks] == ["2025-3.1.2-01"]


def test_missing_part_two_gives_no_indicators() -> None:
    text = """一、2024年国民经济和社会发展计划执行情况
地区生产总值增长5.2%。
三、2025年国民经济和社会发展计划
(一)深化改革
1.增强改革意识。完成3项改革任务。
"""
    parsed = parse_plan(text)
    assert parsed.indicators == []
    assert [t.code for t in all_tasks(parsed)] == ["2025-3.1.1-01"]


def test_indicators_without_last_year_report_have_no_baseline() -> None:
    text = MINI_PLAN.split("二、", 1)[1]
    parsed = parse_plan("二、" + text)
    assert [i.baseline for i in parsed.indicators] == [None, None, None]


# --- errors ---------------------------------------------------------------------------------


def test_parse_error_shape() -> None:
    error = PlanParseError("duplicate measure 2. (expected 3.)", 7)
    assert isinstance(error, ValueError)
    assert (error.message, error.line_no) == ("duplicate measure 2. (expected 3.)", 7)
    assert str(error) == "line 7: duplicate measure 2. (expected 3.)"
    assert str(PlanParseError("empty plan text")) == "empty plan text"


PART_THREE = "三、2025年国民经济和社会发展计划\n"


@pytest.mark.parametrize(
    ("text", "line_no", "message"),
    [
        ("", None, "empty plan text"),
        ("\ufeff \n\r\n\u3000\n", None, "empty plan text"),
        ("仅有一段说明。\n", None, "no parts found"),
        (
            "一、2024年计划执行情况\n(一)回顾\n经济增长。\n二、2025年主要目标\n1.增长。经济增长5%。\n",
            None,
            "no task part",
        ),
        (PART_THREE + "(一)章节\n只有正文。\n", None, "no task part"),
        (
            PART_THREE + "(一)甲\n1.标题。句子。\n(三)丙\n1.标题。句子。\n",
            4,
            "chapter (三) out of order (expected (二))",
        ),
        (
            PART_THREE + "(一)甲\n1.标题。句子。\n(一)乙\n",
            4,
            "duplicate chapter (一) (expected (二))",
        ),
        (
            PART_THREE + "(一)甲\n1.标题。句子。\n3.标题。句子。\n",
            4,
            "measure 3. out of order (expected 2.)",
        ),
        (
            PART_THREE + "(一)甲\n1.标题。句子。\n2.标题。句子。\n2.标题。句子。\n",
            5,
            "duplicate measure 2. (expected 3.)",
        ),
        (
            PART_THREE + "1.标题。句子。\n2.没有句号的段落,也没有标题\n",
            3,
            "measure 2. has no title sentence",
        ),
        (PART_THREE + "1.\n", 2, "measure 1. has no title sentence"),
        (PART_THREE + "1.。句子。\n", 2, "measure 1. has no title sentence"),
        ("(一)甲\n" + PART_THREE, 1, "chapter before any part"),
        ("1.标题。句子。\n" + PART_THREE, 1, "numbered paragraph before any part"),
        (PART_THREE + "1.标题。句子。\n(一)甲\n", 3, "chapter after measures placed directly"),
        (PART_THREE + "二、2026年计划\n", 2, "out-of-order part 二、 (after 三、)"),
        (PART_THREE + "三、2026年计划\n", 2, "duplicate part 三、 (after 三、)"),
        ("三、国民经济和社会发展计划\n1.标题。句子。\n", 1, "cannot infer the plan year"),
        (PART_THREE + "1.标\x00题。句子。\n", 2, "binary content"),
    ],
)
def test_broken_input(text: str, line_no: int | None, message: str) -> None:
    with pytest.raises(PlanParseError) as caught:
        parse_plan(text)
    assert caught.value.line_no == line_no
    assert message in caught.value.message
    if line_no is not None:
        assert str(caught.value).startswith(f"line {line_no}: ")


@pytest.mark.parametrize("value", [b"\xe4\xb8\x80\xe3\x80\x81", None, 42])
def test_non_text_input(value: object) -> None:
    with pytest.raises(PlanParseError, match="plan text must be str") as caught:
        parse_plan(value)  # type: ignore[arg-type]
    assert caught.value.line_no is None


def test_error_line_numbers_follow_crlf_and_cr() -> None:
    text = PART_THREE + "(一)甲\n1.标题。句子。\n3.标题。句子。\n"
    for newline in ("\r\n", "\r"):
        with pytest.raises(PlanParseError) as caught:
            parse_plan(text.replace("\n", newline))
        assert caught.value.line_no == 4


def test_parser_does_not_import_django() -> None:
    code = "import sys, tasks_app.parsing.parser; print(any(m == 'django' for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
