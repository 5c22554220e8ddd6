"""Exclusive time per stage of in-process API requests (docs/performance-floor.md).

Each middleware's __call__, DRF's request stages (initialize_request, authentication,
negotiation, permissions, throttles, finalize), the serializer's .data, the renderer, URL
resolution, ORM compilation and statement execution are wrapped with a timer; a stage's
time excludes the stages it calls, so the rows add up to the request. Timers add ~10 %.

Against a database that `manage.py generate_city` filled, with bench/run.py's BENCH_ENV:

    EP=floor N=500 .venv/bin/python docs/performance_floor_stages.py
    EP=task_detail|tasks_mine|... (bench/probe.py endpoint_specs); URL=/api/v1/... to override
"""

from __future__ import annotations

import collections
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.base import BaseHandler  # noqa: E402
from django.db.backends.utils import CursorWrapper  # noqa: E402
from django.db.models.sql.compiler import SQLCompiler  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils.deprecation import MiddlewareMixin  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.serializers import ListSerializer, Serializer  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from bench.probe import _token, endpoint_specs, subjects  # noqa: E402

TOTALS: dict[str, float] = collections.defaultdict(float)
CALLS: collections.Counter[str] = collections.Counter()
_STACK: list[float] = []


def timed(label_of: Callable[[tuple], str]) -> Callable[[Callable], Callable]:
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            label = label_of(args)
            _STACK.append(0.0)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                TOTALS[label] += elapsed - _STACK.pop()
                CALLS[label] += 1
                if _STACK:
                    _STACK[-1] += elapsed

        return wrapper

    return decorate


def _patch(cls: type, name: str, label: str) -> None:
    setattr(cls, name, timed(lambda _args: label)(getattr(cls, name)))


def _patch_property(cls: type, name: str, label: str) -> None:
    setattr(cls, name, property(timed(lambda _args: label)(getattr(cls, name).fget)))


def instrument() -> None:
    MiddlewareMixin.__call__ = timed(lambda args: "mw " + type(args[0]).__name__)(
        MiddlewareMixin.__call__
    )
    for path in settings.MIDDLEWARE:
        cls = import_string(path)
        if "__call__" in cls.__dict__ and not issubclass(cls, MiddlewareMixin):
            _patch(cls, "__call__", "mw " + cls.__name__)
    _patch(BaseHandler, "resolve_request", "url resolve")
    for name in (
        "initialize_request",
        "perform_content_negotiation",
        "check_permissions",
        "check_throttles",
        "finalize_response",
    ):
        _patch(APIView, name, "drf " + name)
    _patch(Request, "_authenticate", "drf authenticate")
    _patch_property(Response, "rendered_content", "drf render")
    _patch_property(Serializer, "data", "serializer .data")
    _patch_property(ListSerializer, "data", "serializer .data")
    _patch(CursorWrapper, "execute", "SQL execute")
    _patch(SQLCompiler, "as_sql", "ORM compile")


def main() -> None:
    name, requests = os.environ.get("EP", "floor"), int(os.environ.get("N", "500"))
    user, path, _is_list = endpoint_specs(subjects())[name]
    path = os.environ.get("URL", path)  # e.g. a task the subject may see
    client = Client(HTTP_AUTHORIZATION=f"Bearer {_token(user)}")
    instrument()
    for _warm in range(20):
        client.get(path)
    TOTALS.clear()
    CALLS.clear()
    request = timed(lambda _args: "test client + view code not listed")(client.get)
    started = time.perf_counter()
    for _index in range(requests):
        response = request(path)
    total = time.perf_counter() - started
    assert response.status_code == 200, (response.status_code, response.content[:300])
    print(f"{name} {path}: {total / requests * 1000:.3f} ms per request ({requests} requests)")
    for label, seconds in sorted(TOTALS.items(), key=lambda item: -item[1]):
        print(f"  {seconds / requests * 1000:7.3f} ms  {label}  ({CALLS[label] / requests:g}/req)")


if __name__ == "__main__":
    main()
