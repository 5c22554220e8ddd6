"""plantracker.api.sync: updated_since parsing, the overlap window, tombstones, first page."""

from __future__ import annotations

import datetime as dt
import threading
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView

from plantracker.api.sync import parse_updated_since
from tasks_app.api.sync import SyncListMixin
from tasks_app.models import Department, Tombstone
from tasks_app.org.tombstones import tombstone_clear, tombstone_record, tombstones_record

URL = "/api/v1/departments/"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _q(moment: dt.datetime | str) -> str:
    text = moment if isinstance(moment, str) else moment.isoformat()
    return quote(text, safe="")


# --- parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-03-01T08:00:00+08:00", dt.datetime(2025, 3, 1, 0, 0, tzinfo=dt.UTC)),
        ("2025-03-01T00:00:00Z", dt.datetime(2025, 3, 1, 0, 0, tzinfo=dt.UTC)),
        ("2025-03-01T08:00:00.250+08:00", dt.datetime(2025, 3, 1, 0, 0, 0, 250000, dt.UTC)),
        # "+" sent unencoded in a query string arrives as a space
        ("2025-03-01T08:00:00 08:00", dt.datetime(2025, 3, 1, 0, 0, tzinfo=dt.UTC)),
    ],
)
def test_parse_accepts_iso_8601_with_offset(raw, expected) -> None:
    assert parse_updated_since(raw) == expected


@pytest.mark.parametrize("raw", [None, ""])
def test_parse_absent_is_none(raw) -> None:
    assert parse_updated_since(raw) is None


@pytest.mark.parametrize(
    "raw", ["yesterday", "2025-03-01", "2025-03-01T08:00:00", "2025-02-30T08:00:00+08:00", "1"]
)
def test_parse_rejects_malformed_or_naive(raw) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_updated_since(raw)
    assert list(caught.value.detail) == ["updated_since"]


# --- the overlap window -----------------------------------------------------------------


@pytest.mark.django_db
def test_overlap_window_boundaries(supervisor, validated_api) -> None:
    overlap = settings.PLANTRACKER["SYNC_OVERLAP_SECONDS"]
    cursor = timezone.now() - dt.timedelta(hours=1)
    inside = Department.objects.create(code="inside", name="窗口内")
    outside = Department.objects.create(code="outside", name="窗口外")
    Department.objects.filter(pk=inside.pk).update(
        updated_at=cursor - dt.timedelta(seconds=overlap - 1)
    )
    Department.objects.filter(pk=outside.pk).update(
        updated_at=cursor - dt.timedelta(seconds=overlap + 1)
    )
    rows = validated_api(supervisor).get(f"{URL}?updated_since={_q(cursor)}").json()["results"]
    assert [r["code"] for r in rows] == ["inside"]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_committing_late_is_not_missed(supervisor, validated_api) -> None:
    """Writer A stamps a row, commits only after the client has synced past that stamp."""
    early = Department.objects.create(code="early", name="早写")
    start = timezone.now()
    stamped, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                Department.objects.filter(pk=early.pk).update(
                    name="早写晚提交", updated_at=timezone.now()
                )
                stamped.set()
                release.wait(20)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert stamped.wait(20)
    time.sleep(0.05)
    Department.objects.create(code="later", name="晚写早提交")  # commits at once

    client = validated_api(supervisor)
    first = client.get(f"{URL}?updated_since={_q(start)}")
    names = {r["name"] for r in first.json()["results"]}
    assert "晚写早提交" in names and "早写晚提交" not in names  # A not committed yet
    cursor = first["X-Server-Time"]
    assert dt.datetime.fromisoformat(cursor) > start

    release.set()
    writer.join(20)
    second = client.get(f"{URL}?updated_since={_q(cursor)}").json()["results"]
    assert "早写晚提交" in {r["name"] for r in second}  # caught by the overlap

    no_overlap = {**settings.PLANTRACKER, "SYNC_OVERLAP_SECONDS": 0}
    with override_settings(PLANTRACKER=no_overlap):
        bare = client.get(f"{URL}?updated_since={_q(cursor)}").json()["results"]
    assert "早写晚提交" not in {r["name"] for r in bare}  # what a bare `>` filter would lose


# --- tombstones ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_tombstone_record_is_an_upsert() -> None:
    tombstone_record(resource="milestone", object_id=5, task_id=9, department_ids=[3, 1, 3])
    first = Tombstone.objects.get(resource="milestone", object_id=5)
    assert first.department_ids == [1, 3] and first.task_id == 9
    Tombstone.objects.filter(pk=first.pk).update(updated_at=timezone.now() - dt.timedelta(days=1))
    tombstone_record(resource="milestone", object_id=5, department_ids=[7])
    again = Tombstone.objects.get(resource="milestone", object_id=5)
    assert Tombstone.objects.count() == 1
    assert again.pk == first.pk and again.department_ids == [7] and again.task_id is None
    assert again.updated_at > timezone.now() - dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_tombstones_record_many_and_clear() -> None:
    rows = [(n, None, [1]) for n in range(1, 6)]
    assert tombstones_record(resource="task", rows=rows) == 5
    assert tombstones_record(resource="task", rows=rows) == 5
    assert tombstones_record(resource="task", rows=[]) == 0
    assert Tombstone.objects.filter(resource="task").count() == 5
    assert tombstone_clear(resource="task", object_ids=[1, 2]) == 2
    assert set(Tombstone.objects.values_list("object_id", flat=True)) == {3, 4, 5}


@pytest.mark.django_db
def test_tombstones_only_on_the_first_page_and_only_with_updated_since(
    supervisor, validated_api
) -> None:
    for n in range(3):
        Department.objects.create(code=f"d{n}", name=f"部门{n}")
    tombstone_record(resource="department", object_id=424242)
    tombstone_record(resource="milestone", object_id=515151)  # another resource: not here
    client = validated_api(supervisor)
    since = _q(timezone.now() - dt.timedelta(minutes=5))

    first = client.get(f"{URL}?updated_since={since}&page_size=1").json()
    assert first["results"][0] == {"id": 424242, "deleted": True}
    assert len(first["results"]) == 2 and "code" in first["results"][1]
    second = client.get(first["next"]).json()
    assert all(not r.get("deleted") for r in second["results"])
    assert len(second["results"]) == 1

    plain = client.get(f"{URL}?page_size=100").json()["results"]
    assert all(not r.get("deleted") for r in plain)

    Tombstone.objects.update(updated_at=timezone.now() - dt.timedelta(days=1))
    later = client.get(f"{URL}?updated_since={since}").json()["results"]
    assert all(not r.get("deleted") for r in later)  # older than the cursor: not again


@pytest.mark.django_db
def test_server_time_header_on_every_sync_list(supervisor, validated_api) -> None:
    before = timezone.now()
    response = validated_api(supervisor).get(URL)
    stamp = dt.datetime.fromisoformat(response["X-Server-Time"])
    assert before <= stamp <= timezone.now()


def test_a_sync_view_must_keep_the_updated_since_backend() -> None:
    with pytest.raises(TypeError, match="UpdatedSinceFilter"):

        class Broken(SyncListMixin, ListAPIView):
            filter_backends: list = []
