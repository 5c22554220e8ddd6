"""import_plan: the real 2025 plan loads whole, idempotently, and bad input writes nothing."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db.models import Count

from indicators_app.models import Indicator
from tasks_app.models import (
    Chapter,
    Department,
    HistoryEvent,
    KeyResult,
    Measure,
    Milestone,
    Plan,
    Task,
    TaskStatus,
)
from tasks_app.parsing.parser import split_sentences
from tasks_app.plans.enrichment import load_enrichment
from tasks_app.plans.importer import plan_import
from tests.conftest import SEED_DIR

pytestmark = pytest.mark.django_db

PLAN_TEXT = (SEED_DIR / "plan.txt").read_text(encoding="utf-8")


def _import(path: Path = SEED_DIR / "plan.txt", *args: str) -> str:
    out = io.StringIO()
    call_command("import_plan", str(path), *args, stdout=out)
    return out.getvalue()


def _part_three_sentences() -> list[str]:
    """Every sentence after the title of each numbered paragraph of part 三, from the raw text."""
    part = PLAN_TEXT.split("三、2025年国民经济和社会发展计划", 1)[1]
    sentences = []
    for line in part.splitlines():
        if re.match(r"^\d+\.", line):
            sentences += split_sentences(line.split(".", 1)[1])[1:]
    return sentences


def test_real_plan_structure(plan: Plan) -> None:
    assert plan.year == 2025
    assert Chapter.objects.filter(plan=plan).count() == 6
    assert Measure.objects.filter(chapter__plan=plan).count() == 20
    texts = list(Task.objects.filter(plan=plan).values_list("text", flat=True))
    expected = _part_three_sentences()
    assert len(texts) == len(expected) == 81
    assert texts == expected  # verbatim, in plan order: nothing dropped, nothing invented
    assert Task.objects.filter(code="2025-3.4.2-01").exists()


def test_every_task_is_assigned(plan: Plan) -> None:
    tasks = Task.objects.filter(plan=plan).annotate(n_milestones=Count("milestones"))
    for task in tasks:
        assert task.lead_department_id
        assert task.due_date.year == 2025
        assert task.n_milestones >= 1
        assert task.milestones.filter(is_final=True, due_date=task.due_date).count() == 1
    assert Department.objects.count() >= 60


def test_indicators_loaded(plan: Plan) -> None:
    indicators = Indicator.objects.filter(plan=plan)
    assert indicators.count() == 21
    assert indicators.filter(category="expected").count() == 12
    assert indicators.filter(category="binding").count() == 9
    gdp = indicators.get(name="地区生产总值")
    assert (gdp.target_comparator, gdp.target_value, gdp.target_unit) == (">=", 5, "%")
    assert gdp.target_is_growth_rate
    assert (gdp.baseline_year, gdp.baseline_value, gdp.baseline_unit) == (
        2024,
        Decimal("1334.8"),
        "亿元",
    )
    assert gdp.baseline_growth_pct == Decimal("5.2")
    expected_targets = {
        "生活垃圾回收利用率": (">=", Decimal("40")),
        "城镇登记失业率": ("<=", Decimal("5")),
        "食品安全监测抽验合格率": (">=", Decimal("98.5")),
        "药品安全监测抽验合格率": (">=", Decimal("99")),
    }
    for name, (comparator, value) in expected_targets.items():
        row = indicators.get(name=name)
        assert (row.target_comparator, row.target_value) == (comparator, value), name
    for name in ("一般公共预算收入", "森林覆盖率", "城镇居民人均可支配收入", "高新技术企业数"):
        assert indicators.get(name=name).target_comparator == "qualitative", name
    baselines = {
        "一般公共预算收入": (Decimal("110.4"), "亿元"),
        "社会消费品零售额": (Decimal("687.4"), "亿元"),
        "固定资产投资": (Decimal("835.9"), "亿元"),
        "细颗粒物浓度": (Decimal("34"), "微克/立方米"),
        "生活垃圾回收利用率": (Decimal("40"), "%"),
    }
    for name, (value, unit) in baselines.items():
        row = indicators.get(name=name)
        assert (row.baseline_value, row.baseline_unit) == (value, unit), name
    assert indicators.exclude(responsible_department=None).count() == 21


def test_key_results_in_base_units(plan: Plan) -> None:
    def units(fragment: str) -> set[tuple[Decimal, str]]:
        task = Task.objects.get(text__contains=fragment)
        return {(kr.value, kr.unit) for kr in task.key_results.all()}

    assert (Decimal("19000"), "亩") in units("高标准农田")
    assert (Decimal("300000000"), "株") in units("育苗量")
    assert (Decimal("1500000000"), "元") in units("15亿元")


def test_second_run_changes_nothing(plan: Plan) -> None:
    before = {
        "tasks": list(Task.objects.order_by("pk").values()),
        "milestones": list(Milestone.objects.order_by("pk").values()),
        "key_results": list(KeyResult.objects.order_by("pk").values()),
        "indicators": list(Indicator.objects.order_by("pk").values()),
        "history": HistoryEvent.objects.count(),
    }
    output = _import()
    assert "already up to date" in output
    assert list(Task.objects.order_by("pk").values()) == before["tasks"]
    assert list(Milestone.objects.order_by("pk").values()) == before["milestones"]
    assert list(KeyResult.objects.order_by("pk").values()) == before["key_results"]
    assert list(Indicator.objects.order_by("pk").values()) == before["indicators"]
    assert HistoryEvent.objects.count() == before["history"]


def test_edited_enrichment_updates_in_place(plan: Plan, tmp_path: Path) -> None:
    task = Task.objects.get(code="2025-3.1.1-01")
    Task.objects.filter(pk=task.pk).update(progress=40, status=TaskStatus.IN_PROGRESS)
    KeyResult.objects.filter(task=task).update(actual_value=1)
    raw = yaml.safe_load((SEED_DIR / "enrichment.yaml").read_text(encoding="utf-8"))
    old_lead = raw["tasks"][task.code]["lead"]
    new_lead = next(d["code"] for d in raw["departments"] if d["code"] != old_lead)
    raw["tasks"][task.code].update({"lead": new_lead, "due": "2025-11-30", "milestones": None})
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (tmp_path / "enrichment.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")

    _import(tmp_path / "plan.txt")

    task.refresh_from_db()
    assert (task.lead_department.code, str(task.due_date)) == (new_lead, "2025-11-30")
    assert (task.progress, task.status) == (40, TaskStatus.IN_PROGRESS)  # nothing lost
    assert task.original_due_date.isoformat() == "2025-12-31"
    changes = set(task.history.filter(action="import_update").values_list("field", flat=True))
    # The new lead leaves the co-departments if it was one (a lead is never its own co).
    assert changes - {"co_departments"} == {"lead_department", "due_date"}
    assert not task.co_departments.filter(code=new_lead).exists()
    assert task.milestones.get(is_final=True).due_date.isoformat() == "2025-11-30"
    assert Task.objects.count() == 81


def test_tasks_missing_from_enrichment_get_defaults(db, tmp_path: Path) -> None:
    raw = yaml.safe_load((SEED_DIR / "enrichment.yaml").read_text(encoding="utf-8"))
    dropped = sorted(raw["tasks"])[:2]
    for code in dropped:
        del raw["tasks"][code]
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (tmp_path / "enrichment.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    output = _import(tmp_path / "plan.txt")
    assert "2 tasks not in the enrichment file got defaults" in output
    for code in dropped:
        assert code in output
        assert Task.objects.get(code=code).due_date.isoformat() == "2025-12-31"


def test_malformed_plan_writes_nothing(db, tmp_path: Path) -> None:
    broken = PLAN_TEXT.replace("(三)进一步深化协同发展", "(五)进一步深化协同发展", 1)
    (tmp_path / "plan.txt").write_text(broken, encoding="utf-8")
    (tmp_path / "enrichment.yaml").write_bytes((SEED_DIR / "enrichment.yaml").read_bytes())
    with pytest.raises(CommandError, match=r"line \d+"):
        _import(tmp_path / "plan.txt")
    assert Task.objects.count() == Department.objects.count() == Plan.objects.count() == 0


def test_unknown_department_in_enrichment_writes_nothing(db, tmp_path: Path) -> None:
    raw = yaml.safe_load((SEED_DIR / "enrichment.yaml").read_text(encoding="utf-8"))
    first = sorted(raw["tasks"])[0]
    raw["tasks"][first]["lead"] = "no_such_dept"
    path = tmp_path / "enrichment.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    with pytest.raises(ValueError, match="no_such_dept"):
        plan_import(text=PLAN_TEXT, enrichment=load_enrichment(path))
    assert Task.objects.count() == Department.objects.count() == 0


def test_broken_yaml_names_the_line(db, tmp_path: Path) -> None:
    path = tmp_path / "enrichment.yaml"
    path.write_text("departments:\n  - {code: a, name: b\n", encoding="utf-8")
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    with pytest.raises(CommandError, match=r"line \d+"):
        _import(tmp_path / "plan.txt")


def test_dry_run_prints_tree_and_writes_nothing(db) -> None:
    output = _import(SEED_DIR / "plan.txt", "--dry-run")
    assert "2025-3.4.2-01" in output
    assert "21 indicators" in output
    assert "19000 亩" in output
    assert Task.objects.count() == 0


def test_seed_demo_accounts(plan: Plan) -> None:
    call_command("seed_demo", "--password", "pw-12345-long", "--no-activity", stdout=io.StringIO())
    from tasks_app.models import User

    lead = User.objects.get(username="lead.fgw")
    assert lead.check_password("pw-12345-long")
    assert lead.memberships.get().role == "dept_lead"
    assert User.objects.get(username="supervisor").district_role == "supervisor"
    assert User.objects.get(username="admin").is_superuser
    count = User.objects.count()
    call_command("seed_demo", "--password", "pw-12345-long", "--no-activity", stdout=io.StringIO())
    assert User.objects.count() == count == 3 + 2 * Department.objects.count()
