"""Real concurrent HTTP against the live server: one thread per writer, all released at once.

Each thread has its own `requests` session (own TCP connection), so the server handles
each in its own thread with its own PostgreSQL connection: the row locks, unique indexes
and transactions under test are the real ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests

from tasks_app.models import User
from tests.security.objects import bearer

TIMEOUT_S = 60


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    """Requests to the live server's API as one user (a fresh JWT)."""

    def __init__(self, base_url: str, user: User) -> None:
        self.base_url = base_url.rstrip("/")
        self.authorization = bearer(user)

    def call(self, method: str, path: str, *, json: Any = None, headers: dict | None = None):
        with requests.Session() as session:
            response = session.request(
                method,
                self.base_url + path,
                json=json,
                headers={"Authorization": self.authorization, **(headers or {})},
                timeout=TIMEOUT_S,
            )
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return Answer(response.status_code, body, dict(response.headers))


def all_at_once(writers: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every writer in its own thread, released together by a barrier; answers in order."""
    barrier = threading.Barrier(len(writers))

    def run(writer: Callable[[], Answer]) -> Answer:
        barrier.wait(timeout=TIMEOUT_S)
        return writer()

    with ThreadPoolExecutor(max_workers=len(writers)) as pool:
        return list(pool.map(run, writers))
