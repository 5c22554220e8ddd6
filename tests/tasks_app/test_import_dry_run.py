"""import_plan --dry-run prints tree, warnings and refusals, and agrees with the real import."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from tasks_app.models import Plan, Task
from tasks_app.parsing.parser import PlanParseError
from tasks_app.plans.enrichment import load_enrichment
from tasks_app.plans.importer import plan_import
from tests.conftest import SEED_DIR

pytestmark = pytest.mark.django_db

PLAN_TEXT = (SEED_DIR / "plan.txt").read_text(encoding="utf-8")


def _run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_plan", str(path), *args, stdout=out)
    return out.getvalue()


def _copy(tmp_path: Path, text: str, enrichment: dict | None = None) -> Path:
    (tmp_path / "plan.txt").write_text(text, encoding="utf-8")
    raw = enrichment or yaml.safe_load((SEED_DIR / "enrichment.yaml").read_text(encoding="utf-8"))
    (tmp_path / "enrichment.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return tmp_path / "plan.txt"


def test_dry_run_prints_warnings_with_lines_and_task_lines() -> None:
    output = _run(SEED_DIR / "plan.txt", "--dry-run")
    assert "parser warnings:" in output
    assert "line 43: part 三、 chosen as the task part" in output
    assert "2025-3.1.1-01 line 45: " in output
    assert Task.objects.count() == 0


def test_dry_run_of_a_hard_wrapped_pdf_copy(tmp_path: Path) -> None:
    wrapped = "\n".join(
        line[i : i + 34] for line in PLAN_TEXT.splitlines() for i in range(0, len(line), 34)
    )
    output = _run(_copy(tmp_path, wrapped), "--dry-run")
    assert "indicators: 21" in output
    assert "joined " in output and "hard-wrapped lines" in output
    assert output.count("\n      2025-") == 81


def test_dry_run_refusal_names_the_line(tmp_path: Path) -> None:
    broken = PLAN_TEXT.replace("(三)进一步深化协同发展", "(五)进一步深化协同发展", 1)
    with pytest.raises(CommandError, match=r"line 52: chapter \(五\) out of order"):
        _run(_copy(tmp_path, broken), "--dry-run")


def test_dry_run_and_real_import_agree_on_a_missing_indicator_entry(tmp_path: Path) -> None:
    raw = yaml.safe_load((SEED_DIR / "enrichment.yaml").read_text(encoding="utf-8"))
    del raw["indicators"]["地区生产总值"]
    path = _copy(tmp_path, PLAN_TEXT, raw)
    dry = plan_import(
        text=PLAN_TEXT, enrichment=load_enrichment(tmp_path / "enrichment.yaml"), dry_run=True
    )
    try:
        plan_import(text=PLAN_TEXT, enrichment=load_enrichment(tmp_path / "enrichment.yaml"))
    except PlanParseError as exc:  # EnrichmentError is one
        assert str(exc) in dry.problems
        assert Plan.objects.count() == 0
        with pytest.raises(CommandError, match=r"dry run: the import would fail") as caught:
            _run(path, "--dry-run")
        assert str(exc) in str(caught.value)
    else:  # the enrichment file is optional for indicators: then the dry run says nothing
        assert dry.problems == []


def test_dry_run_reports_unknown_task_codes(tmp_path: Path) -> None:
    raw = yaml.safe_load((SEED_DIR / "enrichment.yaml").read_text(encoding="utf-8"))
    raw["tasks"]["2025-9.9.9-99"] = {"lead": raw["departments"][0]["code"]}
    path = _copy(tmp_path, PLAN_TEXT, raw)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"2025-9\.9\.9-99") as caught:
        call_command("import_plan", str(path), "--dry-run", stdout=out)
    assert "dry run: the import would fail" in str(caught.value)
    assert "indicators: 21" in out.getvalue()  # the tree is printed before the refusal
    with pytest.raises(PlanParseError, match=r"2025-9\.9\.9-99"):
        plan_import(text=PLAN_TEXT, enrichment=load_enrichment(tmp_path / "enrichment.yaml"))


def test_a_theme_titled_plan_imports(tmp_path: Path) -> None:
    text = (
        "某市2025年重点工作任务分工方案\n一、聚力创新赋能,打造科技创新高地\n"
        "(一)加快创新平台建设。建成3家重点实验室。推动新型研发机构落地。\n"
        "二、聚焦城市更新,提升宜居品质\n(一)推进老旧小区改造。新建充电桩3000根。\n"
    )
    enrichment = {"departments": [{"code": "fgw", "name": "发展改革委"}], "indicators": {}}
    path = _copy(tmp_path, text, enrichment)
    assert "2025-0.2.1-01 line 5: 新建充电桩3000根 [3000 根]" in _run(path, "--dry-run")
    _run(path)
    plan = Plan.objects.get(year=2025)
    assert plan.title == "某市2025年重点工作任务分工方案"
    assert list(Task.objects.order_by("code").values_list("code", "text")) == [
        ("2025-0.1.1-01", "建成3家重点实验室。"),
        ("2025-0.1.1-02", "推动新型研发机构落地。"),
        ("2025-0.2.1-01", "新建充电桩3000根。"),
    ]
    assert Task.objects.get(code="2025-0.2.1-01").key_results.get().unit == "根"
