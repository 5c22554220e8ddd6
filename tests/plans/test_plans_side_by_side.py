"""Two districts' 2025 plans and Daxing's 2026 plan in one database, untouched by each other:
the first plan's rows are byte-equal after the others are imported, and the API, console,
rollups and reminders of one district show nothing of the other."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from indicators_app.models import Indicator
from tasks_app.models import (
    Department,
    IssuingBody,
    Membership,
    Plan,
    ReminderDispatch,
    ReminderLevel,
    RollupJob,
    Task,
    User,
)
from tasks_app.org.plan_scope import default_plan_object
from tasks_app.plans.importer import plan_import
from tasks_app.reminders.run import reminders_run
from tasks_app.rollups.build import rollup_build
from tests.conftest import PASSWORD
from tests.plans.support import (
    OTHER_BODY,
    import_daxing_2026,
    import_other_district,
    plan_dump,
    seed_enrichment,
    seed_text,
)

pytestmark = pytest.mark.django_db

# Monday 2 March 2026 in Beijing: the current year has Daxing's 2026 plan, not Fengtai's.
PINNED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def three_plans(plan) -> dict[str, Plan]:
    return {"daxing": plan, "fengtai": import_other_district(), "daxing26": import_daxing_2026()}


@pytest.fixture
def fengtai_supervisor(three_plans) -> User:
    body = IssuingBody.objects.get(code=OTHER_BODY["code"])
    return User.objects.create_user(
        "ft.supervisor", password=PASSWORD, district_role="supervisor", body=body
    )


def test_importing_other_plans_leaves_the_first_byte_equal(plan) -> None:
    before = plan_dump(plan)
    assert len(before["tasks"]) == 81 and before["co_departments"] and before["key_results"]
    other, next_year = import_other_district(), import_daxing_2026()
    assert plan_dump(plan) == before
    assert (other.body.code, other.year, next_year.body_id, next_year.year) == (
        "fengtai",
        2025,
        plan.body_id,
        2026,
    )
    # The same codes live in both 2025 plans; each plan has its own departments.
    assert set(Task.objects.filter(plan=other).values_list("code", flat=True)) == set(
        Task.objects.filter(plan=plan).values_list("code", flat=True)
    )
    assert Indicator.objects.filter(plan=other).count() == 21
    fengtai_fgw = Department.objects.get(body=other.body, code="fgw")
    assert fengtai_fgw.name.startswith("丰台")
    assert not Task.objects.filter(plan=other, lead_department__body=plan.body).exists()
    assert not Task.objects.filter(plan=plan, lead_department__body=other.body).exists()
    # Re-importing the other district changes nothing of the first either.
    import_other_district()
    assert plan_dump(plan) == before


def test_a_second_import_of_the_same_plan_is_the_same_plan(plan) -> None:
    again = plan_import(text=seed_text(), enrichment=seed_enrichment()).plan
    assert again.pk == plan.pk and Plan.objects.count() == 1


def test_api_of_one_district_shows_nothing_of_the_other(three_plans, fengtai_supervisor, api):
    daxing, fengtai = three_plans["daxing"], three_plans["fengtai"]
    client = api(fengtai_supervisor)
    listed = client.get("/api/v1/tasks/", {"page_size": 200}).json()["results"]
    assert {t["plan"] for t in listed} == {fengtai.pk} and len(listed) == 81
    assert client.get("/api/v1/tasks/", {"plan": daxing.pk}).json()["results"] == []
    daxing_task = Task.objects.filter(plan=daxing).first()
    assert client.get(f"/api/v1/tasks/{daxing_task.pk}/").status_code == 404
    plans = client.get("/api/v1/plans/").json()["results"]
    assert [p["id"] for p in plans] == [fengtai.pk]
    assert client.get(f"/api/v1/plans/{daxing.pk}/").status_code == 404
    assert client.get(f"/api/v1/plans/{daxing.pk}/tree/").status_code == 404
    departments = client.get("/api/v1/departments/", {"page_size": 200}).json()["results"]
    assert {d["id"] for d in departments} == set(
        Department.objects.filter(body=fengtai.body).values_list("pk", flat=True)
    )
    indicators = client.get("/api/v1/indicators/", {"page_size": 100}).json()["results"]
    assert len(indicators) == 21
    assert {i["id"] for i in indicators} == set(
        Indicator.objects.filter(plan=fengtai).values_list("pk", flat=True)
    )
    assert client.get("/api/v1/indicators/", {"plan": daxing.pk}).json()["results"] == []
    milestones = client.get("/api/v1/milestones/", {"page_size": 500}).json()["results"]
    fengtai_tasks = set(Task.objects.filter(plan=fengtai).values_list("pk", flat=True))
    assert milestones and {m["task"] for m in milestones} <= fengtai_tasks


def test_the_default_plan_is_this_years_plan_of_the_callers_body(
    three_plans, fengtai_supervisor, supervisor, api
):
    march_2026, june_2025 = dt.date(2026, 3, 2), dt.date(2025, 6, 2)
    assert default_plan_object(supervisor, today=march_2026) == three_plans["daxing26"]
    assert default_plan_object(supervisor, today=june_2025) == three_plans["daxing"]
    # Fengtai has no 2026 plan: its latest.
    assert default_plan_object(fengtai_supervisor, today=march_2026) == three_plans["fengtai"]
    with time_machine.travel(PINNED, tick=False):
        listed = api(supervisor).get("/api/v1/tasks/", {"page_size": 200}).json()["results"]
        chosen = api(supervisor).get(
            "/api/v1/tasks/", {"page_size": 200, "plan": three_plans["daxing"].pk}
        )
    assert {t["plan"] for t in listed} == {three_plans["daxing26"].pk}
    assert {t["plan"] for t in chosen.json()["results"]} == {three_plans["daxing"].pk}


def test_department_people_see_their_own_district_only(three_plans, api) -> None:
    fengtai = three_plans["fengtai"]
    department = Department.objects.get(body=fengtai.body, code="fgw")
    lead = User.objects.create_user("ft.fgw", password=PASSWORD)
    Membership.objects.create(user=lead, department=department, role="dept_lead")
    plans = api(lead).get("/api/v1/plans/").json()["results"]
    assert [p["id"] for p in plans] == [fengtai.pk]
    listed = api(lead).get("/api/v1/tasks/", {"page_size": 200}).json()["results"]
    assert listed and {t["plan"] for t in listed} == {fengtai.pk}


def test_console_of_one_district_shows_nothing_of_the_other(three_plans, fengtai_supervisor):
    daxing, fengtai = three_plans["daxing"], three_plans["fengtai"]
    client = Client()
    client.force_login(fengtai_supervisor)
    with time_machine.travel(PINNED, tick=True):
        board = client.get(reverse("console:board"), {"plan": daxing.pk})
        indicators = client.get(reverse("console:indicators")).content.decode()
        daxing_task = Task.objects.filter(plan=daxing).first()
        task_page = client.get(reverse("console:task", args=[daxing_task.pk]))
        daxing_fgw = Department.objects.get(body=daxing.body, code="fgw")
        department_page = client.get(reverse("console:department", args=[daxing_fgw.pk]))
        fengtai_fgw = Department.objects.get(body=fengtai.body, code="fgw")
        own_department = client.get(reverse("console:department", args=[fengtai_fgw.pk]))
    assert board.status_code == 200
    assert board.context["request"].viewer.plan == fengtai  # the daxing id is not offered
    assert [p.pk for p in board.context["request"].viewer.plans] == [fengtai.pk]
    assert daxing.title not in board.content.decode()
    assert indicators.count('class="indicator-row') == 21
    assert task_page.status_code == 404 and department_page.status_code == 404
    assert own_department.status_code == 200
    assert {t.plan_id for t in own_department.context["tasks"]} == {fengtai.pk}


def test_rollups_of_one_district_show_nothing_of_the_other(three_plans, fengtai_supervisor, api):
    daxing, fengtai = three_plans["daxing"], three_plans["fengtai"]
    ours = rollup_build(year=2025, quarter=2, plan=fengtai, today=dt.date(2025, 7, 1))
    theirs = rollup_build(year=2025, quarter=2, plan=daxing, today=dt.date(2025, 7, 1))
    assert ours.version == theirs.version == 1  # versions count per plan
    assert rollup_build(year=2025, quarter=2, today=dt.date(2025, 7, 1)).plan == daxing
    client = api(fengtai_supervisor)
    listed = client.get("/api/v1/rollups/").json()["results"]
    assert [r["id"] for r in listed] == [ours.pk]
    assert client.get(f"/api/v1/rollups/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/rollups/{theirs.pk}/export/", {"format": "csv"}).status_code == 404
    ours_rows = ours.rows.filter(level="department").values_list("department_id", flat=True)
    assert set(ours_rows) <= set(
        Department.objects.filter(body=fengtai.body).values_list("pk", flat=True)
    )
    built = client.post("/api/v1/rollups/", {"year": 2025, "quarter": 3}, format="json")
    assert built.status_code == 202
    assert RollupJob.objects.get(pk=built.json()["job"]).plan == fengtai


def test_reminders_of_one_district_reach_only_its_own_people(
    three_plans, fengtai_supervisor, supervisor
) -> None:
    daxing, fengtai = three_plans["daxing"], three_plans["fengtai"]
    reminders_run(today=dt.date(2025, 11, 3))  # a Monday: many 2025 tasks long overdue
    to_fengtai = ReminderDispatch.objects.filter(recipient=fengtai_supervisor)
    to_daxing = ReminderDispatch.objects.filter(recipient=supervisor)
    assert to_fengtai.filter(level=ReminderLevel.SUPERVISION).exists()
    assert to_daxing.filter(level=ReminderLevel.SUPERVISION).exists()
    assert not to_fengtai.exclude(task__plan=fengtai).filter(task__isnull=False).exists()
    assert not to_daxing.filter(task__plan=fengtai).exists()
    assert not to_fengtai.filter(department__body=daxing.body).exists()
