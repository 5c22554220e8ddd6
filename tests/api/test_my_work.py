"""GET /me/work/: the caller's work grouped, scoped by visibility and plan, in a constant
number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from plantracker import clock
from tasks_app.models import Department, Task, TaskStatus
from tasks_app.supervision.instructions import instruction_create
from tasks_app.supervision.notices import notice_answer
from tasks_app.supervision.urge import task_urge
from tasks_app.workflow.my_work import GROUPS, my_work, week_end
from tasks_app.workflow.services.task_transition import task_transition
from tests.api.tasks_support import World
from tests.claims import claim
from tests.openapi import queries_for

URL = "/api/v1/me/work/"


def work(client, query: str = "") -> dict:
    response = client.get(URL + query)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def listed_count(client, query: str) -> int:
    """How many tasks the task list gives for a filter (the cross-check)."""
    total, url = 0, f"/api/v1/tasks/?page_size=200&{query}"
    while url:
        body = client.get(url).json()
        total += len(body["results"])
        url = body["next"]
    return total


def ids(group: dict) -> set[int]:
    return {item["id"] for item in group["items"]}


def test_week_end_is_sunday() -> None:
    assert week_end(dt.date(2025, 6, 10)) == dt.date(2025, 6, 15)
    assert week_end(dt.date(2025, 6, 15)) == dt.date(2025, 6, 15)
    assert week_end(dt.date(2025, 6, 16)) == dt.date(2025, 6, 22)


def test_counts_agree_with_the_task_list(world: World, validated_api) -> None:
    for who in ("lead_lead", "supervisor", "co_staff"):
        client = validated_api(getattr(world, who))
        body = work(client)
        assert body["date"] == "2025-06-10" and body["plan"] == world.plan.pk
        assert set(GROUPS) <= body.keys()
        assert body["overdue"]["count"] == listed_count(client, "overdue=true"), who
        assert body["reports_owed"]["count"] == listed_count(client, "report_status=missing"), who
        assert len(body["overdue"]["items"]) == min(5, body["overdue"]["count"])
        days = [item["days_overdue"] for item in body["overdue"]["items"]]
        assert days == sorted(days, reverse=True)


def test_each_group_for_the_people_concerned(world: World, validated_api) -> None:
    task = world.task
    Task.objects.filter(pk=task.pk).update(due_date=dt.date(2025, 6, 13))
    lead = validated_api(world.lead_lead)
    assert task.pk in ids(work(lead, "?limit=50")["due_this_week"])

    # a claim sent back (退回) with its reason
    task_transition(task=task, actor=world.lead_lead, action="start")
    claim(task, world.lead_lead)
    task_transition(task=task, actor=world.supervisor, action="return", reason="佐证材料不全")
    # a 督办单 to the lead department, and a leader's instruction
    notice = task_urge(task=task, actor=world.supervisor, comment="请说明进度", notice=True)
    instruction_create(task=task, actor=world.leader, text="抓紧推进")

    body = work(lead, "?limit=50")
    returned = {i["id"]: i for i in body["returned_claims"]["items"]}
    assert returned[task.pk]["reason"] == "佐证材料不全"
    assert returned[task.pk]["respond_by"] is None
    notices = {i["id"]: i for i in body["open_notices"]["items"]}
    assert notices[task.pk]["reason"] == "请说明进度"
    assert notices[task.pk]["respond_by"] == notice.respond_by.isoformat()
    assert body["open_notices"]["count"] == 1
    instructions = {i["id"]: i for i in body["instructions_to_answer"]["items"]}
    assert instructions[task.pk]["reason"] == "抓紧推进"

    # co-departments see the task but answer neither the notice nor the instruction
    co = work(validated_api(world.co_lead), "?limit=50")
    assert task.pk not in ids(co["open_notices"]) | ids(co["instructions_to_answer"])
    assert task.pk in ids(co["returned_claims"])
    # a department with no part in it sees nothing of it
    other = work(validated_api(world.other_lead), "?limit=50")
    assert all(task.pk not in ids(other[g]) for g in GROUPS)

    # the supervisor reviews answered notices, not open ones
    supervisor = validated_api(world.supervisor)
    assert task.pk not in ids(work(supervisor, "?limit=50")["open_notices"])
    notice_answer(notice=notice, actor=world.lead_lead, text="已推进")
    assert task.pk in ids(work(supervisor, "?limit=50")["open_notices"])
    assert work(lead)["open_notices"]["count"] == 0

    # once claimed again, it is no longer a returned claim
    task_transition(task=task, actor=world.lead_lead, action="submit")
    assert task.pk not in ids(work(lead, "?limit=50")["returned_claims"])


def test_another_plan_or_none(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    empty = work(client, "?plan=999999")
    assert all(empty[g] == {"count": 0, "items": []} for g in GROUPS)
    assert empty["plan"] == 999999


def test_bad_parameters_are_400_naming_them(world: World, validated_api) -> None:
    client = validated_api(world.lead_lead)
    for query, field in (("?limit=0", "limit"), ("?limit=x", "limit"), ("?plan=-1", "plan")):
        response = client.get(URL + query)
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == field


def test_constant_number_of_queries(world: World, validated_api, make_member) -> None:
    busiest = (
        Task.objects.filter(plan=world.plan)
        .values("lead_department")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["lead_department"]
    )
    small = make_member(world.other_dept, "dept_lead", username="lead.small")
    large = make_member(
        Task.objects.filter(lead_department_id=busiest).first().lead_department,
        "dept_lead",
        username="lead.large",
    )
    counts = {}
    for user in (small, large, world.supervisor):
        counts[user.username] = queries_for(validated_api(user), URL + "?limit=50")[0]
    # more data in every group for everyone: the count stays
    for task in Task.objects.filter(lead_department_id=busiest).order_by("pk")[:5]:
        task_urge(task=task, actor=world.supervisor, comment="督办", notice=True)
        instruction_create(task=task, actor=world.leader, text="批示")
    Task.objects.filter(lead_department_id=busiest).update(status=TaskStatus.IN_PROGRESS)
    after = queries_for(validated_api(large), URL + "?limit=50")
    assert len(set(counts.values())) == 1, counts
    assert after[0] == counts["lead.large"]
    assert after[1].json()["open_notices"]["count"] == 5
    assert counts["supervisor"] <= 12


def test_an_overlong_number_is_a_400_inside_the_schema(world: World, validated_api) -> None:
    """The fuzzer's case: a number of thousands of digits (DRF says max_string_length)."""
    response = validated_api(world.lead_lead).get("/api/v1/me/work/", {"plan": "9" * 1001})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "plan"


