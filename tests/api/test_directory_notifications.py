"""The notifications inbox: own only, ?unread=, mark one / all read, sync with tombstones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks_app.inbox.services import notification_tombstone_resource
from tasks_app.models import Department, Notification, User
from tasks_app.org.tombstones import tombstone_record
from tests.openapi import assert_constant_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def _notify(user: User, count: int, **fields) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(
            recipient=user, kind="reminder_digest", title=f"提醒{n}", body="请及时填报", **fields
        )
        for n in range(count)
    )


@pytest.fixture
def department(db) -> Department:
    return Department.objects.create(code="qfgw", name="测试发改委")


@pytest.fixture
def people(department, supervisor, leader, make_member) -> dict[str, User]:
    other = Department.objects.create(code="qjw", name="测试教委")
    return {
        "supervisor": supervisor,
        "leader": leader,
        "dept_lead": make_member(department, "dept_lead"),
        "dept_staff": make_member(department, "dept_staff"),
        "other": make_member(other, "dept_lead"),
    }


@pytest.mark.parametrize("role", ["supervisor", "leader", "dept_lead", "dept_staff", "other"])
def test_each_role_sees_only_its_own(role, people, validated_api) -> None:
    mine = {n.pk for n in _notify(people[role], 3)}
    for name, person in people.items():
        if name != role:
            _notify(person, 2)
    rows = validated_api(people[role]).get(URL).json()["results"]
    assert {row["id"] for row in rows} == mine
    assert all(row["is_read"] is False and row["read_at"] is None for row in rows)


def test_anonymous_401(validated_api) -> None:
    client = validated_api(None)
    assert client.get(URL).status_code == 401
    assert client.post(f"{URL}read-all/").status_code == 401
    assert client.post(f"{URL}1/read/").status_code == 401


def test_unread_filter(people, validated_api) -> None:
    user = people["dept_lead"]
    unread = _notify(user, 2)
    read = _notify(user, 1, read_at=timezone.now())
    client = validated_api(user)
    assert {r["id"] for r in client.get(f"{URL}?unread=true").json()["results"]} == {
        n.pk for n in unread
    }
    assert [r["id"] for r in client.get(f"{URL}?unread=false").json()["results"]] == [read[0].pk]
    assert len(client.get(URL).json()["results"]) == 3


def test_mark_one_read(people, validated_api) -> None:
    user = people["dept_staff"]
    (note,) = _notify(user, 1)
    before = Notification.objects.get(pk=note.pk).updated_at
    response = validated_api(user).post(f"{URL}{note.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True and response.json()["read_at"]
    note.refresh_from_db()
    assert note.read_at is not None and note.updated_at > before
    again = validated_api(user).post(f"{URL}{note.pk}/read/")
    assert again.status_code == 200
    assert again.json()["read_at"] == response.json()["read_at"]  # idempotent


def test_someone_elses_notification_is_404_and_unchanged(people, validated_api) -> None:
    (theirs,) = _notify(people["dept_lead"], 1)
    for intruder in ("other", "supervisor", "dept_staff"):
        response = validated_api(people[intruder]).post(f"{URL}{theirs.pk}/read/")
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert validated_api(people["other"]).post(f"{URL}{theirs.pk + 999}/read/").status_code == 404


def test_read_all_is_one_update_of_own_unread(people, validated_api) -> None:
    user, other = people["dept_lead"], people["other"]
    _notify(user, 5)
    old_read = _notify(user, 1, read_at=timezone.now() - dt.timedelta(days=3))[0]
    _notify(other, 4)
    client = validated_api(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"{URL}read-all/")
    assert response.status_code == 200
    assert response.json() == {"updated": 5}
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 4
    old_read_again = Notification.objects.get(pk=old_read.pk)
    assert old_read_again.read_at == old_read.read_at  # already read: untouched
    assert client.post(f"{URL}read-all/").json() == {"updated": 0}


def test_read_is_a_post_only(people, validated_api) -> None:
    (note,) = _notify(people["dept_lead"], 1)
    response = validated_api(people["dept_lead"]).get(f"{URL}{note.pk}/read/")
    assert response.status_code == 405


def test_constant_queries(people, validated_api) -> None:
    user = people["dept_staff"]
    _notify(user, 120)
    client = validated_api(user)
    assert assert_constant_queries(client, URL) == 1
    assert_constant_queries(client, f"{URL}?unread=true")
    since = (timezone.now() - dt.timedelta(days=1)).isoformat().replace("+", "%2B")
    assert_constant_queries(client, f"{URL}?updated_since={since}")


def test_sync_updated_since_and_own_tombstones(people, validated_api) -> None:
    user, other = people["dept_lead"], people["other"]
    old, fresh = _notify(user, 2)
    Notification.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=1))
    tombstone_record(resource=notification_tombstone_resource(user.pk), object_id=777001)
    tombstone_record(resource=notification_tombstone_resource(other.pk), object_id=777002)

    since = (timezone.now() - dt.timedelta(hours=1)).isoformat().replace("+", "%2B")
    rows = validated_api(user).get(f"{URL}?updated_since={since}").json()["results"]
    assert rows == [{"id": 777001, "deleted": True}] + [r for r in rows if not r.get("deleted")]
    assert [r["id"] for r in rows[1:]] == [fresh.pk]
    other_rows = validated_api(other).get(f"{URL}?updated_since={since}").json()["results"]
    assert other_rows == [{"id": 777002, "deleted": True}]


def test_unread_count(people, validated_api) -> None:
    lead, supervisor = people["dept_lead"], people["supervisor"]
    _notify(lead, 3)
    _notify(supervisor, 2)
    client = validated_api(lead)
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 3}
    first = client.get("/api/v1/notifications/").json()["results"][0]["id"]
    client.post(f"/api/v1/notifications/{first}/read/")
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    client.post("/api/v1/notifications/read-all/")
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert validated_api(supervisor).get("/api/v1/notifications/unread-count/").json() == {
        "unread": 2
    }
