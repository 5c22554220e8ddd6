"""The delivery outbox: rows for a notification's channels; claim, send, record, sweep.

Exactly-once, as far as SMTP and HTTP allow it:
- Delivery rows are written in the same transaction as their Notification (and, for
  reminders, the ledger rows), so a delivery exists exactly when its reminder does.
- claim (one short transaction, SELECT … FOR UPDATE SKIP LOCKED): a row that is pending,
  failed and due again, or 'sending' with an expired lease becomes 'sending',
  attempts + 1, lease_until = now + DELIVERY_LEASE_SECONDS. It is committed before any
  network I/O, so two workers never send the same row at the same time.
- send, outside any transaction, bounded by the channel's timeout (below the lease).
- record: 'sent' (only if still 'sending' with the claimed attempt number); or 'failed'
  with last_error and next_attempt_at = now + backoff; or 'dead' after
  DELIVERY_MAX_ATTEMPTS attempts or a permanent error.
- crash: a worker killed between claim and record leaves the row 'sending'. When the
  lease has expired the sweep (beat, every worker start, every reminder run) claims it
  again and resends. A repeat can only happen if the crash fell after the receiver
  acknowledged and before 'sent' was committed (a few milliseconds); the repeat then
  carries the same Message-ID / Idempotency-Key. Otherwise every row is sent once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from tasks_app.inbox.messages import render
from tasks_app.inbox.preferences import Reach, preferences_of
from tasks_app.models import Channel, Delivery, DeliveryStatus, Membership, Notification, User
from tasks_app.push.channel import push_payload
from tasks_app.push.gateway import push_enabled
from tasks_app.reminders.channels import (
    SENDERS,
    DeliveryDeferred,
    DeliveryError,
    RenderedMessage,
    email_payload,
    webhook_payload,
)

logger = logging.getLogger(__name__)

SWEEP_BATCH = 1000  # rows enqueued per sweep; the next sweep takes the rest
ENQUEUE_BATCH = 500  # broker commands per round trip (deliveries_enqueue)


def _conf(name: str) -> int:
    return settings.PLANTRACKER[name]


def webhook_targets(user_ids: Iterable[int]) -> dict[int, str]:
    """user id → robot URL: the first of the person's departments (by code) that has one,
    else the global WEBHOOK_URL (absent when neither exists). One query."""
    user_ids = set(user_ids)
    fallback = settings.PLANTRACKER["WEBHOOK_URL"]
    targets = dict.fromkeys(user_ids, fallback) if fallback else {}
    rows = (
        Membership.objects.filter(user_id__in=user_ids, department__is_active=True)
        .exclude(department__webhook_url="")
        .order_by("-department__code")  # the first by code is written last
        .values_list("user_id", "department__webhook_url")
    )
    for user_id, url in rows:
        targets[user_id] = url
    return targets


def _push_data(notification: Notification) -> dict[str, object]:
    return {
        "notification_id": notification.pk,
        "kind": notification.kind,
        "task_id": notification.task_id,
    }


def _push_text(notification: Notification, language: str) -> tuple[str, str]:
    """Title and body in the person's language when they chose one (else as stored)."""
    if language and language != settings.LANGUAGE_CODE and notification.params:
        with translation.override(language):
            rendered = render(notification.kind, notification.params)
        if rendered is not None:
            return rendered
    return notification.title, notification.body


def deliveries_build(
    *,
    notification: Notification,
    recipient: User,
    message: RenderedMessage,
    webhook_url: str,
    reach: Reach | None = None,
) -> list[Delivery]:
    """Unsaved outbox rows for the recipient's channels, by their preferences for this
    kind (tasks_app/inbox/preferences.py; `reach` from recipients_reach, read here when
    not given). Push is held until the person's quiet hours end."""
    now = timezone.now()
    reach = reach or preferences_of(recipient)
    wanted = reach.channels_for(notification.kind)
    rows = []
    if Channel.EMAIL in wanted and recipient.email:
        rows.append((Channel.EMAIL, recipient.email, email_payload(message), now))
    if Channel.WEBHOOK in wanted and webhook_url:
        payload = webhook_payload(message, mobile=recipient.phone)
        rows.append((Channel.WEBHOOK, webhook_url, payload, now))
    if Channel.PUSH in wanted and reach.has_push_device and push_enabled():
        title, body = _push_text(notification, reach.language)
        payload = push_payload(title=title, body=body, data=_push_data(notification))
        held = reach.quiet_until(now) or now
        rows.append((Channel.PUSH, f"user:{recipient.pk}", payload, held))
    return [
        Delivery(
            notification=notification,
            recipient=recipient,
            channel=channel,
            target=target,
            payload=payload,
            next_attempt_at=due,
        )
        for channel, target, payload, due in rows
    ]


