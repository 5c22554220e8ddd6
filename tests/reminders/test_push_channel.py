"""The push channel of the outbox against a real HTTP gateway on loopback
(tests/reminders/push_gateway.py): delivered once, batched, retried on 5xx and on
per-token transient errors without repeats, invalid tokens deactivate their device,
quiet hours hold push until they end, channels per kind and language respected."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from tasks_app.inbox.notifications import notification_create
from tasks_app.inbox.preferences import preferences_update
from tasks_app.models import Delivery, Department, PushDevice
from tasks_app.push.devices import device_register
from tasks_app.reminders.deliveries import deliveries_deliver_now, delivery_attempt
from tests.reminders.push_gateway import NOT_REGISTERED, OK, RATE_EXCEEDED, PushGateway

pytestmark = pytest.mark.django_db
LOCAL = zoneinfo.ZoneInfo(django_settings.TIME_ZONE)
TOKENS = [f"ExponentPushToken[device-{i}]" for i in range(3)]


@pytest.fixture
def lead(make_member):
    return make_member(Department.objects.create(code="qtjj", name="测试统计局"), "dept_lead")


@pytest.fixture
def phones(lead) -> list[PushDevice]:
    return [
        device_register(user=lead, platform=platform, token=token, app_version="1.0")[0]
        for platform, token in zip(("ios", "android", "harmony"), TOKENS, strict=True)
    ]


def _gateway(settings, answer=None, batch: int = 100) -> PushGateway:
    gateway = PushGateway(answer)
    settings.PLANTRACKER = {
        **settings.PLANTRACKER,
        "PUSH_GATEWAY_URL": gateway.url,
        "PUSH_GATEWAY_TOKEN": "secret-access-token",
        "PUSH_BATCH_SIZE": batch,
    }
    return gateway


def _urge(lead, **extra):
    return notification_create(
        recipient=lead, kind="urge", title="催办：请尽快推进", body="请本周内报送进展。", **extra
    )


def _push_row(notification) -> Delivery:
    return Delivery.objects.get(notification=notification, channel="push")


def test_delivered_once_to_every_device_with_the_gateway_token(lead, phones, settings) -> None:
    with _gateway(settings) as gateway:
        notification = _urge(lead)
        assert deliveries_deliver_now()["sent"] >= 1
        assert deliveries_deliver_now() == {}  # nothing left
        assert delivery_attempt(delivery_id=_push_row(notification).pk).status == "skipped"
    assert gateway.delivered() == TOKENS
    request = gateway.requests[0]
    assert request.headers["Authorization"] == "Bearer secret-access-token"
    assert request.headers["Idempotency-Key"].startswith("plantracker-delivery-")
    assert request.messages[0]["title"] == "催办：请尽快推进"
    assert request.messages[0]["body"] == "请本周内报送进展。"
    assert request.messages[0]["data"] == {
        "notification_id": notification.pk,
        "kind": "urge",
        "task_id": None,
    }
    row = _push_row(notification)
    assert (row.status, row.attempts) == ("sent", 1)


def test_batches_of_the_configured_size(lead, phones, settings) -> None:
    with _gateway(settings, batch=2) as gateway:
        _urge(lead)
        deliveries_deliver_now()
    assert [r.tokens for r in gateway.requests] == [TOKENS[:2], TOKENS[2:]]


def test_a_5xx_is_retried_by_the_outbox_and_nothing_is_sent_twice(lead, phones, settings) -> None:
    # second batch: 503 once, then fine
    answer = lambda n, tokens: (503, None) if n == 2 else (200, None)  # noqa: E731
    with _gateway(settings, answer, batch=2) as gateway:
        notification = _urge(lead)
        row = _push_row(notification)
        outcome = delivery_attempt(delivery_id=row.pk)
        assert (outcome.status, outcome.error) == ("failed", "push gateway HTTP 503")
        row.refresh_from_db()
        assert row.next_attempt_at > timezone.now()
        assert delivery_attempt(delivery_id=row.pk).status == "skipped"  # backing off
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert delivery_attempt(delivery_id=row.pk).status == "sent"
    assert gateway.delivered() == TOKENS  # each device once
    assert [r.tokens for r in gateway.requests] == [TOKENS[:2], TOKENS[2:], TOKENS[2:]]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_per_token_transient_error_retries_only_that_token(lead, phones, settings) -> None:
    def answer(n, tokens):
        if n == 1:
            return 200, [OK, RATE_EXCEEDED, OK]
        return 200, None

    with _gateway(settings, answer) as gateway:
        row = _push_row(_urge(lead))
        assert delivery_attempt(delivery_id=row.pk).status == "failed"
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert delivery_attempt(delivery_id=row.pk).status == "sent"
    assert sorted(gateway.delivered()) == sorted(TOKENS)
    assert gateway.requests[1].tokens == [TOKENS[1]]


def test_an_invalid_token_deactivates_its_device(lead, phones, settings) -> None:
    def answer(n, tokens):
        return 200, [NOT_REGISTERED if t == TOKENS[1] else OK for t in tokens]

    with _gateway(settings, answer) as gateway:
        first = _urge(lead)
        deliveries_deliver_now()
        assert _push_row(first).status == "sent"  # the others got it; nothing to retry
        gone = PushDevice.objects.get(token=TOKENS[1])
        assert (gone.is_active, gone.deactivated_reason) == (False, "gateway: invalid token")
        _urge(lead)
        deliveries_deliver_now()
    assert gateway.requests[-1].tokens == [TOKENS[0], TOKENS[2]]
    # a phone whose only device is gone gets no push row at all
    PushDevice.objects.filter(user=lead).update(is_active=False)
    assert not Delivery.objects.filter(notification=_urge(lead), channel="push").exists()


def test_quiet_hours_hold_push_until_they_end(lead, phones, settings) -> None:
    preferences_update(user=lead, quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
    with _gateway(settings) as gateway:
        with time_machine.travel(dt.datetime(2025, 10, 9, 23, 30, tzinfo=LOCAL), tick=False):
            notification = _urge(lead)
            row = _push_row(notification)
            assert row.next_attempt_at == dt.datetime(2025, 10, 10, 7, 0, tzinfo=LOCAL)
            deliveries_deliver_now()
            assert gateway.requests == []  # held (the e-mail went)
            assert Delivery.objects.get(notification=notification, channel="email").status == "sent"
        with time_machine.travel(dt.datetime(2025, 10, 10, 6, 59, tzinfo=LOCAL), tick=False):
            deliveries_deliver_now()
            assert gateway.requests == []
        with time_machine.travel(dt.datetime(2025, 10, 10, 7, 0, 5, tzinfo=LOCAL), tick=False):
            deliveries_deliver_now()
        assert gateway.delivered() == TOKENS
        # outside the window push goes at once
        with time_machine.travel(dt.datetime(2025, 10, 10, 12, 0, tzinfo=LOCAL), tick=False):
            assert _push_row(_urge(lead)).next_attempt_at == timezone.now()


def test_channels_per_kind_decide_where_a_notification_goes(lead, phones, settings) -> None:
    preferences_update(user=lead, channels={"urge": ["push"], "claim_returned": []})
    with _gateway(settings):
        urge = _urge(lead)
        assert set(urge.deliveries.values_list("channel", flat=True)) == {"push"}
        returned = notification_create(
            recipient=lead, kind="claim_returned", title="退回", body="原因"
        )
        assert not returned.deliveries.exists()
        other = notification_create(recipient=lead, kind="claim_approved", title="通过", body="")
        assert set(other.deliveries.values_list("channel", flat=True)) == {
            "email",
            "webhook",
            "push",
        } - {"webhook"}  # no robot configured for this department


def test_push_is_written_in_the_persons_language(lead, phones, settings) -> None:
    preferences_update(user=lead, language="en")
    params = {"task_id": 1, "code": "1.2", "title": "示范任务", "reason": "请加快", "path": ""}
    with _gateway(settings) as gateway:
        notification_create(
            recipient=lead, kind="urge", title="催办：1.2 示范任务", body="请加快", params=params
        )
        deliveries_deliver_now()
    assert gateway.requests[0].messages[0]["title"].startswith("Urged: 1.2")


def test_without_a_gateway_there_is_no_push_row(lead, phones) -> None:
    assert not _urge(lead).deliveries.filter(channel="push").exists()


def test_a_retry_that_falls_in_quiet_hours_waits_without_using_an_attempt(
    lead, phones, settings
) -> None:
    answer = lambda n, tokens: (503, None) if n == 1 else (200, None)  # noqa: E731
    with _gateway(settings, answer) as gateway:
        with time_machine.travel(dt.datetime(2025, 10, 9, 21, 59, tzinfo=LOCAL), tick=False):
            row = _push_row(_urge(lead))
            assert delivery_attempt(delivery_id=row.pk).status == "failed"
            # the person turns quiet hours on before the retry
            preferences_update(user=lead, quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
        with time_machine.travel(dt.datetime(2025, 10, 9, 22, 30, tzinfo=LOCAL), tick=False):
            assert deliveries_deliver_now() == {"sent": 1, "deferred": 1}  # the e-mail went
            row.refresh_from_db()
            assert (row.status, row.attempts) == ("pending", 1)
            assert row.next_attempt_at == dt.datetime(2025, 10, 10, 7, 0, tzinfo=LOCAL)
            assert len(gateway.requests) == 1  # only the failed one
        with time_machine.travel(dt.datetime(2025, 10, 10, 7, 1, tzinfo=LOCAL), tick=False):
            assert deliveries_deliver_now() == {"sent": 1}
    assert gateway.delivered() == TOKENS
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        (dt.time(22), dt.time(7), dt.datetime(2025, 10, 9, 21, 59), None),
        (dt.time(22), dt.time(7), dt.datetime(2025, 10, 9, 22, 0), dt.datetime(2025, 10, 10, 7)),
        (dt.time(22), dt.time(7), dt.datetime(2025, 10, 10, 6, 59), dt.datetime(2025, 10, 10, 7)),
        (dt.time(22), dt.time(7), dt.datetime(2025, 10, 10, 7, 0), None),
        (dt.time(12), dt.time(14), dt.datetime(2025, 10, 9, 13, 0), dt.datetime(2025, 10, 9, 14)),
        (dt.time(12), dt.time(14), dt.datetime(2025, 10, 9, 23, 0), None),
        (None, None, dt.datetime(2025, 10, 9, 23, 0), None),
    ],
)
def test_quiet_hours_window(start, end, now, until) -> None:
    from tasks_app.inbox.preferences import quiet_hours_end_after

    found = quiet_hours_end_after(now.replace(tzinfo=LOCAL), start, end)
    assert found == (until.replace(tzinfo=LOCAL) if until else None)
