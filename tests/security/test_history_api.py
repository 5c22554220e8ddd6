"""Tamper-proof history, the API and admin side.

The database refuses UPDATE and DELETE of history rows whoever asks, the application's own
user through the ORM included (a trigger: tasks_app/migrations/0002_history_append_only.py,
proven by tests/tasks_app/test_history_append_only.py). Here: no route offers to change
it either. The history URL answers only GET (PUT/PATCH/POST/DELETE: 405, nothing written),
no other API route has "history" in it, and the admin shows history events read-only,
even to a superuser.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tasks_app.models import HistoryEvent, User
from tests.api.tasks_support import World
from tests.security.figures import count
from tests.security.objects import bearer
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db


def _rows(world: World) -> list[tuple]:
    return list(HistoryEvent.objects.filter(task=world.task).order_by("id").values_list())


def test_the_history_url_is_read_only_for_everyone(world: World) -> None:
    HistoryEvent.objects.create(task=world.task, actor=world.lead_lead, action="comment")
    before = _rows(world)
    url = world.url("history/")
    tried = 0
    for user in world.everyone.values():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(user))
        for method in ("PUT", "PATCH", "POST", "DELETE"):
            body = {"action": "approve", "reason": "改写", "id": before[0][0]}
            response = client.generic(method, url, data=body, format="json")
            tried += 1
            assert response.status_code == 405, (user, method, response.status_code)
    count("writes tried on the history URL (all 405)", tried)
    assert _rows(world) == before
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=bearer(world.lead_staff))
    assert reader.get(url).status_code == 200


def test_no_api_route_but_the_list_touches_history() -> None:
    history_routes = {
        (route.route, route.methods) for route in all_routes() if "history" in route.route
    }
    api = {item for item in history_routes if item[0].startswith("api/")}
    assert api == {("api/v1/tasks/<int:pk>/history/", ("GET",))}


def test_the_admin_shows_history_read_only_even_to_a_superuser(world: World) -> None:
    event = HistoryEvent.objects.create(task=world.task, actor=world.lead_lead, action="comment")
    admin = User.objects.create_superuser("root", "root@example.test", "Root-Pass-2025!")
    client = Client()
    client.force_login(admin)
    base = f"/admin/tasks_app/historyevent/{event.pk}"
    assert client.get(f"{base}/change/").status_code == 200  # view only
    refused = [
        client.post(f"{base}/change/", {"reason": "改写", "action": "approve"}),
        client.post(f"{base}/delete/", {"post": "yes"}),
        client.post("/admin/tasks_app/historyevent/add/", {"task": world.task.pk}),
        client.post(
            "/admin/tasks_app/historyevent/",
            {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
        ),
    ]
    assert [r.status_code for r in refused[:3]] == [403, 403, 403]
    event.refresh_from_db()
    assert (event.reason, event.action) == ("", "comment")
    assert HistoryEvent.objects.filter(pk=event.pk).exists()
