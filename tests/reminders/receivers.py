"""Real receivers on loopback for the reminder channels: an SMTP server (aiosmtpd) and an
HTTP server standing in for the chat robot. Both record what they accept."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReceivedMail:
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def delivery_id(self) -> str:
        return self.message["X-Plantracker-Delivery"]

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class SmtpRecorder:
    """aiosmtpd handler. `rcpt_delay_s` slows every RCPT down (before any DATA is sent):
    a client killed while waiting has transmitted nothing the server would keep."""

    rcpt_delay_s: float = 0.0
    messages: list[ReceivedMail] = field(default_factory=list)
    in_rcpt: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address, options
    ):
        import asyncio

        self.in_rcpt.set()
        await asyncio.sleep(self.rcpt_delay_s)
        self.in_rcpt.clear()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(ReceivedMail(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, rcpt_delay_s: float = 0.0) -> None:
        self.port = free_port()
        self.recorder = SmtpRecorder(rcpt_delay_s=rcpt_delay_s)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.recorder.lock:
            return list(self.recorder.messages)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


@dataclass
class ReceivedPost:
    path: str
    headers: dict[str, str]
    body: dict


class HttpReceiver:
    """Records JSON POSTs. `respond(path, attempt) -> (status, body)` decides the answer
    (default 200 {"errcode": 0}); `attempt` counts POSTs to that path so far."""

    def __init__(self, respond: Callable[[str, int], tuple[int, dict]] | None = None) -> None:
        self.posts: list[ReceivedPost] = []
        self.answers: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        self.respond = respond or (lambda path, attempt: (200, {"errcode": 0, "errmsg": "ok"}))
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                with receiver.lock:
                    attempt = sum(1 for p, _s in receiver.answers if p == self.path) + 1
                    status, answer = receiver.respond(self.path, attempt)
                    receiver.answers.append((self.path, status))
                    if status < 300:
                        receiver.posts.append(ReceivedPost(self.path, dict(self.headers), body))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/robot") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self) -> list[ReceivedPost]:
        with self.lock:
            return list(self.posts)

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(condition: Callable[[], Any], timeout_s: float = 60.0, interval_s: float = 0.1) -> Any:
    """Poll until condition() is truthy; its value, or AssertionError on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s")
