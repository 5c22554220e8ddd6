"""Fuzzing every operation of the served OpenAPI schema as every role (schemathesis).

Each role gets its own test on the real 2025 plan with one of everything seeded
(tests.security.objects); every operation is fuzzed with positive and negative data and
every response must pass not_a_server_error, response_schema_conformance and
status_code_conformance (documented 4xx answers are fine). The figures go to the
terminal summary (tests/fuzz/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.api.tasks_support import World
from tests.fuzz.support import (
    EXAMPLES,
    MODES,
    RUNS,
    IdPools,
    fuzz_operation,
    in_process_requests,
    operations,
)
from tests.security.objects import Objects, bearer, seed

ROLES = ("anonymous", "supervisor", "leader", "lead_lead", "lead_staff")


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def unthrottled(settings) -> None:
    """Throttles and the login lockout have their own tests (tests/api/test_auth.py); here
    they would turn most writes into 429s and hide the code behind them from the fuzzer."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "100000/min", "writes": "100000/min"},
    }
    settings.PLANTRACKER = {**settings.PLANTRACKER, "LOGIN_LOCKOUT_ATTEMPTS": 100000}


def id_pools(world: World, objects: Objects, role: str) -> IdPools:
    """Real ids for every path template: one the role may reach and one it may not."""
    tasks = [world.task.pk, objects.hidden_task.pk]
    own = objects.notifications.get(role, objects.notifications["lead_lead"])
    pools: IdPools = {}
    for operation in operations():
        path = operation.path
        params: dict[str, list[int]] = {}
        if path.startswith("/api/v1/tasks/{id}"):
            params["id"] = tasks
        if "{aid}" in path:
            params["aid"] = [objects.attachment.pk]
        if "{mid}" in path:
            params["mid"] = [objects.open_milestone.pk, objects.extension_milestone.pk]
        if path.startswith("/api/v1/extension-requests/{id}"):
            params["id"] = [objects.extension_request.pk]
        if path.startswith("/api/v1/indicators/{id}"):
            params["id"] = [objects.indicator.pk, objects.qualitative_indicator.pk]
        if "{oid}" in path:
            params["oid"] = [objects.observation.pk]
        if path.startswith("/api/v1/notifications/{id}"):
            params["id"] = [own.pk, objects.notifications["supervisor"].pk]
        if path.startswith("/api/v1/plans/{id}"):
            params["id"] = [world.plan.pk]
        if path.startswith("/api/v1/rollups/{id}"):
            params["id"] = [objects.rollup.pk]
        if path.startswith("/api/v1/rollups/jobs/{id}"):
            params["id"] = [objects.rollup_job.pk]
        if params:
            pools[path] = params
    return pools


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_survives_fuzzing(world: World, role: str) -> None:
    objects = seed(world)
    user = None if role == "anonymous" else getattr(world, role)
    authorization = bearer(user) if user else None
    pools = id_pools(world, objects, role)
    if user is not None:  # the token works and the seeded task is there for this role
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=authorization)
        assert client.get(world.url()).status_code == 200
    all_operations = operations()
    runs = []
    with in_process_requests():
        for operation in all_operations:
            for mode in MODES:
                runs.append(
                    fuzz_operation(
                        operation, mode=mode, role=role, authorization=authorization, pools=pools
                    )
                )
    RUNS.extend(runs)
    failures = [run for run in runs if run.failure]
    report = "\n\n".join(f"{r.mode} {r.label}:\n{r.failure[:3000]}" for r in failures)
    assert not failures, f"{len(failures)} operation(s) failed as {role}:\n{report}"
    fuzzed = {run.label for run in runs if run.cases}
    assert fuzzed == {operation.label for operation in all_operations}
    assert sum(run.cases for run in runs) >= len(all_operations) * EXAMPLES
    if role != "anonymous":
        # Real ids reached real objects: not everything was a 404 or a 401.
        reached = {run.label for run in runs if "{id}" in run.label and 200 in run.statuses}
        assert reached, "no operation with a path id answered 200"
