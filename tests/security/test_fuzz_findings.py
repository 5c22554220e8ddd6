"""What the fuzzer found, pinned down as plain regression tests: a 500 for `updated_since`
offsets PostgreSQL refuses (fixed in plantracker/api/sync.py) and a `search` refusal on no
attribute, outside the schema (plantracker/api/search.py)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.tasks_support import World
from tests.openapi import assert_matches_schema
from tests.security.objects import bearer

pytestmark = pytest.mark.django_db

LISTS = ("/api/v1/tasks/", "/api/v1/departments/", "/api/v1/plans/", "/api/v1/notifications/")


def _client(world: World) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=bearer(world.lead_lead))
    return client


@pytest.mark.parametrize(
    "since",
    [
        "5192-03-12T03:15:32.201710+20:30",  # PostgreSQL refused the offset: was a 500
        "0014-10-04T00:50:00.864-21:42",
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC
        "0001-01-01T00:01:00Z",  # the overlap would go before year 1
    ],
)
def test_updated_since_at_the_edges_of_time_is_never_a_500(world: World, since: str) -> None:
    for url in LISTS:
        response = _client(world).get(url, {"updated_since": since})
        assert response.status_code in (200, 400), (url, since, response.content[:200])
        assert_matches_schema(response)


def test_a_nul_in_search_is_a_400_on_search(world: World) -> None:
    for url in ("/api/v1/tasks/", "/api/v1/departments/", "/api/v1/indicators/"):
        response = _client(world).get(url, {"search": "交通\x00"})
        assert response.status_code == 400, response.content[:200]
        errors = [(e["attr"], e["code"]) for e in response.json()["errors"]]
        assert errors == [("search", "null_characters_not_allowed")]
        assert_matches_schema(response)
