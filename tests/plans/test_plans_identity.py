"""Which plan an import writes: the issuing body from --body or the enrichment file."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tasks_app.models import Department, IssuingBody, Plan
from tasks_app.plans.identity import body_spec
from tests.conftest import SEED_DIR
from tests.plans.support import other_district_enrichment, seed_enrichment

pytestmark = pytest.mark.django_db
PLAN = str(SEED_DIR / "plan.txt")


def test_the_body_comes_from_the_option_then_the_file_then_the_default() -> None:
    assert body_spec(enrichment=seed_enrichment()).code == "daxing"
    assert body_spec(enrichment=seed_enrichment()).name == "大兴区"
    spec = body_spec(enrichment=other_district_enrichment())
    assert (spec.code, spec.name) == ("fengtai", "丰台区")
    assert body_spec(enrichment=other_district_enrichment(), code="fengtai").name == "丰台区"
    assert body_spec(enrichment=seed_enrichment(), code="tongzhou").name == ""


def test_an_unknown_body_without_a_name_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(CommandError, match="unknown issuing body 'tongzhou'"):
        call_command("import_plan", PLAN, "--body", "tongzhou", stdout=StringIO())
    assert not Plan.objects.exists() and not Department.objects.exists()
    assert not IssuingBody.objects.filter(code="tongzhou").exists()


def test_the_body_option_imports_beside_the_default_body(plan) -> None:
    IssuingBody.objects.create(code="tongzhou", name="通州区")
    out = StringIO()
    call_command("import_plan", PLAN, "--body", "tongzhou", stdout=out)
    assert "plan tongzhou 2025 " in out.getvalue() and "added: 81 tasks" in out.getvalue()
    other = Plan.objects.get(body__code="tongzhou")
    assert other.pk != plan.pk and Plan.objects.filter(year=2025).count() == 2
    assert (
        Department.objects.filter(body=other.body).count()
        == Department.objects.filter(body=plan.body).count()
    )
