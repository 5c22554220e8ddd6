"""Schemathesis against the served OpenAPI schema, in process (WSGI), one operation at a time.

`fuzz_operation` draws cases for one operation with Hypothesis (positive or negative data),
sends each through the project's WSGI application with the caller's JWT and runs the
checks; it returns how many cases ran and the failure, if any, instead of raising, so one
run covers every operation and reports every distinct failure at once.

Path parameters are mostly real ids (`IdPools`): random ids alone would only reach 404s.
Examples per operation and mode: PLANTRACKER_FUZZ_EXAMPLES (`make fuzz` raises it);
PLANTRACKER_FUZZ_FRESH=1 draws new cases instead of the same ones every run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests import openapi

SCHEMA_PATH = "/api/v1/schema/?format=json"
EXAMPLES = int(os.environ.get("PLANTRACKER_FUZZ_EXAMPLES", "15"))
# `make test` draws the same cases every run; `make fuzz` fresh ones (failures print a curl).
DERANDOMIZE = os.environ.get("PLANTRACKER_FUZZ_FRESH", "") != "1"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)

# Every operation run of this test session, for the terminal summary (tests/fuzz/conftest.py).
RUNS: list[OperationRun] = []
# Lines for the summary from runs in a child process (tests/fuzz/test_fuzz_sqlite.py).
EXTRA_SUMMARY: list[str] = []

# {path template: {parameter: ids}}; filled per test from the seeded objects.
IdPools = dict[str, dict[str, list[int]]]


@lru_cache(maxsize=1)
def served_schema() -> Any:
    """The schema the application serves (fetched with Django's test client, which keeps the
    test's connection open), with cases sent to the project's WSGI application."""
    schema = schemathesis.openapi.from_dict(openapi.served_schema())
    schema.app = get_wsgi_application()
    schema.location = SCHEMA_PATH
    return schema


def operations() -> list[Any]:
    return [result.ok() for result in served_schema().get_all_operations()]


SERVER_TRACEBACKS: list[str] = []


def _remember_traceback(sender: Any, **kwargs: Any) -> None:
    """got_request_exception receiver: the server-side traceback behind a 500."""
    SERVER_TRACEBACKS.append(traceback.format_exc())


@contextlib.contextmanager
def in_process_requests() -> Iterator[None]:
    """Let WSGI requests run inside the test's transaction (as Django's test client does:
    close_old_connections would otherwise close the connection mid-transaction), and keep
    the log quiet about the thousands of 4xx answers fuzzing provokes."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.got_request_exception.connect(_remember_traceback)
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        signals.got_request_exception.disconnect(_remember_traceback)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@dataclass
class OperationRun:
    label: str
    mode: str
    role: str
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failure: str = ""


def _strategy(operation: Any, mode: GenerationMode, pools: IdPools) -> Any:
    """Cases with random path ids, and (three times as often) with real ones."""
    strategies = [operation.as_strategy(generation_mode=mode)]
    real = pools.get(operation.path, {})
    if real:
        combos = [
            {name: ids[i % len(ids)] for name, ids in real.items()}
            for i in range(max(len(ids) for ids in real.values()))
        ]
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters=combo) for combo in combos
        ]
    return st.one_of(strategies)


def fuzz_operation(
    operation: Any, *, mode: GenerationMode, role: str, authorization: str | None, pools: IdPools
) -> OperationRun:
    run = OperationRun(label=operation.label, mode=mode.value, role=role)
    headers = {"Authorization": authorization} if authorization else {}
    # The in-process WSGI transport does not undo gzip (GZipMiddleware): ask for plain bodies.
    headers["Accept-Encoding"] = "identity"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=DERANDOMIZE,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(case=_strategy(operation, mode, pools))
    def check(case: Any) -> None:
        run.cases += 1
        # Each case in a savepoint rolled back afterwards: every case starts from the seeded
        # state, and one database error cannot poison the cases after it.
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    SERVER_TRACEBACKS.clear()
    try:
        check()
    except Unsatisfiable:
        pass  # nothing to negate (e.g. no parameters): the positive run covers it
    except BaseException as exc:  # FailureGroup is a BaseExceptionGroup
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        run.failure = f"{type(exc).__name__}: {exc}"
        if SERVER_TRACEBACKS:
            run.failure += "\nserver traceback:\n" + SERVER_TRACEBACKS[-1]
    return run