def deliveries_enqueue(delivery_ids: Iterable[int]) -> None:
    """Hand rows to the workers (call through transaction.on_commit). A lost message is
    harmless: the sweep finds the row again.

    One message per row (a worker's retries and claim are per row), all published through
    one producer and broker connection acquired once, and on Redis sent ENQUEUE_BATCH
    commands per round trip (kombu's Producer.batch: a pipeline; other transports publish
    each at once): a run enqueues thousands. A broker outage raises here, as before; the
    messages not yet sent are dropped and the sweep finds their rows."""
    from tasks_app.tasks import delivery_send

    ids = list(delivery_ids)
    if not ids:
        return
    with delivery_send.app.producer_or_acquire() as producer:
        with producer.batch(max_size=ENQUEUE_BATCH):
            for delivery_id in ids:
                delivery_send.apply_async((delivery_id,), producer=producer)


def backoff_seconds(attempts: int) -> int:
    """DELIVERY_BACKOFF_SECONDS × 2^(attempts − 1), capped at DELIVERY_BACKOFF_MAX_SECONDS."""
    base, cap = _conf("DELIVERY_BACKOFF_SECONDS"), _conf("DELIVERY_BACKOFF_MAX_SECONDS")
    return int(min(cap, base * 2 ** max(0, attempts - 1)))


def _claimable(now: dt.datetime) -> Q:
    due_again = Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED)) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=DeliveryStatus.SENDING, lease_until__lt=now)
    return (due_again | abandoned) & Q(attempts__lt=_conf("DELIVERY_MAX_ATTEMPTS"))


def _claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_claimable(now), pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.lease_until = now + dt.timedelta(seconds=_conf("DELIVERY_LEASE_SECONDS"))
        delivery.save(update_fields=["status", "attempts", "lease_until", "updated_at"])
    return delivery


@dataclass(frozen=True)
class AttemptOutcome:
    status: str  # "sent" | "failed" | "dead" | "deferred" | "skipped" (not claimable now)
    retry_in_seconds: int | None = None
    error: str = ""


def _record(delivery: Delivery, error: DeliveryError | None) -> AttemptOutcome:
    now = timezone.now()
    mine = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    )
    if error is None:
        if not mine.update(
            status=DeliveryStatus.SENT, sent_at=now, lease_until=None, updated_at=now
        ):
            logger.warning("delivery %s was re-claimed after its lease expired", delivery.pk)
        return AttemptOutcome(DeliveryStatus.SENT)
    dead = error.permanent or delivery.attempts >= _conf("DELIVERY_MAX_ATTEMPTS")
    wait = None if dead else backoff_seconds(delivery.attempts)
    mine.update(
        status=DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED,
        last_error=str(error)[:2000],
        next_attempt_at=None if dead else now + dt.timedelta(seconds=wait),
        lease_until=None,
        updated_at=now,
    )
    logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
    return AttemptOutcome(DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED, wait, str(error))


def _defer(delivery: Delivery, until: dt.datetime) -> AttemptOutcome:
    """Back to pending until `until`, the claim's attempt given back."""
    Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    ).update(
        status=DeliveryStatus.PENDING,
        attempts=delivery.attempts - 1,
        next_attempt_at=until,
        lease_until=None,
        updated_at=timezone.now(),
    )
    # No retry countdown: the sweep picks the row up when it is due, like a held row.
    return AttemptOutcome("deferred")


def delivery_attempt(*, delivery_id: int) -> AttemptOutcome:
    """Claim the row, send it on its channel, record the outcome (see module docstring)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return AttemptOutcome("skipped")
    try:
        SENDERS[delivery.channel](
            delivery_id=delivery.pk, target=delivery.target, payload=delivery.payload
        )
    except DeliveryDeferred as deferred:
        return _defer(delivery, deferred.until)
    except DeliveryError as exc:
        return _record(delivery, exc)
    except Exception as exc:  # a bug or a time limit: recorded and retried like an outage
        logger.exception("delivery %s: unexpected error", delivery.pk)
        return _record(delivery, DeliveryError(f"{type(exc).__name__}: {exc}"))
    return _record(delivery, None)


def deliveries_sweep(*, enqueue: bool = True) -> list[int]:
    """Find rows that are due (pending, failed and due again, abandoned) and enqueue them.

    Abandoned rows that used up their attempts are marked dead here. Two queries plus the
    update; at most SWEEP_BATCH ids per call.
    """
    now = timezone.now()
    Delivery.objects.filter(
        status=DeliveryStatus.SENDING,
        lease_until__lt=now,
        attempts__gte=_conf("DELIVERY_MAX_ATTEMPTS"),
    ).update(
        status=DeliveryStatus.DEAD,
        last_error="lease expired on the last attempt",
        lease_until=None,
        updated_at=now,
    )
    ids = list(
        Delivery.objects.filter(_claimable(now))
        .order_by("id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    if enqueue and ids:
        deliveries_enqueue(ids)
    return ids


def deliveries_deliver_now(*, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Deliver due rows in this process (operators without a worker; tests)."""
    counts: dict[str, int] = {}
    for delivery_id in deliveries_sweep(enqueue=False)[:limit]:
        status = delivery_attempt(delivery_id=delivery_id).status
        counts[status] = counts.get(status, 0) + 1
    return counts
