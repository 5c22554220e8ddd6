"""Phase 2 in-process: the outbox sends e-mail (real SMTP on loopback) and webhook posts
(real HTTP on loopback), records status/attempts/errors, backs off, gives up, respects
preferences, and picks up claims abandoned by a dead worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tasks_app.inbox.notifications import notification_create
from tasks_app.models import Channel, Delivery, DeliveryStatus, Notification
from tasks_app.reminders.deliveries import (
    backoff_seconds,
    deliveries_deliver_now,
    deliveries_sweep,
    delivery_attempt,
)
from tasks_app.reminders.run import reminders_run
from tests.reminders.receivers import HttpReceiver, SmtpServer

DAY = dt.date(2025, 9, 28)


@pytest.fixture
def robot(settings):
    with HttpReceiver() as receiver:
        settings.PLANTRACKER = {**settings.PLANTRACKER, "WEBHOOK_URL": receiver.url("/global")}
        yield receiver


@pytest.mark.django_db
def test_email_has_text_and_html_in_chinese_with_a_stable_message_id(world):
    reminders_run(today=DAY)
    counts = deliveries_deliver_now()
    assert counts.get("sent", 0) == Delivery.objects.filter(channel=Channel.EMAIL).count() > 0
    message = next(m for m in mail.outbox if m.to == [world.owner.email])
    delivery = Delivery.objects.get(recipient=world.owner, channel=Channel.EMAIL)
    assert message.subject.startswith("督办提醒（2025-09-28）")
    assert "已逾期（催办）" in message.body and world.task.code in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<table" in html and "已逾期1个工作日" in html
    assert message.extra_headers["Message-ID"] == f"<plantracker.delivery.{delivery.pk}@localhost>"
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None and delivery.lease_until is None


@pytest.mark.django_db
def test_real_smtp_server_receives_chinese_intact(world, settings):
    with SmtpServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        reminders_run(today=DAY)
        deliveries_deliver_now()
        received = {m.rcpt_tos[0]: m for m in smtp.messages}
    assert world.owner.email in received and world.lead.email in received
    owner_mail = received[world.owner.email]
    assert owner_mail.message["Subject"].strip().startswith("督办提醒")  # folded header
    assert world.task.title[:10] in owner_mail.text and "<table" in owner_mail.html
    delivery = Delivery.objects.get(recipient=world.owner, channel=Channel.EMAIL)
    assert owner_mail.delivery_id == str(delivery.pk)


@pytest.mark.django_db
def test_webhook_posts_markdown_to_the_department_robot_or_the_global_one(world, robot):
    world.department.webhook_url = robot.url("/dept")
    world.department.save()
    reminders_run(today=dt.date(2025, 10, 10))
    deliveries_deliver_now()
    posts = {p.headers["X-Plantracker-Delivery"]: p for p in robot.received()}
    for delivery in Delivery.objects.filter(
        channel=Channel.WEBHOOK, notification__kind="reminder_digest"
    ):
        post = posts[str(delivery.pk)]
        assert post.body["msgtype"] == "markdown"
        content = post.body["markdown"]["content"]
        assert str(delivery.recipient) in content and len(content.encode()) <= 4096
        member = delivery.recipient_id in (world.owner.pk, world.lead.pk)
        assert post.path == ("/dept" if member else "/global"), delivery.recipient
        assert post.headers["Idempotency-Key"] == f"plantracker-delivery-{delivery.pk}"
    assert {p.path for p in posts.values()} == {"/dept", "/global"}


@pytest.mark.django_db
def test_dingtalk_style_mentions_the_mobile(world, robot, settings):
    settings.PLANTRACKER = {**settings.PLANTRACKER, "WEBHOOK_STYLE": "dingtalk"}
    reminders_run(today=DAY)
    deliveries_deliver_now()
    delivery = Delivery.objects.get(recipient=world.owner, channel=Channel.WEBHOOK)
    body = next(
        p.body for p in robot.received() if p.headers["X-Plantracker-Delivery"] == str(delivery.pk)
    )
    assert body["markdown"]["title"].startswith("督办提醒")
    assert body["at"] == {"atMobiles": ["13800000000"], "isAtAll": False}


@pytest.mark.django_db
def test_channel_preferences_are_respected(world, robot):
    type(world.owner).objects.filter(pk=world.owner.pk).update(notify_email=False)
    type(world.lead).objects.filter(pk=world.lead.pk).update(notify_webhook=False)
    type(world.supervisor).objects.filter(pk=world.supervisor.pk).update(email="")
    reminders_run(today=dt.date(2025, 10, 10))
    channels = {
        user: set(Delivery.objects.filter(recipient=user).values_list("channel", flat=True))
        for user in (world.owner, world.lead, world.supervisor)
    }
    assert channels[world.owner] == {"webhook"}
    assert channels[world.lead] == {"email"}
    assert channels[world.supervisor] == {"webhook"}
    digests = Notification.objects.filter(recipient=world.owner, kind="reminder_digest")
    assert digests.count() == 1  # inbox: always


@pytest.mark.django_db
def test_failures_back_off_then_succeed(world, settings):
    with HttpReceiver(respond=lambda path, n: (503, {}) if n == 1 else (200, {"errcode": 0})) as r:
        settings.PLANTRACKER = {**settings.PLANTRACKER, "WEBHOOK_URL": r.url()}
        reminders_run(today=DAY)
        delivery = Delivery.objects.get(recipient=world.owner, channel=Channel.WEBHOOK)
        before = timezone.now()
        outcome = delivery_attempt(delivery_id=delivery.pk)
        assert (outcome.status, outcome.retry_in_seconds) == ("failed", 30)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == (
            "failed",
            1,
            "HTTP 503",
        )
        assert delivery.next_attempt_at >= before + dt.timedelta(seconds=30)
        assert delivery_attempt(delivery_id=delivery.pk).status == "skipped"  # not due yet
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert delivery_attempt(delivery_id=delivery.pk).status == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_backoff_doubles_up_to_the_cap(settings):
    settings.PLANTRACKER = {
        **settings.PLANTRACKER,
        "DELIVERY_BACKOFF_SECONDS": 30,
        "DELIVERY_BACKOFF_MAX_SECONDS": 600,
    }
    assert [backoff_seconds(n) for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "final", "attempts"),
    [
        ((404, {}), "dead", 1),  # permanent: no retry
        ((200, {"errcode": 93000, "errmsg": "invalid webhook url"}), "dead", 3),  # robot refusal
        ((500, {}), "dead", 3),  # gives up after DELIVERY_MAX_ATTEMPTS
    ],
)
def test_deliveries_give_up(world, settings, answer, final, attempts):
    settings.PLANTRACKER = {**settings.PLANTRACKER, "DELIVERY_MAX_ATTEMPTS": 3}
    with HttpReceiver(respond=lambda path, n: answer) as r:
        settings.PLANTRACKER = {**settings.PLANTRACKER, "WEBHOOK_URL": r.url()}
        reminders_run(today=DAY)
        delivery = Delivery.objects.get(recipient=world.owner, channel=Channel.WEBHOOK)
        for _ in range(5):
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (final, attempts)
    assert delivery.last_error


@pytest.mark.django_db
def test_a_claim_abandoned_by_a_dead_worker_is_resent_after_its_lease(world):
    reminders_run(today=DAY)
    delivery = Delivery.objects.filter(channel=Channel.EMAIL).first()
    # What a worker killed between claim and record leaves behind:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING,
        attempts=1,
        lease_until=timezone.now() + dt.timedelta(minutes=5),
    )
    assert delivery.pk not in deliveries_sweep(enqueue=False)  # maybe still sending
    assert delivery_attempt(delivery_id=delivery.pk).status == "skipped"
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert delivery.pk in deliveries_sweep(enqueue=False)
    assert delivery_attempt(delivery_id=delivery.pk).status == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert (
        sum(1 for m in mail.outbox if m.extra_headers["X-Plantracker-Delivery"] == str(delivery.pk))
        == 1
    )


@pytest.mark.django_db
def test_sent_rows_are_never_sent_again(world):
    reminders_run(today=DAY)
    deliveries_deliver_now()
    sent = len(mail.outbox)
    assert deliveries_sweep(enqueue=False) == []
    for delivery in Delivery.objects.all():
        assert delivery_attempt(delivery_id=delivery.pk).status == "skipped"
    assert len(mail.outbox) == sent


@pytest.mark.django_db
def test_notification_create_queues_the_persons_channels_on_commit(
    world, robot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notification_create(
            recipient=world.lead, kind="urge", title="催办：请尽快推进", body="第一行\n<第二行>"
        )
    assert len(callbacks) == 1
    rows = {d.channel: d for d in Delivery.objects.filter(notification=notification)}
    assert set(rows) == {"email", "webhook"}
    assert "&lt;第二行&gt;" in rows["email"].payload["html"]
    assert rows["webhook"].payload["markdown"]["content"].startswith("### 催办：请尽快推进")
    deliveries_deliver_now()
    assert mail.outbox[-1].subject == "催办：请尽快推进"


@pytest.mark.django_db
def test_an_unexpected_error_is_recorded_and_retried(world, monkeypatch):
    from tasks_app.reminders import deliveries

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(deliveries.SENDERS, "email", broken)
    reminders_run(today=DAY)
    delivery = Delivery.objects.filter(channel=Channel.EMAIL).first()
    outcome = delivery_attempt(delivery_id=delivery.pk)
    assert (outcome.status, outcome.error) == ("failed", "RuntimeError: boom")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == ("failed", 1, None)
