"""Reminders end to end with real parts: PostgreSQL, Redis, a `celery worker` process, an
SMTP server (aiosmtpd) and a chat-robot HTTP receiver on loopback.

- a run reaches the inbox, the SMTP server and the robot; the same run again that day
  sends nothing new; a robot failure is retried with backoff;
- a worker SIGKILLed halfway through the deliveries, then restarted, ends with every
  reminder delivered exactly once (counted per delivery, recipient and item).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest

from plantracker.celery import app as celery_app
from tasks_app.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Department,
    Notification,
    ReminderDispatch,
    ReminderRun,
)
from tasks_app.tasks import reminders_run_task
from tests.integration.celery_support import CeleryWorker
from tests.reminders.receivers import HttpReceiver, SmtpServer, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2025, 10, 10)  # a Friday: the focus task is 5 working days late


def _worker_env(smtp: SmtpServer, robot: HttpReceiver, **extra: str) -> dict[str, str]:
    return {
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "PLANTRACKER_WEBHOOK_URL": robot.url("/global"),
        "PLANTRACKER_DELIVERY_BACKOFF_SECONDS": "1",
        **extra,
    }


@pytest.fixture
def worker_factory(tmp_path):
    workers: list[CeleryWorker] = []
    celery_app.control.purge()  # nothing left over from earlier tests in this session

    def make(env: dict[str, str]) -> CeleryWorker:
        worker = CeleryWorker(tmp_path / "worker.log", env)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()


def _run_finished(attempts: int) -> bool:
    run = ReminderRun.objects.filter(run_date=DAY).first()
    return run is not None and run.attempts >= attempts


def _all_sent() -> bool:
    statuses = set(Delivery.objects.values_list("status", flat=True))
    return statuses == {DeliveryStatus.SENT}


def _expected_pairs(channel: str) -> Counter:
    """(delivery id, recipient, item key, rung) for every ledger row of every delivery."""
    pairs: Counter = Counter()
    for delivery in Delivery.objects.filter(channel=channel):
        for row in ReminderDispatch.objects.filter(notification_id=delivery.notification_id):
            pairs[(str(delivery.pk), delivery.target, row.item_key, row.level)] += 1
    return pairs


def _received_pairs(ids: list[tuple[str, str]]) -> Counter:
    """The same tuples for what the receivers got: each message expands to its ledger rows."""
    pairs: Counter = Counter()
    for delivery_id, target in ids:
        delivery = Delivery.objects.get(pk=int(delivery_id))
        for row in ReminderDispatch.objects.filter(notification_id=delivery.notification_id):
            pairs[(delivery_id, target, row.item_key, row.level)] += 1
    return pairs


def _department_robot_fails_once(path: str, attempt: int) -> tuple[int, dict]:
    return (503, {}) if path == "/dept" and attempt == 1 else (200, {"errcode": 0})


def test_a_run_reaches_inbox_mail_and_robot_once(world, worker_factory, api):
    with SmtpServer() as smtp, HttpReceiver(respond=_department_robot_fails_once) as robot:
        Department.objects.filter(pk=world.department.pk).update(webhook_url=robot.url("/dept"))
        worker = worker_factory(_worker_env(smtp, robot))
        worker.start()
        reminders_run_task.delay(DAY.isoformat())
        wait_for(lambda: _run_finished(1), 90)
        assert Delivery.objects.exists(), worker.tail()
        wait_for(_all_sent, 90)

        # In-app inbox: one digest per recipient, readable over the API.
        digest = Notification.objects.get(recipient=world.owner, kind="reminder_digest")
        inbox = api(world.owner).get("/api/v1/notifications/")
        assert inbox.status_code == 200 and digest.title in inbox.content.decode()

        # E-mail: exactly one message per e-mail delivery, Chinese intact, items listed.
        mails = smtp.messages
        email_ids = [(m.delivery_id, m.rcpt_tos[0]) for m in mails]
        assert _received_pairs(email_ids) == _expected_pairs(Channel.EMAIL)
        owner_mail = next(m for m in mails if m.rcpt_tos == [world.owner.email])
        assert world.task.code in owner_mail.text and "已逾期5个工作日" in owner_mail.text

        # Robot: one post per webhook delivery; the department robot failed once, retried.
        posts = robot.received()
        hook_ids = [(p.headers["X-Plantracker-Delivery"], robot.url(p.path)) for p in posts]
        assert _received_pairs(hook_ids) == _expected_pairs(Channel.WEBHOOK)
        retried = Delivery.objects.filter(channel=Channel.WEBHOOK, attempts=2)
        assert retried.count() == 1 and retried.get().last_error == "HTTP 503"
        assert {p.path for p in posts} == {"/dept", "/global"}

        # The same run again that day: nothing new anywhere.
        counts = (len(mails), len(posts), Notification.objects.count(), Delivery.objects.count())
        reminders_run_task.delay(DAY.isoformat())
        wait_for(lambda: _run_finished(2), 90)
        time.sleep(3)  # give a wrongly queued delivery the time to show up
        assert (
            len(smtp.messages),
            len(robot.received()),
            Notification.objects.count(),
            Delivery.objects.count(),
        ) == counts


def test_a_worker_killed_halfway_then_restarted_delivers_everything_once(
    world,
    worker_factory,
    make_member,
):
    for department in Department.objects.filter(lead_tasks__isnull=False).distinct():
        if department.pk != world.department.pk:
            make_member(department, "dept_lead")
    with SmtpServer(rcpt_delay_s=0.25) as smtp, HttpReceiver() as robot:
        env = _worker_env(smtp, robot, PLANTRACKER_DELIVERY_LEASE_SECONDS="4")
        worker = worker_factory(env)
        worker.start()
        reminders_run_task.delay(DAY.isoformat())
        wait_for(lambda: _run_finished(1), 90)
        total_mails = Delivery.objects.filter(channel=Channel.EMAIL).count()
        assert total_mails >= 20, worker.tail()

        # Kill while an e-mail is on the wire (the server is holding its RCPT), after
        # some others were accepted.
        wait_for(lambda: len(smtp.messages) >= 5 and smtp.recorder.in_rcpt.is_set(), 90, 0.01)
        worker.kill()
        sent_before = len(smtp.messages)
        assert 5 <= sent_before < total_mails
        abandoned = Delivery.objects.filter(status=DeliveryStatus.SENDING)
        assert abandoned.count() == 1  # the one the SMTP server was holding

        time.sleep(5)  # let the dead worker's lease (4 s) expire
        worker.start()  # the new worker sweeps up what the dead one left
        wait_for(_all_sent, 120)

        email_ids = [(m.delivery_id, m.rcpt_tos[0]) for m in smtp.messages]
        hook_ids = [
            (p.headers["X-Plantracker-Delivery"], robot.url(p.path)) for p in robot.received()
        ]
        assert len(email_ids) == len(set(email_ids)) == total_mails
        assert _received_pairs(email_ids) == _expected_pairs(Channel.EMAIL)
        assert _received_pairs(hook_ids) == _expected_pairs(Channel.WEBHOOK)
        assert Delivery.objects.filter(attempts=2).count() == 1  # the interrupted one
        # One digest per person (the run may also notify 督办单 on their own messages).
        digests = {
            str(pk)
            for pk in Delivery.objects.filter(
                channel=Channel.EMAIL, notification__kind="reminder_digest"
            ).values_list("pk", flat=True)
        }
        per_recipient = Counter(m.rcpt_tos[0] for m in smtp.messages if m.delivery_id in digests)
        assert per_recipient and set(per_recipient.values()) == {1}
