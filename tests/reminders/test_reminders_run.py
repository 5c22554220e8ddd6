"""reminders_run: one digest per recipient listing every item, never twice (repeat, retry,
concurrent runs), and a candidate search whose query count does not grow with tasks."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tasks_app.models import (
    Delivery,
    HistoryEvent,
    Milestone,
    Notification,
    ReminderDispatch,
    ReminderEscalation,
    ReminderRun,
    SupervisionNotice,
    Task,
    User,
)
from tasks_app.reminders.ladder import Audience, LadderRules, candidates_for
from tasks_app.reminders.registry import collect_items
from tasks_app.reminders.run import outside_cooldown, reminders_run

DAY = dt.date(2025, 10, 10)  # the focus task is 5 working days late; Q1/Q2 milestones older


@pytest.mark.django_db
def test_one_digest_per_recipient_listing_every_item(world):
    summary = reminders_run(today=DAY)
    digests = Notification.objects.filter(kind="reminder_digest")  # 督办单 are their own
    assert summary.digests == digests.count() > 0
    per_recipient = Counter(digests.values_list("recipient_id", flat=True))
    assert set(per_recipient.values()) == {1}
    cap = settings.PLANTRACKER["DIGEST_MAX_ITEMS"]
    for digest in digests:
        rows = ReminderDispatch.objects.filter(notification=digest)
        assert rows.count() == digest.payload["total"] > 0  # the ledger has every item
        assert len(digest.payload["items"]) == min(cap, rows.count())  # the digest lists a few
        assert digest.payload["more"] == rows.count() - len(digest.payload["items"])
        assert sum(digest.payload["counts"].values()) == rows.count()
        assert {r.recipient_id for r in rows} == {digest.recipient_id}
        for item in digest.payload["items"]:
            assert item["title"] in digest.body
    lead_digest = digests.get(recipient=world.lead)
    assert "已逾期（催办）" in lead_digest.body and "督办提醒" in lead_digest.title
    # The lead also receives each 督办单 the run issued for the department's tasks.
    notices = Notification.objects.filter(recipient=world.lead, kind="supervision_notice")
    assert notices.count() == SupervisionNotice.objects.filter(department=world.department).count()
    sup_digest = digests.get(recipient=world.supervisor)
    assert "逾期5个工作日以上（督办）" in sup_digest.body
    assert summary.dispatches == ReminderDispatch.objects.count()


@pytest.mark.django_db
def test_the_same_run_again_that_day_records_nothing_new(world):
    first = reminders_run(today=DAY)
    counts = (
        ReminderDispatch.objects.count(),
        Notification.objects.count(),
        Delivery.objects.count(),
        SupervisionNotice.objects.count(),
    )
    second = reminders_run(today=DAY)
    assert first.dispatches > 0 and first.notices > 0
    assert (second.dispatches, second.digests, second.deliveries, second.notices) == (0, 0, 0, 0)
    assert second.candidates == first.candidates  # the same reminders were due...
    assert counts == (
        ReminderDispatch.objects.count(),
        Notification.objects.count(),
        Delivery.objects.count(),
        SupervisionNotice.objects.count(),
    )  # ...and none was recorded twice
    assert ReminderRun.objects.get(run_date=DAY).attempts == 2


@pytest.mark.django_db
def test_the_ledger_refuses_a_second_row_for_the_same_key(world):
    reminders_run(today=DAY)
    row = ReminderDispatch.objects.first()
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


@pytest.mark.django_db
def test_each_notice_is_recorded_with_its_ledger_history_notifications_and_outbox(world):
    summary = reminders_run(today=DAY)
    notices = list(SupervisionNotice.objects.filter(kind="notice"))
    assert summary.notices == len(notices) > 0
    for notice in notices:
        assert notice.status == "open" and notice.issued_by is None and notice.respond_by
        assert notice.created_at is not None and notice.answer_attachments == []
        assert ReminderEscalation.objects.filter(notice=notice, run_date=DAY).exists()
        (event,) = HistoryEvent.objects.filter(action="supervision_notice", task=notice.task)
        assert event.to_value["notice_id"] == notice.pk and event.reason == notice.reason
        rows = Notification.objects.filter(
            kind="supervision_notice", payload__supervision_notice=notice.pk
        )
        assert {r.task_id for r in rows} <= {notice.task_id}  # none when nobody leads it
        for row in rows:
            assert row.params["reason"] == notice.reason and notice.reason in row.body
            assert row.params["respond_by"] == notice.respond_by.isoformat()
            assert row.created_at is not None and row.read_at is None
            for delivery in Delivery.objects.filter(notification=row):
                assert delivery.recipient_id == row.recipient_id
                assert delivery.status == "pending" and delivery.next_attempt_at is not None
                if delivery.channel == "email":
                    assert delivery.target == row.recipient.email
                if delivery.channel == "push":
                    assert delivery.payload["data"]["notification_id"] == row.pk
    assert Notification.objects.filter(recipient=world.lead, kind="supervision_notice").exists()
    assert Delivery.objects.filter(notification__kind="supervision_notice").exists()
    assert reminders_run(today=DAY).notices == 0  # the same day again: nothing new


@pytest.mark.django_db
def test_a_run_that_fails_midway_leaves_nothing_and_reruns_cleanly(world, monkeypatch):
    from tasks_app.reminders import notices

    def broken(*args, **kwargs):
        raise RuntimeError("worker died while recording")

    # Midway: the 督办单, their ledger and history rows are written, and the staged
    # notifications' load is under way (a COPY on PostgreSQL) when the worker dies.
    monkeypatch.setattr(notices, "deliveries_build", broken)
    with pytest.raises(RuntimeError, match="worker died"):
        reminders_run(today=DAY)
    assert not ReminderDispatch.objects.exists() and not Notification.objects.exists()
    assert not SupervisionNotice.objects.exists() and not ReminderEscalation.objects.exists()
    monkeypatch.undo()
    assert reminders_run(today=DAY).dispatches > 0
    assert Delivery.objects.count() > 0


def _search_queries(today: dt.date) -> int:
    rules = LadderRules.for_day(today)
    with CaptureQueriesContext(connection) as ctx:
        items = collect_items(today=today, warn_until=rules.warn_until)
        outside_cooldown(candidates_for(items, rules, Audience.for_items(items)), today)
    return len(ctx.captured_queries)


def _more_tasks(world, count: int) -> None:
    template = world.task
    tasks = Task.objects.bulk_create(
        [
            Task(
                plan=template.plan,
                chapter=template.chapter,
                measure=template.measure,
                code=f"bench-{n:05d}",
                sentence_no=1000 + n,
                text=template.text,
                title=f"压测任务{n}",
                lead_department=template.lead_department,
                owner=world.owner if n % 2 else None,
                start_date=dt.date(2025, 1, 1),
                due_date=dt.date(2025, 9, 1) + dt.timedelta(days=n % 60),
                original_due_date=dt.date(2025, 9, 1),
            )
            for n in range(count)
        ]
    )
    Milestone.objects.bulk_create(
        Milestone(
            task=t,
            sequence=1,
            title="节点",
            due_date=dt.date(2025, 6, 30),
            original_due_date=dt.date(2025, 6, 30),
        )
        for t in tasks
    )


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_number_of_tasks(world, on_postgres):
    small_search = _search_queries(DAY)
    with CaptureQueriesContext(connection) as small_run:
        small = reminders_run(today=DAY)
    for model in (ReminderDispatch, Delivery, Notification, ReminderEscalation, ReminderRun):
        model.objects.all().delete()
    SupervisionNotice.objects.all().delete()
    _more_tasks(world, 300)
    User.objects.bulk_create(  # more recipients too: every supervisor hears of every item
        User(username=f"sup.extra.{n}", email=f"sup{n}@extra.test", district_role="supervisor")
        for n in range(20)
    )
    large_search = _search_queries(DAY)
    with CaptureQueriesContext(connection) as large_run:
        large = reminders_run(today=DAY)
    assert large.items > small.items + 600  # deadline + milestone (+ reports) per new task
    # + open 督办单, 领导批示 answers owed, tasks awaiting 签收, bodies
    assert large_search == small_search <= 15
    # The whole run: the same statements, INSERTs included (set-based: no batches that
    # grow with the rows; COPY, on PostgreSQL, is not a query Django sees, and is constant).
    small_reads, small_inserts = _split(small_run)
    large_reads, large_inserts = _split(large_run)
    # + preferences (digests, 督办单), 签收, ids reserved (digests, 督办单, their
    # notifications) and the temporary tables' CREATE / ANALYZE / DROP (SQLite: one DROP
    # per table, and its executemany loads, which Django logs as "N times: INSERT …")
    assert large_reads == small_reads <= (46 if on_postgres else 57)
    assert large.dispatches > 1000 and large.digests >= small.digests + 20
    assert large.notices > small.notices + 250  # a 督办单 per new task (its own deadline)
    # The INSERTs too (the run's lock row and five INSERT … SELECT), on both databases.
    assert large_inserts == small_inserts <= 6


def _split(ctx: CaptureQueriesContext) -> tuple[int, int]:
    inserts = sum(1 for q in ctx.captured_queries if q["sql"].lstrip().startswith("INSERT"))
    return len(ctx.captured_queries) - inserts, inserts


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_of_the_same_day_record_each_reminder_once(world, on_postgres):
    assert on_postgres
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        try:
            barrier.wait()
            reminders_run(today=DAY)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    keys = ReminderDispatch.objects.values_list("item_key", "level", "recipient_id", "run_date")
    assert len(keys) == len(set(keys)) > 0
    assert (
        Counter(
            Notification.objects.filter(kind="reminder_digest").values_list(
                "recipient_id", flat=True
            )
        ).most_common(1)[0][1]
        == 1
    )
    assert ReminderRun.objects.get(run_date=DAY).attempts == 3


@pytest.mark.django_db
def test_a_long_digest_lists_the_most_overdue_and_counts_the_rest(world, settings):
    settings.PLANTRACKER = {**settings.PLANTRACKER, "DIGEST_MAX_ITEMS": 3}
    reminders_run(today=DAY)
    digest = Notification.objects.get(recipient=world.supervisor, kind="reminder_digest")
    rows = ReminderDispatch.objects.filter(notification=digest)
    total = rows.count()
    assert total > 3 and digest.payload["total"] == total
    listed = digest.payload["items"]
    assert len(listed) == 3 and digest.payload["more"] == total - 3
    # the most overdue first: no unlisted item of the same rung is older than a listed one
    oldest = sorted(rows.values_list("item_due_date", flat=True))[:3]
    assert [dt.date.fromisoformat(item["due_date"]) for item in listed] == oldest
    assert f"另有{total - 3}项" in digest.body and "/console/" in digest.body
    deliveries = {d.channel: d.payload for d in Delivery.objects.filter(notification=digest)}
    if "email" in deliveries:
        assert f"另有{total - 3}项" in deliveries["email"]["text"]
        assert "/console/" in deliveries["email"]["html"]
    # every item is in the ledger: the next run (cool-down) records none of them again
    assert reminders_run(today=DAY).dispatches == 0


@pytest.mark.django_db
def test_a_short_digest_lists_every_item(world, settings):
    settings.PLANTRACKER = {**settings.PLANTRACKER, "DIGEST_MAX_ITEMS": 100_000}
    reminders_run(today=DAY)
    for digest in Notification.objects.filter(kind="reminder_digest"):
        assert len(digest.payload["items"]) == digest.payload["total"]
        assert digest.payload["more"] == 0 and "另有" not in digest.body
