"""Key results: more units, 百分之N and Chinese numerals, labels that name things, slogans."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tasks_app.parsing.quantities import SLOGANS_PATH, extract_key_results

D = Decimal


@pytest.mark.parametrize(
    ("text", "value", "unit", "label"),
    [
        ("完成生态修复53平方公里", D("53"), "平方公里", "生态修复"),
        ("新建充电桩3000根", D("3000"), "根", "充电桩"),
        ("建设过街天桥3座", D("3"), "座", "过街天桥"),
        ("新建道路12公里", D("12"), "公里", "道路"),
        ("新增光伏装机10万千瓦", D("100000"), "千瓦", "光伏装机"),
        ("粮食产量保持在180万吨以上", D("1800000"), "吨", "粮食产量"),
        ("接待游客500万人次", D("5000000"), "人次", "接待游客"),
        ("新增储能5兆瓦", D("5"), "兆瓦", "储能"),
        ("节约用电200万千瓦时", D("2000000"), "千瓦时", "节约用电"),
        ("新增公交车辆100辆", D("100"), "辆", "公交车辆"),
        ("新增无人机20架", D("20"), "架", "无人机"),
        ("新建游船5艘", D("5"), "艘", "游船"),
        ("新增城镇就业1.2万人以上", D("12000"), "人", "城镇就业"),
        ("新增绿地1000亩左右", D("1000"), "亩", "绿地"),
        ("新建学校三所", D("3"), "所", "学校"),
        ("建成二十个示范村", D("20"), "个", "示范村"),
        ("研发投入增长百分之六左右", D("6"), "%", "研发投入"),
        ("研发投入增长百分之六点五", D("6.5"), "%", "研发投入"),
        ("研发投入增长百分之12", D("12"), "%", "研发投入"),
    ],
)
def test_units_numerals_and_labels(text: str, value: Decimal, unit: str, label: str) -> None:
    [result] = extract_key_results(text)
    assert (result.value, result.unit, result.label) == (value, unit, label)


@pytest.mark.parametrize(
    "text",
    [
        "加强四个中心功能建设",
        "深刻领悟两个确立的决定性意义",
        "坚决做到两个维护",
        "增强四个意识、坚定四个自信",
        "协调推进四个全面战略布局",
        "统筹推进五位一体总体布局",
        "深入开展三个年活动",
        "坚持两个毫不动摇",
        "打好三大攻坚战",
        "做好六稳六保工作",
        "争取两新两重支持",
        "推进“四个一批”项目",
    ],
)
def test_slogans_are_not_quantities(text: str) -> None:
    assert extract_key_results(text) == []


def test_slogans_do_not_hide_real_counts_next_to_them() -> None:
    results = extract_key_results("围绕四个中心功能建设,新建两个社区服务中心,建成3个园区")
    assert [(r.value, r.unit, r.label) for r in results] == [
        (D("2"), "个", "社区服务中心"),
        (D("3"), "个", "园区"),
    ]


def test_slogan_list_is_data() -> None:
    lines = SLOGANS_PATH.read_text(encoding="utf-8").splitlines()
    assert "四个中心" in lines and "两个确立" in lines
    assert any(line.startswith("re:") for line in lines)


@pytest.mark.parametrize("text", ["推动一根本转变", "加强三架构建设", "根本解决问题"])
def test_unit_words_are_not_units(text: str) -> None:
    assert extract_key_results(text) == []
