"""GET /api/v1/tasks/: visibility per role, every filter, search, ordering, query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from tasks_app.models import KeyResult, ProgressReport, Task, TaskStatus, User
from tests.api.tasks_support import World
from tests.openapi import assert_constant_queries

URL = "/api/v1/tasks/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:500]
    return {row["id"] for row in response.json()["results"]}


def all_ids(client, query: str = "") -> set[int]:
    return ids(client.get(f"{URL}?page_size=200{query}"))


def department_task_ids(department_id: int) -> set[int]:
    rows = Task.objects.filter(
        Q(lead_department_id=department_id) | Q(co_departments=department_id)
    ).values_list("pk", flat=True)
    return set(rows)


def test_district_roles_see_every_task(world: World, validated_api) -> None:
    everything = set(Task.objects.values_list("pk", flat=True))
    assert len(everything) == 81
    assert all_ids(validated_api(world.supervisor)) == everything
    assert all_ids(validated_api(world.leader)) == everything


@pytest.mark.parametrize("who", ["lead_lead", "lead_staff", "co_lead", "co_staff", "other_lead"])
def test_a_department_sees_its_own_tasks_only(world: World, validated_api, who: str) -> None:
    user: User = getattr(world, who)
    department = user.memberships.get().department_id
    seen = all_ids(validated_api(user))
    assert seen == department_task_ids(department)
    assert (world.task.pk in seen) == (not who.startswith("other"))


def test_anonymous_is_401(world: World, validated_api) -> None:
    assert validated_api(None).get(URL).status_code == 401


def test_fields_of_a_listed_task(world: World, validated_api) -> None:
    kr = KeyResult.objects.filter(raw__contains="1.9万亩").select_related("task").get()
    row = next(
        r
        for r in validated_api(world.supervisor)
        .get(f"{URL}?search={kr.task.code}")
        .json()["results"]
        if r["id"] == kr.task_id
    )
    assert {
        "id",
        "code",
        "title",
        "text",
        "plan",
        "chapter",
        "measure",
        "lead_department",
        "co_departments",
        "owner",
        "due_date",
        "status",
        "progress",
        "flag",
        "key_results",
        "updated_at",
        "expected_progress",
        "original_due_date",
        "report_status",
    } <= set(row)
    assert {"id": kr.pk, "value": 19000, "unit": "亩", "label": kr.label, "actual": None} in row[
        "key_results"
    ]
    assert isinstance(row["key_results"][0]["value"], int | float)
    assert row["lead_department"]["id"] == kr.task.lead_department_id
    assert row["report_period"] == "2025-05"  # June is due on 07-05: May is the last closed
    assert row["report_status"] == "missing"


def test_structure_and_people_filters(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    task = world.task
    Task.objects.filter(pk=task.pk).update(owner=world.lead_lead)
    assert all_ids(client, f"&plan={world.plan.pk}") == set(
        Task.objects.values_list("pk", flat=True)
    )
    assert all_ids(client, f"&chapter={task.chapter_id}") == set(
        Task.objects.filter(chapter=task.chapter_id).values_list("pk", flat=True)
    )
    assert all_ids(client, f"&measure={task.measure_id}") == set(
        Task.objects.filter(measure=task.measure_id).values_list("pk", flat=True)
    )
    assert all_ids(client, f"&lead_department={world.lead_dept.pk}") == set(
        Task.objects.filter(lead_department=world.lead_dept).values_list("pk", flat=True)
    )
    co_view = all_ids(client, f"&department={world.co_dept.pk}")
    assert co_view == department_task_ids(world.co_dept.pk) and task.pk in co_view
    assert all_ids(client, f"&owner={world.lead_lead.pk}") == {task.pk}


def test_status_date_and_report_filters(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    Task.objects.filter(pk=world.task.pk).update(
        status=TaskStatus.IN_PROGRESS, due_date=dt.date(2025, 9, 30)
    )
    assert all_ids(client, "&status=in_progress") == {world.task.pk}
    assert all_ids(client, "&due_before=2025-09-30") == set(
        Task.objects.filter(due_date__lte=dt.date(2025, 9, 30)).values_list("pk", flat=True)
    )
    assert world.task.pk in all_ids(client, "&due_before=2025-09-30&due_after=2025-09-30")
    assert world.task.pk not in all_ids(client, "&due_after=2025-10-01")
    assert all_ids(client, "&report_status=in") == set()
    report = ProgressReport.objects.create(
        task=world.task,
        author=world.lead_lead,
        department=world.lead_dept,
        period="2025-05",
        percent=30,
        narrative="五月进展",
    )
    ProgressReport.objects.filter(pk=report.pk).update(
        created_at=dt.datetime(2025, 6, 3, 9, tzinfo=dt.UTC)
    )
    assert all_ids(client, "&report_status=in") == {world.task.pk}
    missing = all_ids(client, "&report_status=missing")
    assert missing == set(Task.objects.exclude(pk=world.task.pk).values_list("pk", flat=True))


def test_search_by_code_and_text(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    assert all_ids(client, f"&search={world.task.code}") == {world.task.pk}
    kr_task = KeyResult.objects.get(raw__contains="1.9万亩").task
    assert kr_task.pk in all_ids(client, "&search=高标准农田")


@pytest.mark.parametrize("field", ["due_date", "updated_at", "progress", "code"])
def test_ordering(world: World, validated_api, field: str) -> None:
    Task.objects.filter(pk=world.task.pk).update(progress=40)
    client = validated_api(world.supervisor)
    for prefix in ("", "-"):
        rows = client.get(f"{URL}?page_size=200&ordering={prefix}{field}").json()["results"]
        keys = [(row[field], row["id"]) for row in rows]
        expected = sorted(keys, key=lambda k: (k[0], k[1]), reverse=bool(prefix))
        assert [k[0] for k in keys] == [k[0] for k in expected]


@pytest.mark.slow
def test_cursor_pages_cover_every_task_once_in_due_order(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    url, seen = f"{URL}?page_size=7&ordering=due_date", []
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 81


def test_updated_since_returns_recent_changes_and_tombstones(
    world: World, validated_api, clock
) -> None:
    client = validated_api(world.supervisor)
    clock.move_to(dt.datetime(2025, 6, 20, 9, 0, tzinfo=dt.UTC))
    client.patch(world.url(), {"title": "新标题"}, format="json")
    response = client.get(f"{URL}?updated_since=2025-06-20T08:00:00%2B00:00")
    assert ids(response) == {world.task.pk}
    assert response["X-Server-Time"]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("flag=purple", "flag"),
        ("status=done", "status"),
        ("due_before=tomorrow", "due_before"),
        ("plan=abc", "plan"),
        ("overdue=maybe", "overdue"),
        ("updated_since=yesterday", "updated_since"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(
    world: World, validated_api, query: str, param: str
) -> None:
    response = validated_api(world.supervisor).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert param in {error["attr"] for error in response.json()["errors"]}


@pytest.mark.parametrize("who", ["supervisor", "lead_lead"])
def test_constant_query_count(world: World, validated_api, make_member, who: str) -> None:
    user = world.supervisor
    if who == "lead_lead":
        busiest = (
            Task.objects.values("lead_department").order_by().annotate(n=models_count())
        ).order_by("-n")[0]["lead_department"]
        user = make_member(
            world.plan.tasks.filter(lead_department=busiest).first().lead_department,
            "dept_lead",
            username="lead.busiest",
        )
    Task.objects.update(owner=world.lead_lead)
    assert_constant_queries(validated_api(user), URL)
    assert_constant_queries(validated_api(user), f"{URL}?flag=red")


def models_count():
    from django.db.models import Count

    return Count("pk")
