"""GET /api/v1/milestones/: milestones of visible tasks, task filters, overdue, sync."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from tasks_app.models import Department, Milestone, Plan, Task, TaskStatus
from tasks_app.org.tombstones import tombstone_record
from tests.openapi import assert_constant_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/milestones/"


@pytest.fixture
def busiest(plan: Plan) -> Department:
    return (
        Department.objects.annotate(n=Count("lead_tasks"))
        .filter(n__gt=0)
        .order_by("-n", "code")
        .first()
    )


@pytest.fixture
def other(plan: Plan, busiest: Department) -> Department:
    """A department leading tasks, sharing none with `busiest` (as lead or co)."""
    shared = Task.objects.filter(Q(lead_department=busiest) | Q(co_departments=busiest))
    excluded = set(shared.values_list("co_departments", flat=True)) | set(
        shared.values_list("lead_department", flat=True)
    )
    candidates = Department.objects.annotate(n=Count("lead_tasks")).filter(n__gt=0)
    for department in candidates.exclude(pk__in=[e for e in excluded if e]).order_by("code"):
        theirs = Task.objects.filter(Q(lead_department=department) | Q(co_departments=department))
        if not theirs.filter(Q(lead_department=busiest) | Q(co_departments=busiest)).exists():
            return department
    raise AssertionError("no unrelated department in the plan")


def _expected_ids(department: Department | None) -> set[int]:
    milestones = Milestone.objects.filter(task__is_archived=False)
    if department is not None:
        milestones = milestones.filter(
            Q(task__lead_department=department) | Q(task__co_departments=department)
        )
    return set(milestones.values_list("pk", flat=True))


def _all(client, url: str) -> list[dict]:
    sep = "&" if "?" in url else "?"
    url = f"{url}{sep}page_size=200"
    rows: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


@pytest.mark.parametrize("role", ["supervisor", "leader"])
def test_district_roles_see_every_milestone(role, plan, supervisor, leader, validated_api):
    user = supervisor if role == "supervisor" else leader
    rows = _all(validated_api(user), URL)
    assert {row["id"] for row in rows} == _expected_ids(None)
    assert len(rows) == Milestone.objects.count() > 81


@pytest.mark.parametrize("role", ["dept_lead", "dept_staff"])
def test_department_sees_only_its_tasks_milestones(
    role, busiest, other, make_member, validated_api
):
    rows = _all(validated_api(make_member(busiest, role)), URL)
    ids = {row["id"] for row in rows}
    assert ids == _expected_ids(busiest) and ids
    assert not ids & _expected_ids(other)
    sample = rows[0]
    assert set(sample) >= {"id", "task", "task_code", "due_date", "is_overdue", "updated_at"}


def test_other_department_sees_none_of_busiest(busiest, other, make_member, validated_api):
    rows = _all(validated_api(make_member(other, "dept_lead")), URL)
    assert {row["id"] for row in rows} == _expected_ids(other)
    assert not {row["id"] for row in rows} & (_expected_ids(busiest) - _expected_ids(other))


def test_archived_tasks_milestones_are_hidden(busiest, make_member, validated_api):
    task = Task.objects.filter(lead_department=busiest).order_by("code").first()
    Task.objects.filter(pk=task.pk).update(is_archived=True)
    rows = _all(validated_api(make_member(busiest, "dept_lead")), URL)
    assert task.pk not in {row["task"] for row in rows}


def test_anonymous_401(plan, validated_api):
    assert validated_api(None).get(URL).status_code == 401


def test_filters(plan, busiest, supervisor, validated_api):
    client = validated_api(supervisor)
    task = Task.objects.filter(lead_department=busiest).order_by("code").first()

    by_chapter = _all(client, f"{URL}?chapter={task.chapter_id}")
    assert {r["id"] for r in by_chapter} == set(
        Milestone.objects.filter(task__chapter=task.chapter_id).values_list("pk", flat=True)
    )
    by_measure = _all(client, f"{URL}?measure={task.measure_id}")
    assert {r["task"] for r in by_measure} == set(
        Task.objects.filter(measure=task.measure_id).values_list("pk", flat=True)
    )
    by_lead = _all(client, f"{URL}?lead_department={busiest.pk}")
    assert {r["id"] for r in by_lead} == set(
        Milestone.objects.filter(task__lead_department=busiest).values_list("pk", flat=True)
    )
    by_department = _all(client, f"{URL}?department={busiest.pk}")
    assert {r["id"] for r in by_department} == _expected_ids(busiest)
    assert len(_all(client, f"{URL}?plan={plan.pk}")) == Milestone.objects.count()
    assert _all(client, f"{URL}?plan={plan.pk + 1}") == []

    window = _all(client, f"{URL}?due_after=2025-04-01&due_before=2025-06-30")
    assert window and all("2025-04-01" <= r["due_date"] <= "2025-06-30" for r in window)
    assert (
        len(window)
        == Milestone.objects.filter(
            due_date__range=(dt.date(2025, 4, 1), dt.date(2025, 6, 30))
        ).count()
    )


def test_overdue_and_completed(busiest, make_member, validated_api):
    today = timezone.localdate()
    tasks = list(Task.objects.filter(lead_department=busiest).order_by("code")[:3])
    chased, done_task, suspended = tasks
    Milestone.objects.filter(task__lead_department=busiest).update(
        due_date=today + dt.timedelta(days=30)
    )
    late = Milestone.objects.filter(task=chased).first()
    Milestone.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=1))
    finished = Milestone.objects.filter(task=chased).exclude(pk=late.pk).first()
    Milestone.objects.filter(pk=finished.pk).update(
        due_date=today - dt.timedelta(days=3), completed_at=timezone.now()
    )
    Task.objects.filter(pk=done_task.pk).update(status=TaskStatus.COMPLETED)
    Task.objects.filter(pk=suspended.pk).update(status=TaskStatus.SUSPENDED)
    Milestone.objects.filter(task__in=[done_task, suspended]).update(
        due_date=today - dt.timedelta(days=10)
    )

    client = validated_api(make_member(busiest, "dept_lead"))
    overdue = _all(client, f"{URL}?overdue=true&lead_department={busiest.pk}")
    assert [r["id"] for r in overdue] == [late.pk]
    assert overdue[0]["is_overdue"] is True
    not_overdue = _all(client, f"{URL}?overdue=false&lead_department={busiest.pk}")
    assert late.pk not in {r["id"] for r in not_overdue}
    assert all(r["is_overdue"] is False for r in not_overdue)
    completed = _all(client, f"{URL}?completed=true&lead_department={busiest.pk}")
    assert [r["id"] for r in completed] == [finished.pk]


@pytest.mark.parametrize(
    ("query", "attr"),
    [
        ("due_before=2025-13-01", "due_before"),
        ("due_after=yesterday", "due_after"),
        ("chapter=one", "chapter"),
        ("department=1.5", "department"),
        ("updated_since=2025-03-01", "updated_since"),
        ("updated_since=2025-03-01T08:00:00", "updated_since"),
    ],
)
def test_bad_filters_are_400_naming_the_field(query, attr, plan, leader, validated_api):
    response = validated_api(leader).get(f"{URL}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    assert [e["attr"] for e in body["errors"]] == [attr]


def test_constant_queries(plan, busiest, supervisor, make_member, validated_api):
    assert assert_constant_queries(validated_api(supervisor), URL) == 1
    lead = validated_api(make_member(busiest, "dept_lead"))
    past = timezone.localdate() - dt.timedelta(days=10)
    Milestone.objects.filter(task__lead_department=busiest).update(due_date=past)
    assert_constant_queries(lead, f"{URL}?overdue=true&department={busiest.pk}&due_before={past}")
    since = (timezone.now() - dt.timedelta(days=1)).isoformat().replace("+", "%2B")
    assert_constant_queries(lead, f"{URL}?updated_since={since}")


def test_tombstones_follow_task_and_department_visibility(
    busiest, other, supervisor, make_member, validated_api
):
    Milestone.objects.update(updated_at=timezone.now() - dt.timedelta(days=2))
    busiest_task = Task.objects.filter(lead_department=busiest).order_by("code").first()
    # a milestone removed from a task the department still sees
    tombstone_record(resource="milestone", object_id=900001, task_id=busiest_task.pk)
    # a milestone of a task that is gone for good: only its departments see the removal
    tombstone_record(
        resource="milestone", object_id=900002, task_id=None, department_ids=[other.pk]
    )
    tombstone_record(resource="task", object_id=900003, department_ids=[busiest.pk])

    since = (timezone.now() - dt.timedelta(hours=1)).isoformat().replace("+", "%2B")
    url = f"{URL}?updated_since={since}"

    def deleted(user) -> set[int]:
        rows = validated_api(user).get(url).json()["results"]
        return {r["id"] for r in rows if r.get("deleted")}

    assert deleted(make_member(busiest, "dept_lead")) == {900001}
    assert deleted(make_member(busiest, "dept_staff", username="staff2")) == {900001}
    assert deleted(make_member(other, "dept_lead")) == {900002}
    assert deleted(supervisor) == {900001, 900002}


@pytest.mark.parametrize("ordering", ["due_date", "-due_date"])
def test_paging_by_a_non_unique_field_neither_repeats_nor_skips(
    ordering, plan, supervisor, validated_api
):
    # hundreds of milestones share a handful of quarter-end dates
    client = validated_api(supervisor)
    url = f"{URL}?ordering={ordering}&page_size=7"
    seen: list[dict] = []
    while url:
        body = client.get(url).json()
        seen += body["results"]
        url = body["next"]
    ids = [r["id"] for r in seen]
    assert len(ids) == len(set(ids)) == Milestone.objects.count()
    dates = [r["due_date"] for r in seen]
    assert dates == sorted(dates, reverse=ordering.startswith("-"))
