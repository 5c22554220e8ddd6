"""The authorization matrix (tests/security/matrix.py), checked cell by cell.

- every route of the URL conf under /api/v1/, /console/ and / has a row per method its
  view answers, and every row a route: a new endpoint without an entry fails here;
- every cell (row × role) is one real request (JWT for the API, session for pages), run in
  a savepoint that is rolled back, so each cell starts from the same state;
- /admin/: every admin URL sends anonymous and non-staff people to the admin login;
- methods a route does not offer are 405, and list endpoints show another department
  nothing of the task (broken object-level authorization on collections).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.tasks_support import World
from tests.security.figures import count
from tests.security.matrix import AREAS, LOGIN, ROLES, Row
from tests.security.matrix_requests import SENDERS, Context, api_ids, fill
from tests.security.objects import bearer, seed
from tests.security.routes import METHODS, all_routes

LOGIN_PAGES = {"console/": "/console/login/", "": "/console/login/"}


def _area(route: str) -> str | None:
    if route.startswith("admin/"):
        return None
    return next(prefix for prefix in ("api/v1/", "console/", "") if route.startswith(prefix))


def test_every_route_has_a_row_and_every_row_a_route() -> None:
    served = {
        (area, route.route.removeprefix(area), method)
        for route in all_routes()
        if (area := _area(route.route)) is not None
        for method in route.methods
    }
    listed = {(area, row.route, row.method) for area, rows in AREAS.items() for row in rows}
    missing = sorted(served - listed)
    stale = sorted(listed - served)
    assert not missing, f"routes without a row in tests/security/matrix.py: {missing}"
    assert not stale, f"rows for routes or methods that do not exist: {stale}"


def _outcome(response, area: str) -> int | str:
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(LOGIN_PAGES.get(area, "-")):
        return LOGIN
    return response.status_code


def _cell(ctx: Context, area: str, row: Row) -> tuple[int | str, str]:
    cache.clear()  # throttles and lockouts: every cell starts fresh
    with transaction.atomic():
        response = SENDERS[area](ctx, row)
        transaction.set_rollback(True)
    body = b"" if response.streaming else response.content[:400]
    return _outcome(response, area), " ".join(body.decode(errors="replace").split())[:160]


@pytest.mark.django_db
def test_authorization_matrix(world: World, media) -> None:
    objects = seed(world)
    mismatches = []
    cells = 0
    for area, rows in AREAS.items():
        for row in rows:
            for role in ROLES:
                got, body = _cell(Context(world, objects, role), area, row)
                cells += 1
                if got != row.expected[role]:
                    mismatches.append(
                        f"{area}{row.label} as {role}: {got}, expected {row.expected[role]} {body}"
                    )
    count("authorization matrix cells (route x method x role)", cells)
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(mismatches)


def _admin_url(route: str, name: str | None) -> str:
    if name and name.endswith("app_list"):
        return reverse(name, kwargs={"app_label": "tasks_app"})
    if "(?P<url>" in route:  # the admin's catch-all
        return "/admin/no-such-page/"
    path = "/" + route
    for converter in ("<path:content_type_id>", "<path:object_id>", "<id>"):
        path = path.replace(converter, "1")
    assert "<" not in path and "(" not in path, route
    return path


@pytest.mark.django_db
def test_admin_sends_anonymous_and_non_staff_people_to_its_login(world: World) -> None:
    non_staff = [world.leader, world.lead_lead, world.lead_staff, world.other_lead]
    assert not any(user.is_staff for user in non_staff)
    checked = 0
    problems = []
    for route in all_routes():
        if not route.route.startswith("admin/"):
            continue
        url = _admin_url(route.route, route.name)
        for user in [None, *non_staff]:
            client = Client()
            if user is not None:
                client.force_login(user)
            for method in ("GET", "POST"):
                response = client.generic(method, url)
                checked += 1
                expected = _admin_expected(route.name, method)
                got = response.status_code, response.get("Location", "")
                if not expected(*got):
                    problems.append(f"{method} {url} as {user or 'anonymous'}: {got}")
    count("admin URL checks (anonymous and non-staff)", checked)
    assert not problems, "\n".join(problems)


def _admin_expected(name: str | None, method: str):
    if name == "admin:login":
        # The login page itself: shown (GET) or re-shown with an error (empty POST).
        return lambda status, location: status == 200
    if name == "admin:logout":
        # Nobody is signed in to the admin: back to its index, which asks for a login.
        return lambda status, location: status == 302 and location == "/admin/"
    return lambda status, location: status == 302 and location.startswith("/admin/login/")


@pytest.mark.django_db
def test_methods_a_route_does_not_offer_are_405(world: World, media) -> None:
    """PUT/PATCH/DELETE (and POST/GET where absent) on every API route: 405, nothing run."""
    objects = seed(world)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(world.supervisor))
    ctx = Context(world, objects, "supervisor")
    wrong = []
    checked = 0
    for route in all_routes():
        if not route.route.startswith("api/v1/") or route.route.startswith("api/v1/api-auth/"):
            continue
        relative = route.route.removeprefix("api/v1/")
        path = "/api/v1/" + fill(relative, api_ids(ctx, relative))
        cache.clear()  # the user throttle counts every request: one window per route
        for method in set(METHODS) - set(route.methods):
            response = client.generic(method, path)
            checked += 1
            if response.status_code != 405:
                wrong.append(f"{method} {path}: {response.status_code}")
    count("methods refused with 405", checked)
    assert not wrong, "\n".join(wrong)


LISTS = (
    "/api/v1/tasks/",
    "/api/v1/milestones/",
    "/api/v1/extension-requests/",
    "/api/v1/supervision/overdue/",
)


@pytest.mark.django_db
def test_lists_show_another_department_nothing_of_the_task(world: World, media) -> None:
    objects = seed(world)

    def task_ids(user, url: str) -> set[int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(user))
        response = client.get(url, {"page_size": 200})
        assert response.status_code == 200, (url, response.content[:200])
        # Task lists carry the task's id; milestone and extension-request lists, `task`.
        return {row.get("task", row["id"]) for row in response.json()["results"]}

    for url in LISTS:
        outsider = task_ids(world.other_lead, url) | task_ids(world.other_staff, url)
        assert world.task.pk not in outsider, url
        if url != "/api/v1/supervision/overdue/":
            assert world.task.pk in task_ids(world.lead_staff, url), url
            assert world.task.pk in task_ids(world.co_staff, url), url
    inbox = APIClient()
    inbox.credentials(HTTP_AUTHORIZATION=bearer(world.other_lead))
    mine = {row["id"] for row in inbox.get("/api/v1/notifications/").json()["results"]}
    assert mine == {objects.notifications["other_lead"].pk}
