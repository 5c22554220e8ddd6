"""Each console page costs a constant number of queries, whatever the amount of data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators_app.models import Indicator
from indicators_app.services.observations import observation_create
from tasks_app.models import Milestone, Task
from tasks_app.rollups.build import rollup_build
from tasks_app.supervision.urge import task_urge
from tasks_app.workflow.services.attachments import attachment_create
from tasks_app.workflow.services.extensions import extension_request_create
from tasks_app.workflow.services.progress_reports import progress_report_create
from tests.console.conftest import TODAY, ConsoleWorld, png_bytes

pytestmark = pytest.mark.django_db

# Upper bounds, so a page that grows a query per row cannot hide behind a big constant.
# Every page reads the plans of the viewer's plan picker (one query, plantracker.console.plans).
# task: +1 for the leader instructions block (领导批示)
MAX_QUERIES = {"board": 10, "task": 15, "quarter": 13, "indicators": 11, "department": 7}


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def more_activity(world: ConsoleWorld) -> None:
    """Urges and notices on many tasks, another report with two photos, one more request."""
    for task in Task.objects.filter(plan=world.plan, completed_at=None).order_by("code")[:12]:
        task_urge(task=task, actor=world.supervisor, comment="请加快推进。")
        task_urge(task=task, actor=world.supervisor, comment="发督办单。", notice=True)
    task = Task.objects.get(pk=world.task.pk)
    photos = [
        attachment_create(
            task=task,
            actor=world.lead_a,
            upload=SimpleUploadedFile(f"{n}.png", png_bytes(), content_type="image/png"),
        ).pk
        for n in range(2)
    ]
    progress_report_create(
        task=task,
        actor=world.lead_a,
        percent=30,
        narrative="继续推进。",
        red_reason="资金尚未到位。",
        attachment_ids=photos,
        period="2025-05",
    )
    q3 = Milestone.objects.filter(task=task, due_date=dt.date(2025, 9, 30)).first()
    extension_request_create(
        task=Task.objects.get(pk=task.pk),
        actor=world.lead_a,
        new_due_date=dt.date(2025, 10, 31),
        reason="资金下达较晚。",
        milestone_id=q3.pk,
    )


@pytest.mark.parametrize(
    ("name", "url_of"),
    [
        ("board", lambda w: reverse("console:board")),
        ("task", lambda w: reverse("console:task", args=[w.task.pk])),
        ("department", lambda w: reverse("console:department", args=[w.dept_a.pk])),
    ],
)
def test_task_pages_do_not_grow_with_activity(console_world: ConsoleWorld, name, url_of) -> None:
    client = console_world.client(console_world.supervisor)
    url = url_of(console_world)
    before = count_queries(client, url)
    more_activity(console_world)
    after = count_queries(client, url)
    assert after == before
    assert after <= MAX_QUERIES[name]


def test_lead_board_costs_the_same(console_world: ConsoleWorld) -> None:
    client = console_world.client(console_world.lead_a)
    before = count_queries(client, reverse("console:board"))
    more_activity(console_world)
    assert count_queries(client, reverse("console:board")) == before <= MAX_QUERIES["board"]


def test_quarter_and_indicator_pages_do_not_grow(console_world: ConsoleWorld) -> None:
    w = console_world
    client = w.client(w.supervisor)
    quarter = reverse("console:quarter")
    before = {
        "quarter": count_queries(client, quarter),
        "indicators": count_queries(client, reverse("console:indicators")),
    }
    for name, value in (("细颗粒物浓度", "31"), ("森林覆盖率", "31.2"), ("常住人口规模", "201")):
        indicator = Indicator.objects.select_related("plan").get(plan=w.plan, name=name)
        observation_create(
            indicator=indicator,
            actor=w.supervisor,
            period="2025-Q1",
            value=Decimal(value),
            today=TODAY,
        )
    more_activity(w)
    rollup_build(year=2025, quarter=2, built_by=w.supervisor, today=TODAY)
    after = {
        "quarter": count_queries(client, quarter),
        "indicators": count_queries(client, reverse("console:indicators")),
    }
    assert after == before
    assert all(after[name] <= MAX_QUERIES[name] for name in after)
