"""External channels: e-mail through Django's mail, a chat-robot webhook, and push
(tasks_app/push).

Senders are pure transport: they get the stored payload of a Delivery row and either
return (the receiver accepted it) or raise DeliveryError (permanent=True when retrying
cannot help, e.g. a refused address or a 4xx from the robot). Every message carries its
delivery id (Message-ID / X-Plantracker-Delivery / Idempotency-Key), stable across
retries, so a receiver can recognise a repeat.
"""

from __future__ import annotations

import datetime as dt
import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

EMAIL, WEBHOOK, PUSH = "email", "webhook", "push"
DELIVERY_HEADER = "X-Plantracker-Delivery"


@dataclass(frozen=True)
class RenderedMessage:
    """One message in every form a channel needs."""

    title: str
    text: str  # the inbox body and the e-mail's plain-text part
    html: str  # the e-mail's HTML part
    markdown: str  # the chat robot's markdown


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class DeliveryDeferred(Exception):
    """Not now, and not a failure: the row goes back to pending until `until`, and the
    attempt does not count (push inside the person's quiet hours)."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"deferred until {until.isoformat()}")
        self.until = until


def email_payload(message: RenderedMessage) -> dict[str, str]:
    return {"subject": message.title, "text": message.text, "html": message.html}


def webhook_payload(message: RenderedMessage, *, mobile: str = "") -> dict[str, Any]:
    """WeCom-style markdown JSON, or DingTalk-style with WEBHOOK_STYLE = "dingtalk"."""
    if settings.PLANTRACKER["WEBHOOK_STYLE"] == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": message.markdown},
            "at": {"atMobiles": [mobile] if mobile else [], "isAtAll": False},
        }
    return {"msgtype": "markdown", "markdown": {"content": message.markdown}}


def message_id(delivery_id: int) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "plantracker.local"
    return f"<plantracker.delivery.{delivery_id}@{domain}>"


def send_email(*, delivery_id: int, target: str, payload: dict[str, Any]) -> None:
    connection = get_connection(timeout=settings.PLANTRACKER["EMAIL_TIMEOUT_SECONDS"])
    email = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[target],
        headers={"Message-ID": message_id(delivery_id), DELIVERY_HEADER: str(delivery_id)},
        connection=connection,
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        raise DeliveryError(
            f"recipient refused: {exc.recipients}", permanent=min(codes) >= 500
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {exc!r}") from exc


def _robot_error(body: bytes) -> str | None:
    """WeCom and DingTalk answer 200 with {"errcode": n}; n != 0 is a failure."""
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(data, dict) and data.get("errcode") not in (None, 0):
        return f"errcode {data.get('errcode')}: {data.get('errmsg', '')}"
    return None


def send_webhook(*, delivery_id: int, target: str, payload: dict[str, Any]) -> None:
    if urlsplit(target).scheme not in ("http", "https"):
        raise DeliveryError(f"not an http(s) URL: {target!r}", permanent=True)
    request = urllib.request.Request(
        target,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            DELIVERY_HEADER: str(delivery_id),
            "Idempotency-Key": f"plantracker-delivery-{delivery_id}",
        },
        method="POST",
    )
    timeout = settings.PLANTRACKER["WEBHOOK_TIMEOUT_SECONDS"]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        retryable = exc.code >= 500 or exc.code in (408, 425, 429)
        raise DeliveryError(f"HTTP {exc.code}", permanent=not retryable) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"webhook: {exc!r}") from exc
    error = _robot_error(body)
    if error:
        raise DeliveryError(error)


def send_push(*, delivery_id: int, target: str, payload: dict[str, Any]) -> None:
    """The push channel (tasks_app/push/channel.py: devices, batches, invalid tokens)."""
    from tasks_app.push.channel import send_push as push

    push(delivery_id=delivery_id, target=target, payload=payload)


SENDERS: dict[str, Callable[..., None]] = {
    EMAIL: send_email,
    WEBHOOK: send_webhook,
    PUSH: send_push,
}
