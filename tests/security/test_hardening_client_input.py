"""No 5xx for anything a client can send (issue 17), on PostgreSQL and on SQLite.

Out-of-range integers in any filter, a crafted cursor, an overflowing number and the
refresh token of a person who is gone are the client's mistakes: 400 (401 for the token)
naming the parameter, never a 500. `make test` runs this module on PostgreSQL and, with
the fuzz suite, on the embedded default SQLite (tests/fuzz/test_fuzz_sqlite.py), where
integers beyond 64 bits used to raise OverflowError inside the database driver.
"""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from tests.api.tasks_support import World
from tests.security.objects import bearer, refresh_token, seed

pytestmark = pytest.mark.django_db

HUGE = "-56021860449020248064"  # beyond 64 bits: OverflowError in SQLite's driver
TOO_BIG = "9223372036854775808"  # 2**63: one past PostgreSQL's bigint


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


def _attrs(response) -> list[str | None]:
    return [e["attr"] for e in response.json()["errors"]]


INTEGER_FILTERS = [
    (path, param)
    for path in ("/api/v1/tasks/", "/api/v1/milestones/", "/api/v1/supervision/overdue/")
    for param in ("department", "chapter", "lead_department", "plan", "measure", "owner")
] + [
    ("/api/v1/extension-requests/", "task"),
    ("/api/v1/indicators/", "plan"),
]


@pytest.mark.parametrize(("path", "param"), INTEGER_FILTERS)
@pytest.mark.parametrize("value", [HUGE, TOO_BIG])
def test_an_out_of_range_integer_filter_is_a_400_naming_it(
    world: World, path: str, param: str, value: str
) -> None:
    response = _api(world.supervisor).get(path, {param: value})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert _attrs(response) == [param]


@pytest.mark.parametrize("param", ["department", "group"])
def test_a_huge_number_in_a_text_filter_is_a_400(world: World, param: str) -> None:
    """`department` (id or code) and `group` (number or title) read digits as a number."""
    response = _api(world.supervisor).get("/api/v1/indicators/", {param: TOO_BIG})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert _attrs(response) == [param]
    assert _api(world.supervisor).get("/api/v1/indicators/", {param: HUGE}).status_code == 200


@pytest.mark.parametrize("value", ["-1.7976931348623157e+308", "1e400", "12345678901234567890.5"])
def test_an_overflowing_number_filter_is_a_400(world: World, value: str) -> None:
    response = _api(world.supervisor).get("/api/v1/indicators/", {"plan": value})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert _attrs(response) == ["plan"]


@pytest.mark.parametrize("value", ["²", "١٢", "99999-01-01", "0000-00-00"])
def test_odd_digits_and_dates_are_400s(world: World, value: str) -> None:
    for path, param in [
        ("/api/v1/indicators/", "group"),
        ("/api/v1/indicators/", "department"),
        ("/api/v1/tasks/", "due_before"),
        ("/api/v1/milestones/", "due_after"),
    ]:
        response = _api(world.supervisor).get(path, {param: value})
        assert response.status_code in (200, 400), (path, param, response.content[:300])
        if response.status_code == 400:
            assert _attrs(response) == [param]


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


CURSOR_LISTS = [
    "/api/v1/tasks/",
    "/api/v1/milestones/",
    "/api/v1/supervision/overdue/",
    "/api/v1/extension-requests/",
    "/api/v1/notifications/",
    "/api/v1/indicators/",
    "/api/v1/rollups/",
]


@pytest.mark.parametrize("path", CURSOR_LISTS)
@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("p=abc"),
        _cursor(f"p={TOO_BIG}"),
        _cursor("p=2025-13-45"),
        _cursor("p=99999-01-01T00:00:00Z"),
        _cursor("o=1&p=\x00"),
        "%%%not-base64",
        _cursor("r=x"),
    ],
)
def test_a_crafted_cursor_is_a_400_naming_it(world: World, path: str, cursor: str) -> None:
    response = _api(world.supervisor).get(path, {"cursor": cursor})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert _attrs(response) == ["cursor"]


def test_a_cursor_of_the_server_still_pages(world: World) -> None:
    first = _api(world.supervisor).get("/api/v1/tasks/", {"page_size": 2}).json()
    assert first["next"]
    second = _api(world.supervisor).get(first["next"])
    assert second.status_code == 200 and second.json()["results"]


@pytest.mark.parametrize(
    "value", ["1E+999999999", "-1E+999999999", "1E-999999999", "1E+20", "1E-11"]
)
def test_an_overflowing_observation_value_is_a_400(world: World, value: str) -> None:
    objects = seed(world)
    response = _api(world.lead_lead).post(
        f"/api/v1/indicators/{objects.indicator.pk}/observations/",
        {"period": "2025-Q1", "value": value},
        format="json",
    )
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert _attrs(response) == ["value"]


def test_a_small_observation_value_is_kept(world: World) -> None:
    objects = seed(world)
    response = _api(world.lead_lead).post(
        f"/api/v1/indicators/{objects.indicator.pk}/observations/",
        {"period": "2025-Q1", "value": "1E-10"},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_refreshing_the_token_of_a_deleted_person_is_a_401(world: World) -> None:
    token = refresh_token(world.lead_staff)
    world.lead_staff.delete()
    response = APIClient(raise_request_exception=False).post(
        "/api/v1/auth/token/refresh/", {"refresh": token}, format="json"
    )
    assert response.status_code == 401, (response.status_code, response.content[:300])


def test_refreshing_the_token_of_a_deactivated_person_is_a_401(world: World) -> None:
    token = refresh_token(world.lead_staff)
    world.lead_staff.is_active = False
    world.lead_staff.save(update_fields=["is_active"])
    response = APIClient(raise_request_exception=False).post(
        "/api/v1/auth/token/refresh/", {"refresh": token}, format="json"
    )
    assert response.status_code == 401, (response.status_code, response.content[:300])


@pytest.mark.parametrize("pk", [TOO_BIG, "99999999999999999999999"])
def test_a_huge_path_id_is_a_404(world: World, pk: str) -> None:
    for path in (f"/api/v1/tasks/{pk}/", f"/api/v1/indicators/{pk}/", f"/api/v1/plans/{pk}/"):
        response = _api(world.supervisor).get(path)
        assert response.status_code == 404, (path, response.status_code, response.content[:300])
