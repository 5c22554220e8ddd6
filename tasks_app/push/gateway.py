"""The push provider interface and one real provider: an HTTP gateway in the shape of
Expo's push service (and the many relays that copy it).

Request: `POST PUSH_GATEWAY_URL`, `Authorization: Bearer PUSH_GATEWAY_TOKEN`, a JSON list
of messages `{"to": token, "title", "body", "data", "sound"}`, at most PUSH_BATCH_SIZE.
Answer: 200 `{"data": [ticket, …]}`, one ticket per message in order, each
`{"status": "ok", "id": …}` or `{"status": "error", "message": …, "details": {"error":
"DeviceNotRegistered"}}`. A 5xx, 408/425/429 or a network error is retryable; any other
4xx is permanent (a wrong token or URL will not fix itself).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from tasks_app.reminders.channels import DELIVERY_HEADER, DeliveryError

# Ticket errors meaning the token will never work again: the device is deactivated.
INVALID_TOKEN_ERRORS = frozenset({"DeviceNotRegistered", "InvalidToken", "Unregistered"})


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PushResult:
    """The gateway's answer for one token."""

    token: str
    ok: bool
    invalid_token: bool = False
    error: str = ""


class PushProvider(Protocol):
    """Sends one message to a batch of tokens; returns one result per token, in order.
    Raises DeliveryError (permanent or not) when the batch as a whole failed."""

    batch_size: int

    def send(
        self, *, tokens: list[str], message: PushMessage, idempotency_key: str
    ) -> list[PushResult]: ...


class HttpPushGateway:
    def __init__(self, *, url: str, token: str, batch_size: int, timeout_seconds: float) -> None:
        self.url, self.token = url, token
        self.batch_size, self.timeout_seconds = batch_size, timeout_seconds

    def _request(self, tokens: list[str], message: PushMessage, key: str) -> urllib.request.Request:
        body = [
            {"to": t, "title": message.title, "body": message.body, "data": message.data,
             "sound": "default"}
            for t in tokens
        ]  # fmt: skip
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": key,
            DELIVERY_HEADER: key,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return urllib.request.Request(self.url, data=data, headers=headers, method="POST")

    def send(
        self, *, tokens: list[str], message: PushMessage, idempotency_key: str
    ) -> list[PushResult]:
        request = self._request(tokens, message, idempotency_key)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                raw = response.read(1 << 20)
        except urllib.error.HTTPError as exc:
            retryable = exc.code >= 500 or exc.code in (408, 425, 429)
            raise DeliveryError(f"push gateway HTTP {exc.code}", permanent=not retryable) from exc
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"push gateway: {exc!r}") from exc
        try:
            tickets = json.loads(raw.decode("utf-8"))["data"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise DeliveryError(f"push gateway: unreadable answer {raw[:200]!r}") from exc
        if not isinstance(tickets, list) or len(tickets) != len(tokens):
            raise DeliveryError("push gateway: one ticket per token expected")
        return [_result(t, ticket) for t, ticket in zip(tokens, tickets, strict=True)]


def _result(token: str, ticket: Any) -> PushResult:
    if isinstance(ticket, dict) and ticket.get("status") == "ok":
        return PushResult(token=token, ok=True)
    details = ticket.get("details") if isinstance(ticket, dict) else None
    code = details.get("error", "") if isinstance(details, dict) else ""
    message = ticket.get("message", "") if isinstance(ticket, dict) else repr(ticket)
    return PushResult(
        token=token, ok=False, invalid_token=code in INVALID_TOKEN_ERRORS,
        error=f"{code}: {message}" if code else str(message),
    )  # fmt: skip


def push_provider() -> PushProvider | None:
    """The configured provider (PUSH_PROVIDER, a dotted path to a factory taking no
    arguments), or the HTTP gateway when PUSH_GATEWAY_URL is set, or None: push is off."""
    conf = settings.PLANTRACKER
    if conf.get("PUSH_PROVIDER"):
        return import_string(conf["PUSH_PROVIDER"])()
    if not conf.get("PUSH_GATEWAY_URL"):
        return None
    return HttpPushGateway(
        url=conf["PUSH_GATEWAY_URL"],
        token=conf["PUSH_GATEWAY_TOKEN"],
        batch_size=conf["PUSH_BATCH_SIZE"],
        timeout_seconds=conf["PUSH_TIMEOUT_SECONDS"],
    )


def push_enabled() -> bool:
    conf = settings.PLANTRACKER
    return bool(conf.get("PUSH_PROVIDER") or conf.get("PUSH_GATEWAY_URL"))
