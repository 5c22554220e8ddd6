"""The outbox's push channel: one Delivery row per notification, sent to every active
device of its recipient at send time, in batches of the provider's size.

Delivered once: after each batch the devices that accepted are recorded in the row's
payload (`pushed_device_ids`), so a retry (a 5xx, a per-token transient error, a crash
after some batches) sends only to the rest. A token the gateway calls invalid deactivates
its device. A row with no active device left is done. Inside the person's quiet hours
the row is deferred to their end (DeliveryDeferred: back to pending, no attempt used).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tasks_app.inbox.preferences import recipients_reach
from tasks_app.models import Delivery, PushDevice
from tasks_app.push.gateway import PushMessage, push_provider
from tasks_app.reminders.channels import DeliveryDeferred, DeliveryError

PUSHED = "pushed_device_ids"


def push_payload(*, title: str, body: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"title": title[:200], "body": body[:1000], "data": data}


def _progress(delivery_id: int, done: set[int]) -> None:
    delivery = Delivery.objects.only("payload").get(pk=delivery_id)
    Delivery.objects.filter(pk=delivery_id).update(
        payload={**delivery.payload, PUSHED: sorted(done)}
    )


def send_push(*, delivery_id: int, target: str, payload: dict[str, Any]) -> None:
    provider = push_provider()
    if provider is None:
        raise DeliveryError("push is not configured (PUSH_GATEWAY_URL)", permanent=True)
    recipient_id = Delivery.objects.values_list("recipient_id", flat=True).get(pk=delivery_id)
    # Quiet hours set or reached after the row was written (a retry, a late worker).
    quiet_until = recipients_reach([recipient_id])[recipient_id].quiet_until(timezone.now())
    if quiet_until is not None:
        raise DeliveryDeferred(quiet_until)
    done = set(payload.get(PUSHED, []))
    devices = list(
        PushDevice.objects.filter(user_id=recipient_id, is_active=True)
        .exclude(pk__in=done)
        .order_by("pk")
        .values_list("pk", "token")
    )
    message = PushMessage(title=payload["title"], body=payload["body"], data=payload["data"])
    transient: list[str] = []
    size = max(1, provider.batch_size)
    for start in range(0, len(devices), size):
        batch = devices[start : start + size]
        results = provider.send(
            tokens=[token for _pk, token in batch],
            message=message,
            idempotency_key=f"plantracker-delivery-{delivery_id}-{batch[0][0]}",
        )
        invalid = [pk for (pk, _t), r in zip(batch, results, strict=True) if r.invalid_token]
        if invalid:
            PushDevice.objects.filter(pk__in=invalid).update(
                is_active=False, deactivated_reason="gateway: invalid token"[:200]
            )
        done |= {pk for (pk, _t), r in zip(batch, results, strict=True) if r.ok}
        transient += [r.error for r in results if not r.ok and not r.invalid_token]
        _progress(delivery_id, done)
    if transient:
        raise DeliveryError(f"push: {len(transient)} token(s) failed: {transient[0]}")
