"""A push gateway on loopback in the shape tasks_app/push/gateway.py speaks (Expo's): a
JSON list of messages in, {"data": [ticket per message]} out. It records every request and
decides each answer from the request number and the tokens."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK = {"status": "ok", "id": "ticket"}
NOT_REGISTERED = {
    "status": "error",
    "message": "not a registered push token",
    "details": {"error": "DeviceNotRegistered"},
}
RATE_EXCEEDED = {
    "status": "error",
    "message": "too many messages to this device",
    "details": {"error": "MessageRateExceeded"},
}


@dataclass
class PushRequest:
    headers: dict[str, str]
    messages: list[dict[str, Any]]
    status: int
    tickets: list[dict[str, Any]]

    @property
    def tokens(self) -> list[str]:
        return [m["to"] for m in self.messages]


# (request number from 1, tokens of the request) → (HTTP status, tickets or None for all OK)
Answer = Callable[[int, list[str]], tuple[int, list[dict] | None]]


class PushGateway:
    def __init__(self, answer: Answer | None = None) -> None:
        self.requests: list[PushRequest] = []
        self.lock = threading.Lock()
        self.answer = answer or (lambda n, tokens: (200, None))
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                messages = json.loads(self.rfile.read(length).decode("utf-8"))
                tokens = [m["to"] for m in messages]
                with gateway.lock:
                    status, tickets = gateway.answer(len(gateway.requests) + 1, tokens)
                    tickets = tickets if tickets is not None else [OK for _ in tokens]
                    request = PushRequest(dict(self.headers), messages, status, tickets)
                    gateway.requests.append(request)
                body = {"data": tickets}
                data = json.dumps(body if status == 200 else {"errors": ["boom"]}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/--/api/v2/push/send"

    def delivered(self) -> list[str]:
        """Every token a 200 answer accepted, in order (repeats would show twice)."""
        with self.lock:
            return [
                token
                for r in self.requests
                if r.status == 200
                for token, ticket in zip(r.tokens, r.tickets, strict=True)
                if ticket["status"] == "ok"
            ]

    def __enter__(self) -> PushGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
