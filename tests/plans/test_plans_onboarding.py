"""Onboarding a new plan (计划导入) through the services, and export_enrichment.

The browser walk-through is tests/console/test_onboarding_browser.py; here: the draft is
invisible before 交办, refusals name the field, publishing is the real import with one
inbox message per department lead, and the exported enrichment round-trips.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from plantracker.errors import Conflict, PermissionDenied, ValidationError
from tasks_app.models import (
    Department,
    HistoryEvent,
    Milestone,
    Notification,
    Plan,
    PlanDraft,
    Task,
)
from tasks_app.org.plan_scope import plans_visible_to
from tasks_app.plans.enrichment import load_enrichment
from tasks_app.plans.export import enrichment_of_plan
from tasks_app.plans.importer import plan_import
from tasks_app.plans.onboarding import (
    draft_accept_suggestions,
    draft_create,
    draft_publish,
    draft_save_assignments,
)
from tasks_app.workflow.services.task_update import task_update
from tests.console.test_onboarding_browser import DEPARTMENTS, FIXED

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments(db) -> dict[str, Department]:
    return {code: Department.objects.create(code=code, name=name) for code, name in DEPARTMENTS}


def _body(departments):
    return departments["jw"].body


def test_a_draft_is_invisible_until_published_and_publishing_notifies_the_leads(
    supervisor, make_member, departments
) -> None:
    lead_sw = make_member(departments["sw"], "dept_lead")
    staff_sw = make_member(departments["sw"], "dept_staff")
    lead_wjw = make_member(departments["wjw"], "dept_lead")
    draft = draft_create(actor=supervisor, body=_body(departments), kind="annual", text=FIXED)
    draft_save_assignments(
        draft=draft,
        actor=supervisor,
        assignments={
            "2027-2.2.1-01": {
                "lead": "wjw",
                "co": ["sw"],
                "due": "2027-09-30",
                "milestones": "final",
            }
        },
    )
    assert draft_accept_suggestions(draft=draft, actor=supervisor) == 5  # the rest
    draft.refresh_from_db()
    assert draft.assignments["2027-2.2.1-01"] == {
        "lead": "wjw",
        "co": ["sw"],
        "due": "2027-09-30",
        "milestones": "final",
    }  # a row set by hand is not overwritten by the suggestions
    assert not Plan.objects.exists()
    assert not plans_visible_to(lead_sw).exists()

    published = draft_publish(draft=draft, actor=supervisor)
    plan = published.plan
    assert Task.objects.filter(plan=plan).count() == 6
    hospital = Task.objects.get(plan=plan, code="2027-2.2.1-01")
    assert hospital.lead_department == departments["wjw"]
    assert list(hospital.co_departments.values_list("code", flat=True)) == ["sw"]
    assert hospital.due_date == dt.date(2027, 9, 30)
    assert list(Milestone.objects.filter(task=hospital).values_list("is_final", flat=True)) == [
        True
    ]  # the "final only" template
    assert HistoryEvent.objects.filter(task=hospital, action="imported").count() == 1
    # 交办: every published task awaits 签收 (a plain import leaves them acknowledged).
    assert set(Task.objects.filter(plan=plan).values_list("acknowledgement", flat=True)) == {
        "pending"
    }
    assert HistoryEvent.objects.filter(task=hospital, action="assign").count() == 1
    inbox = Notification.objects.filter(kind="plan_assigned")
    # one message per department lead; 区教委 has no lead person, so nobody there
    assert sorted(inbox.values_list("recipient_id", flat=True)) == sorted([lead_sw.pk, lead_wjw.pk])
    sw_message = inbox.get(recipient=lead_sw)
    assert "2027-2.2.1-01" in sw_message.body  # co-responsible tasks are listed too
    assert "2027-2.1.2-01" in sw_message.body
    assert not Notification.objects.filter(recipient=staff_sw).exists()
    draft.refresh_from_db()
    assert (draft.status, draft.plan_id) == (PlanDraft.Status.PUBLISHED, plan.pk)
    with pytest.raises(Conflict):
        draft_publish(draft=draft, actor=supervisor)


def test_refusals_name_the_field(supervisor, make_member, departments) -> None:
    lead = make_member(departments["sw"], "dept_lead")
    with pytest.raises(PermissionDenied):
        draft_create(actor=lead, body=_body(departments), kind="annual", text=FIXED)
    with pytest.raises(ValidationError) as empty:
        draft_create(actor=supervisor, body=_body(departments), kind="annual", text="  ")
    assert "text" in empty.value.detail
    draft = draft_create(actor=supervisor, body=_body(departments), kind="annual", text=FIXED)
    with pytest.raises(ValidationError) as unknown:
        draft_save_assignments(
            draft=draft, actor=supervisor, assignments={"2027-2.1.1-01": {"lead": "nope"}}
        )
    assert "assignments.2027-2.1.1-01.lead" in unknown.value.detail
    with pytest.raises(ValidationError) as late:
        draft_save_assignments(
            draft=draft,
            actor=supervisor,
            assignments={"2027-2.1.1-01": {"lead": "jw", "due": "2028-01-01"}},
        )
    assert "assignments.2027-2.1.1-01.due" in late.value.detail
    with pytest.raises(ValidationError) as unassigned:
        draft_publish(draft=draft, actor=supervisor)
    assert "2027-2.1.1-01" in str(unassigned.value.detail["assignments"])
    assert not Plan.objects.exists()


def _round_trip(plan: Plan, tmp_path) -> object:
    out = io.StringIO()
    call_command("export_enrichment", str(plan.pk), stdout=out)
    path = tmp_path / "enrichment.yaml"
    path.write_text(out.getvalue(), encoding="utf-8")
    return plan_import(
        text=plan.source_text, enrichment=load_enrichment(path), body_code=plan.body.code
    )


def test_export_enrichment_round_trips_the_seed_plan_with_app_edits(
    plan, supervisor, tmp_path
) -> None:
    task = Task.objects.filter(plan=plan, co_departments__isnull=False).order_by("code").first()
    other = Department.objects.filter(body=plan.body).exclude(pk=task.lead_department_id).first()
    task_update(
        task=task,
        actor=supervisor,
        changes={"co_departments": [other], "due_date": dt.date(2025, 11, 30)},
    )
    exported = enrichment_of_plan(plan)
    assert exported["tasks"][task.code]["co"] == [other.code]
    assert exported["tasks"][task.code]["due"] == "2025-11-30"
    assert len(exported["indicators"]) == 21
    before = Task.objects.filter(plan=plan).count()
    result = _round_trip(plan, tmp_path)
    assert result.diff.empty, (result.diff.changes[:5], result.diff.indicator_changes[:5])
    assert not result.diff.conflicts
    assert Task.objects.filter(plan=plan).count() == before
    task.refresh_from_db()
    assert task.due_date == dt.date(2025, 11, 30)


def test_export_enrichment_of_an_onboarded_plan_round_trips(
    supervisor, departments, tmp_path
) -> None:
    draft = draft_create(actor=supervisor, body=_body(departments), kind="annual", text=FIXED)
    draft_accept_suggestions(draft=draft, actor=supervisor)
    plan = draft_publish(draft=draft, actor=supervisor).plan
    result = _round_trip(plan, tmp_path)
    assert result.diff.empty
    text = io.StringIO()
    call_command("export_enrichment", f"{plan.body.code}:2027", stdout=text)
    data = yaml.safe_load(text.getvalue())
    assert data["plan"]["body"]["code"] == plan.body.code
    assert set(data["tasks"]) == set(Task.objects.filter(plan=plan).values_list("code", flat=True))


def test_console_pages_keep_what_was_typed_and_refuse_others(
    supervisor, make_member, departments
) -> None:
    client = Client()
    client.force_login(supervisor)
    response = client.post(
        "/console/plans/new/", {"body": _body(departments).pk, "kind": "annual", "text": FIXED}
    )
    assert response.status_code == 302
    draft = PlanDraft.objects.get()
    url = f"/console/plans/drafts/{draft.pk}/"
    refused = client.post(
        url,
        {
            "action": "assign",
            "code": ["2027-2.1.1-01"],
            "lead-2027-2.1.1-01": "jw",
            "co-2027-2.1.1-01": "区水务局",
            "due-2027-2.1.1-01": "2031-05-01",
        },
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "完成时限须为2027年内的日期" in page
    assert 'value="2031-05-01"' in page and 'value="区水务局"' in page  # nothing typed lost
    draft.refresh_from_db()
    assert draft.assignments == {}
    saved = client.post(
        url,
        {
            "action": "assign",
            "code": ["2027-2.1.1-01"],
            "lead-2027-2.1.1-01": "jw",
            "co-2027-2.1.1-01": "区水务局、wjw",
            "due-2027-2.1.1-01": "",
        },
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.assignments["2027-2.1.1-01"]["co"] == ["sw", "wjw"]
    lead = make_member(departments["sw"], "dept_lead")
    client.force_login(lead)
    assert client.get(url).status_code == 403
    assert client.get("/console/plans/new/").status_code == 403
