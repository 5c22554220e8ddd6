"""GET /api/v1/departments/: every signed-in role lists all; filters, paging, sync."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tasks_app.models import Department, Plan
from tasks_app.org.tombstones import tombstone_record
from tests.openapi import assert_constant_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/departments/"
ROLES = ["supervisor", "leader", "dept_lead", "dept_staff", "admin"]


@pytest.fixture
def user_of(plan: Plan, supervisor, leader, make_member, django_user_model):
    def pick(role: str):
        department = Department.objects.order_by("code").first()
        if role == "supervisor":
            return supervisor
        if role == "leader":
            return leader
        if role == "admin":
            return django_user_model.objects.create_superuser("root", "root@x.test", "pw-12345678")
        return make_member(department, role)

    return pick


def _all(client, url: str) -> list[dict]:
    rows: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_every_department(role, user_of, validated_api) -> None:
    rows = _all(validated_api(user_of(role)), f"{URL}?page_size=200")
    assert len(rows) == Department.objects.count() == 65
    first = rows[0]
    assert set(first) == {"id", "code", "name", "kind", "is_active", "updated_at"}
    assert "webhook_url" not in first


def test_anonymous_is_401(plan, validated_api) -> None:
    response = validated_api(None).get(URL)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_filters_kind_active_and_search(user_of, validated_api) -> None:
    client = validated_api(user_of("dept_staff"))
    towns = client.get(f"{URL}?kind=town&page_size=200").json()["results"]
    assert towns and {row["kind"] for row in towns} == {"town"}
    assert len(towns) == Department.objects.filter(kind="town").count()

    Department.objects.filter(code="tjj").update(is_active=False)
    inactive = client.get(f"{URL}?is_active=false").json()["results"]
    assert [row["code"] for row in inactive] == ["tjj"]

    by_name = client.get(f"{URL}?search=统计").json()["results"]
    assert "tjj" in {row["code"] for row in by_name}
    by_code = client.get(f"{URL}?search=fgw").json()["results"]
    assert [row["code"] for row in by_code] == ["fgw"]


def test_bad_kind_is_400_naming_the_field(user_of, validated_api) -> None:
    response = validated_api(user_of("dept_lead")).get(f"{URL}?kind=planet")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"][0]["attr"] == "kind"
    assert body["errors"][0]["code"] == "invalid_choice"


def test_ordering_by_code(user_of, validated_api) -> None:
    rows = validated_api(user_of("leader")).get(f"{URL}?ordering=code&page_size=200").json()
    codes = [row["code"] for row in rows["results"]]
    assert codes == sorted(codes)


def test_page_size_is_capped_at_200(user_of, validated_api) -> None:
    Department.objects.bulk_create(
        Department(code=f"extra-{n:03d}", name=f"测试单位{n:03d}") for n in range(150)
    )
    client = validated_api(user_of("supervisor"))
    body = client.get(f"{URL}?page_size=500").json()
    assert len(body["results"]) == 200
    assert body["next"]
    assert len(client.get(f"{URL}?page_size=7").json()["results"]) == 7
    assert len(client.get(URL).json()["results"]) == 50  # the default


def test_constant_queries(user_of, validated_api) -> None:
    client = validated_api(user_of("dept_lead"))
    assert assert_constant_queries(client, URL) <= 2
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert_constant_queries(client, f"{URL}?updated_since={since.replace('+', '%2B')}")


def test_updated_since_and_tombstones(user_of, validated_api) -> None:
    long_ago = timezone.now() - dt.timedelta(days=30)
    Department.objects.update(updated_at=long_ago)
    Department.objects.filter(code="fgw").update(updated_at=timezone.now())
    gone_id = Department.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    tombstone_record(resource="department", object_id=gone_id)  # as a deleting service would

    client = validated_api(user_of("dept_staff"))
    since = (timezone.now() - dt.timedelta(minutes=1)).isoformat().replace("+", "%2B")
    response = client.get(f"{URL}?updated_since={since}")
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {"id": gone_id, "deleted": True}
    assert [row["code"] for row in results[1:]] == ["fgw"]
    assert response["X-Server-Time"]