def test_same_statements_for_3_and_30_tasks_per_group(world: World, validated_api, make_member):
    """Counts and items of the six groups come from one statement: as many queries with 3
    tasks in the notice, instruction and overdue groups as with 30."""
    busiest = (
        Task.objects.filter(plan=world.plan)
        .values("lead_department")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["lead_department"]
    )
    ids_ = list(Task.objects.filter(plan=world.plan).order_by("pk").values_list("pk", flat=True))
    assert len(ids_) >= 30
    lead = make_member(Department.objects.get(pk=busiest), "dept_lead", username="lead.busiest")
    client = validated_api(lead)

    def load(first: int, last: int) -> None:
        Task.objects.filter(pk__in=ids_[first:last]).update(
            lead_department_id=busiest, due_date=dt.date(2025, 6, 1), status=TaskStatus.IN_PROGRESS
        )
        for task in Task.objects.filter(pk__in=ids_[first:last]):
            task_urge(task=task, actor=world.supervisor, comment="督办", notice=True)
            instruction_create(task=task, actor=world.leader, text="批示")

    load(0, 3)
    few, small = queries_for(client, URL + "?limit=50")
    load(3, 30)
    many, large = queries_for(client, URL + "?limit=50")
    assert few == many
    for group in ("open_notices", "instructions_to_answer", "overdue"):
        assert small.json()[group]["count"] >= 3 and len(small.json()[group]["items"]) >= 3
        assert large.json()[group]["count"] >= 30 and len(large.json()[group]["items"]) >= 30
    assert len(large.json()["open_notices"]["items"]) == large.json()["open_notices"]["count"]
    # the groups themselves: one statement (the rest is authentication and the plan)
    with CaptureQueriesContext(connection) as statements:
        groups = my_work(user=lead, plan=world.plan.pk, today=clock.today(), limit=50)
    assert len(statements.captured_queries) == 1
    assert [g.count for g in groups] == [large.json()[g]["count"] for g in GROUPS]
