"""Department suggestions for a new plan: reasons, explicit names, honest measurement."""

from __future__ import annotations

import dataclasses
import io
import json
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from tasks_app.parsing.parser import parse_plan
from tasks_app.plans.enrichment import load_enrichment
from tasks_app.plans.suggestions import (
    Assignment,
    SuggestionModel,
    Weights,
    suggest_co_departments,
    suggest_departments,
)
from tasks_app.plans.suggestions_data import (
    assignments_from_files,
    department_infos,
    load_keyword_table,
    suggest_for_plan,
    suggestion_inputs_from_db,
)
from tasks_app.plans.suggestions_eval import evaluate_leave_one_measure_out
from tests.conftest import SEED_DIR

DEPARTMENTS = department_infos(
    [
        ("jw", "区教委", "bureau"),
        ("swuj", "区水务局", "bureau"),
        ("wjw", "区卫生健康委", "bureau"),
        ("zjw", "区住房和城乡建设委", "bureau"),
        ("dxkfq", "北京大兴经济开发区管委会", "committee"),
        ("jkq", "北京经济技术开发区管委会", "committee"),
        ("town_wsz", "魏善庄镇", "town"),
    ]
)
HISTORY = [
    Assignment("推进永兴河河道治理工程,加强河道巡查。", "水环境治理。", "生态", "swuj", ("zjw",)),
    Assignment("完成新城排水管网建设,提升污水处理能力。", "水环境治理。", "生态", "swuj", ("zjw",)),
    Assignment("建设5所中小学、幼儿园,新增学位。", "公共服务。", "民生", "jw", ("zjw",)),
]
HISTORY_ONLY = Weights(mention=0.0, keyword=0.0, prior=0.0)


def _leads(sentence: str, **kwargs) -> list:
    return suggest_departments(
        sentence=sentence,
        measure_title=kwargs.pop("measure_title", ""),
        chapter_title=kwargs.pop("chapter_title", ""),
        departments=kwargs.pop("departments", DEPARTMENTS),
        history=kwargs.pop("history", HISTORY),
        **kwargs,
    )


def test_reasons_name_the_matched_keywords() -> None:
    best = _leads("不断丰富教育资源,完成枣园小学建设,新增学位2880个。")[0]
    assert best.code == "jw" and best.name == "区教委"
    keyword_reason = next(r for r in best.reasons if r.startswith("职能关键词"))
    assert {"教育", "小学", "学位"} <= set(keyword_reason.split("：")[1].split("、"))


def test_reasons_name_the_similar_assigned_task_and_the_shared_words() -> None:
    model = SuggestionModel(departments=DEPARTMENTS, history=HISTORY, weights=HISTORY_ONLY)
    best = model.leads(sentence="全力推进南沟河道治理。", measure_title="", chapter_title="")[0]
    assert best.code == "swuj"
    assert best.reasons[0].startswith("与已分配任务“推进永兴河河道治理工程,加")
    shared = re.search(r"用词相近（(.+)）", best.reasons[0]).group(1).split("、")
    assert shared[0] == "河道治理"  # shared bigrams 河道 道治 治理 read back as one phrase


def test_reasons_are_translated() -> None:
    with translation.override("en"):
        best = _leads("不断丰富教育资源,新增学位。")[0]
    assert best.code == "jw"
    assert any(r.startswith("Function keywords: ") and "学位" in r for r in best.reasons)


def test_an_explicit_department_name_wins_over_keywords_and_history() -> None:
    sentence = "由区水务局牵头,推进学校、幼儿园周边教育设施建设,新增学位。"
    suggestions = _leads(sentence)
    assert [s.code for s in suggestions][:2] == ["swuj", "jw"]
    assert "文中提到“区水务局”" in suggestions[0].reasons


def test_the_longest_name_is_the_one_mentioned() -> None:
    """大兴经开区 contains 经开区; 北京经开区 is another body: the longer alias decides."""
    best = _leads("推动大兴经开区扩区。")[0]
    assert best.code == "dxkfq" and best.reasons[0] == "文中提到“大兴经开区”"


def test_a_town_named_as_a_place_does_not_outrank_the_function() -> None:
    sentence = "推进魏善庄镇社区卫生服务中心新改扩建工程,持续改善医疗服务水平。"
    codes = [s.code for s in _leads(sentence)]
    assert codes[0] == "wjw" and "town_wsz" in codes


def test_co_departments_come_from_the_history_with_the_lead() -> None:
    suggestions = suggest_co_departments(
        sentence="推进永定河河道治理工程。",
        measure_title="水环境治理。",
        chapter_title="生态",
        lead="swuj",
        departments=DEPARTMENTS,
        history=HISTORY,
    )
    assert [s.code for s in suggestions] == ["zjw"]
    assert "曾2次配合区水务局" in suggestions[0].reasons
    assert all(s.code != "swuj" for s in suggestions)


