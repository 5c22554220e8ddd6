"""plantracker.api.filtering.FilterBackend: django-filter skipped only when it has nothing to do."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.models import Task
from tests.api.tasks_support import World


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_only_the_named_filters_apply_and_all_of_them_do(world: World, validated_api) -> None:
    client = validated_api(world.supervisor)

    def ids(**params: object) -> set[int]:
        return set(_ids(client.get("/api/v1/tasks/", {"page_size": 200, **params})))

    everything = ids()
    assert ids(unknown="x") == everything
    mine = ids(department=world.lead_dept.pk)
    assert world.task.pk in mine and mine < everything
    dues = sorted({d.isoformat() for d in Task.objects.values_list("due_date", flat=True)})
    assert len(dues) >= 2, dues
    early_cut = late_cut = dues[0]
    early = ids(due_before=late_cut)
    assert early and early < everything
    both = ids(department=world.lead_dept.pk, due_before=late_cut)
    assert both == mine & early
    ranged = ids(due_after=early_cut, due_before=late_cut)
    assert ranged == early & ids(due_after=early_cut)


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
