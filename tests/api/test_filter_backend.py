"""plantracker.api.filtering.FilterBackend: django-filter skipped only when it has nothing to do."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from plantracker.api import filtering
from tests.api.tasks_support import World, clock, world  # noqa: F401

# ruff: noqa: F811  (pytest fixtures imported from tests.api.tasks_support)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_skipped_without_filter_parameters_used_with_them(
    world: World, validated_api, monkeypatch
) -> None:
    built: list[str] = []
    original = filtering.DjangoFilterBackend.filter_queryset

    def spy(self, request, queryset, view):
        built.append(request.get_full_path())
        return original(self, request, queryset, view)

    monkeypatch.setattr(filtering.DjangoFilterBackend, "filter_queryset", spy)
    client = validated_api(world.supervisor)
    everything = _ids(client.get("/api/v1/tasks/", {"page_size": 200}))
    assert built == []  # nothing to filter by: django-filter not built
    assert _ids(client.get("/api/v1/tasks/", {"page_size": 200, "unknown": "x"})) == everything
    assert built == []
    mine = _ids(client.get("/api/v1/tasks/", {"page_size": 200, "department": world.lead_dept.pk}))
    assert built and world.task.pk in mine and set(mine) < set(everything)
    assert _ids(client.get("/api/v1/tasks/", {"page_size": 200, "due_after": "2025-12-01"}))
    assert len(built) == 2


def test_bad_values_still_400_naming_the_parameter(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    for params, field in (({"flag": "purple"}, "flag"), ({"due_after": "soon"}, "due_after")):
        response = client.get("/api/v1/tasks/", params)
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == field


def test_unfiltered_list_runs_the_same_queries(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)
    with CaptureQueriesContext(connection) as plain:
        client.get("/api/v1/tasks/")
    with CaptureQueriesContext(connection) as filtered:
        client.get("/api/v1/tasks/", {"status": "in_progress"})
    assert len(plain) == len(filtered)
