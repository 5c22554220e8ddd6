"""GET /api/v1/plans/, /plans/{id}/ (ETag) and /plans/{id}/tree/ (counts of visible tasks)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from tasks_app.models import Department, Measure, Plan, Task, TaskStatus
from tasks_app.workflow.flags import with_flags
from tests.openapi import assert_constant_queries, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def busiest(plan: Plan) -> Department:
    """The department leading the most tasks of the plan."""
    return (
        Department.objects.annotate(n=Count("lead_tasks"))
        .filter(n__gt=0)
        .order_by("-n", "code")
        .first()
    )


@pytest.fixture
def outsider(plan: Plan) -> Department:
    """A department with no task at all, as lead or co-department."""
    return Department.objects.filter(lead_tasks=None, co_tasks=None).order_by("code").first()


def _visible_to_department(plan: Plan, department: Department):
    return (
        Task.objects.filter(plan=plan, is_archived=False)
        .filter(Q(lead_department=department) | Q(co_departments=department))
        .distinct()
    )


# --- list and detail --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["supervisor", "leader", "dept_lead", "dept_staff"])
def test_every_role_lists_plans(
    role, plan, busiest, supervisor, leader, make_member, validated_api
) -> None:
    user = {"supervisor": supervisor, "leader": leader}.get(role) or make_member(busiest, role)
    body = validated_api(user).get("/api/v1/plans/").json()
    assert [row["year"] for row in body["results"]] == [2025]
    assert "source_text" not in body["results"][0]


def test_plans_anonymous_401(plan, validated_api) -> None:
    assert validated_api(None).get("/api/v1/plans/").status_code == 401
    assert validated_api(None).get(f"/api/v1/plans/{plan.pk}/").status_code == 401
    assert validated_api(None).get(f"/api/v1/plans/{plan.pk}/tree/").status_code == 401


def test_plans_list_constant_queries(plan, leader, validated_api) -> None:
    Plan.objects.bulk_create(Plan(year=1900 + n, title=f"计划{n}") for n in range(120))
    assert assert_constant_queries(validated_api(leader), "/api/v1/plans/") == 1


def test_plan_detail_etag_and_304(plan, busiest, make_member, validated_api) -> None:
    client = validated_api(make_member(busiest, "dept_staff"))
    url = f"/api/v1/plans/{plan.pk}/"
    first = client.get(url)
    assert first.status_code == 200
    body = first.json()
    assert body["year"] == 2025 and body["source_text"]
    assert [c["number"] for c in body["chapters"]] == [1, 2, 3, 4, 5, 6]
    etag = first["ETag"]
    assert etag.startswith('W/"plan-')

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""

    Plan.objects.filter(pk=plan.pk).update(updated_at=timezone.now() + dt.timedelta(seconds=1))
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_plan_detail_unknown_is_404(plan, leader, validated_api) -> None:
    response = validated_api(leader).get(f"/api/v1/plans/{plan.pk + 999}/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


# --- tree ---------------------------------------------------------------------------------


def _tree(client, plan: Plan) -> dict:
    response = client.get(f"/api/v1/plans/{plan.pk}/tree/")
    assert response.status_code == 200, response.content
    return response.json()


def _assert_counts_consistent(tree: dict) -> None:
    for chapter in tree["chapters"]:
        total = sum(m["counts"]["total"] for m in chapter["measures"])
        assert chapter["counts"]["total"] == total
        assert sum(chapter["counts"]["by_status"].values()) == total
        assert sum(chapter["counts"]["by_flag"].values()) == total
    assert tree["counts"]["total"] == sum(c["counts"]["total"] for c in tree["chapters"])


def test_tree_for_supervisor_counts_every_task(plan, supervisor, validated_api) -> None:
    tree = _tree(validated_api(supervisor), plan)
    assert tree["counts"]["total"] == Task.objects.filter(plan=plan).count() == 81
    assert len(tree["chapters"]) == 6
    assert (
        sum(len(c["measures"]) for c in tree["chapters"])
        == Measure.objects.filter(chapter__plan=plan).count()
    )
    assert tree["counts"]["by_status"] == {status: 0 for status in TaskStatus.values} | {
        "not_started": 81
    }
    today = dt.date.fromisoformat(tree["as_of"])
    flags = with_flags(Task.objects.filter(plan=plan), today=today)
    expected = {row["flag"]: row["n"] for row in flags.values("flag").annotate(n=Count("pk"))}
    assert {k: v for k, v in tree["counts"]["by_flag"].items() if v} == expected
    _assert_counts_consistent(tree)


def test_tree_for_leader_equals_supervisor(plan, supervisor, leader, validated_api) -> None:
    assert _tree(validated_api(leader), plan) == _tree(validated_api(supervisor), plan)


@pytest.mark.parametrize("role", ["dept_lead", "dept_staff"])
def test_tree_for_department_counts_only_its_tasks(
    role, plan, busiest, make_member, validated_api
) -> None:
    tree = _tree(validated_api(make_member(busiest, role)), plan)
    visible = _visible_to_department(plan, busiest)
    assert tree["counts"]["total"] == visible.count() > 0
    per_measure = dict(
        visible.order_by().values_list("measure_id").annotate(n=Count("pk", distinct=True))
    )
    for chapter in tree["chapters"]:
        for measure in chapter["measures"]:
            assert measure["counts"]["total"] == per_measure.get(measure["id"], 0)
    _assert_counts_consistent(tree)


def test_tree_counts_status_and_flag_changes(plan, busiest, make_member, validated_api) -> None:
    client = validated_api(make_member(busiest, "dept_lead"))
    task = Task.objects.filter(plan=plan, lead_department=busiest).order_by("code").first()
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.COMPLETED, progress=100)
    tree = _tree(client, plan)
    measure = next(m for c in tree["chapters"] for m in c["measures"] if m["id"] == task.measure_id)
    assert measure["counts"]["by_status"]["completed"] == 1
    assert tree["counts"]["by_status"]["completed"] == 1
    assert measure["counts"]["by_flag"]["green"] >= 1  # a completed task is never red


def test_tree_for_outsider_is_all_zero(plan, outsider, make_member, validated_api) -> None:
    tree = _tree(validated_api(make_member(outsider, "dept_lead")), plan)
    assert tree["counts"]["total"] == 0
    assert len(tree["chapters"]) == 6  # the plan's structure is public; the counts are not


def test_tree_runs_a_fixed_number_of_queries(
    plan, supervisor, busiest, make_member, validated_api
) -> None:
    count, response = queries_for(validated_api(supervisor), f"/api/v1/plans/{plan.pk}/tree/")
    assert response.status_code == 200
    assert count <= 4
    lead = make_member(busiest, "dept_lead")
    count_lead, _ = queries_for(validated_api(lead), f"/api/v1/plans/{plan.pk}/tree/")
    assert count_lead <= 4


def test_tree_unknown_plan_404(plan, leader, validated_api) -> None:
    assert validated_api(leader).get(f"/api/v1/plans/{plan.pk + 5}/tree/").status_code == 404