@pytest.fixture(scope="module")
def daxing() -> tuple[list, list]:
    parsed = parse_plan((SEED_DIR / "plan.txt").read_text(encoding="utf-8"))
    return assignments_from_files(parsed, load_enrichment(SEED_DIR / "enrichment.yaml"))


def test_every_keyword_table_entry_is_a_daxing_department_and_every_bureau_has_one(
    daxing,
) -> None:
    """A misspelt name in the table would silently switch its keywords off."""
    departments, _ = daxing
    names = {d.name for d in departments}
    table = load_keyword_table()
    assert [name for name in table if name not in names] == []
    places = {"town", "street"}
    assert [d.name for d in departments if d.kind not in places and not d.keywords] == []


def test_a_whole_parsed_plan_gets_a_row_per_task(daxing) -> None:
    departments, assignments = daxing
    parsed = parse_plan((SEED_DIR / "plan.txt").read_text(encoding="utf-8"))
    model = SuggestionModel(departments=departments, history=[])
    rows = {row.code: row for row in suggest_for_plan(parsed=parsed, model=model)}
    assert list(rows) == [a.code for a in assignments]
    school = rows["2025-3.6.1-01"]
    assert school.sentence.startswith("不断丰富教育资源") and school.leads[0].code == "jw"
    assert all(s.code != "jw" for s in school.co_departments)


def test_leave_one_measure_out_never_sees_the_held_out_assignment(daxing) -> None:
    """Give one task an absurd lead: its own suggestion does not move; a model that may see
    it (the task not held out) does follow it, so the test would catch a leak."""
    departments, assignments = daxing
    index = next(i for i, a in enumerate(assignments) if a.code == "2025-3.6.1-01")
    changed = list(assignments)
    changed[index] = dataclasses.replace(assignments[index], lead="tyjrj", co=("gaj",))
    # Only the held-out measure is needed: the others' assignments are the history.
    held_out = assignments[index]
    same_measure = [a for a in assignments if a.measure_title == held_out.measure_title]
    others = [a for a in assignments if a not in same_measure]

    def outcome(rows: list[Assignment]):
        measure = [a for a in rows if a.measure_title == held_out.measure_title]
        evaluation = evaluate_leave_one_measure_out(
            departments=departments, assignments=others + measure, weights=HISTORY_ONLY
        )
        return next(o for o in evaluation.outcomes if o.code == held_out.code)

    before, after = outcome(assignments), outcome(changed)
    assert after.lead == "tyjrj" and before.lead == "jw"
    assert after.suggested_leads == before.suggested_leads
    assert after.suggested_co == before.suggested_co
    assert "tyjrj" not in after.suggested_leads and "gaj" not in after.suggested_co

    leaky = SuggestionModel(departments=departments, history=changed, weights=HISTORY_ONLY)
    seen = leaky.leads(
        sentence=held_out.text,
        measure_title=held_out.measure_title,
        chapter_title=held_out.chapter_title,
    )
    assert seen[0].code == "tyjrj"


def test_the_command_prints_the_figures_and_they_beat_the_baseline() -> None:
    out = io.StringIO()
    call_command("evaluate_suggestions", stdout=out)
    text = out.getvalue()
    top1 = re.search(r"lead top-1 agreement: (\d+)/81 \((\d+\.\d)%\)", text)
    top3 = re.search(r"lead top-3 agreement: (\d+)/81 \((\d+\.\d)%\)", text)
    baseline = re.search(r"baseline \(the most frequent lead\): (\d+)/81", text)
    assert top1 and top3 and baseline, text
    assert int(baseline.group(1)) < int(top1.group(1)) <= int(top3.group(1))
    assert float(top1.group(2)) == pytest.approx(100 * int(top1.group(1)) / 81, abs=0.05)
    assert re.search(r"co-departments: precision \d+/\d+ \(\d+\.\d%\), recall \d+/325", text)

    as_json = io.StringIO()
    call_command("evaluate_suggestions", "--json", "--without", "keywords", stdout=as_json)
    figures = json.loads(as_json.getvalue())
    assert figures["tasks"] == 81 and len(figures["outcomes"]) == 81
    assert figures["top1"]["agree"] < int(top1.group(1))  # the keyword table carries weight


@pytest.mark.django_db
def test_the_database_gives_the_same_inputs_as_the_files(plan, daxing, django_assert_num_queries):
    departments, assignments = daxing
    with django_assert_num_queries(3):
        db_departments, history = suggestion_inputs_from_db()
    assert {d.code for d in db_departments} == {d.code for d in departments}
    by_code = {a.code: a for a in history}
    assert len(history) == len(assignments) == 81
    for expected in assignments:
        got = by_code[expected.code]
        assert (got.lead, sorted(got.co)) == (expected.lead, sorted(expected.co))
        assert (got.text, got.measure_title) == (expected.text, expected.measure_title)
    assert suggestion_inputs_from_db(exclude_plan_id=plan.pk)[1] == []
