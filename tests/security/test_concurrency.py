"""Concurrency on PostgreSQL through real HTTP (live server, JWT, one thread per writer).

- 20 PATCHes, and 20 transitions, holding the same If-Match: exactly one wins, 19 get 412,
  the history has exactly one row for the change and the version moved by exactly one;
- the same Idempotency-Key sent by 10 threads at once: one row, ten identical answers;
- a supervisor approving while the lead department reports progress, over several
  rounds: every round ends completed at 100 % with a history that replays, in id order,
  to the final state (no lost update of progress, status or version).
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tasks_app.models import Comment, HistoryEvent, ProgressReport, Task, TaskStatus
from tasks_app.workflow.services.task_transition import task_transition
from tests.api.tasks_support import World
from tests.security.concurrent import Answer, Api, all_at_once
from tests.security.figures import count

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 20
IDEMPOTENT_WRITERS = 10
ROUNDS = 8
REPORT = {"percent": 80, "narrative": "本月进展", "red_reason": "受天气影响"}


def _etag(api: Api, path: str) -> str:
    answer = api.call("GET", path)
    assert answer.status == 200, answer.body
    return answer.headers["ETag"]


def _one_winner(answers: list[Answer]) -> Answer:
    statuses = Counter(a.status for a in answers)
    assert statuses == {200: 1, 412: len(answers) - 1}, statuses
    for loser in (a for a in answers if a.status == 412):
        assert loser.body["errors"][0]["code"] == "stale"
    return next(a for a in answers if a.status == 200)


def test_twenty_patches_with_one_if_match_one_wins(world: World, live_server) -> None:
    lead = Api(live_server.url, world.lead_lead)
    path = f"/api/v1/tasks/{world.task.pk}/"
    tag = _etag(lead, path)
    before = Task.objects.get(pk=world.task.pk)
    writers = [
        (
            lambda n=n: lead.call(
                "PATCH", path, json={"title": f"并发标题{n}"}, headers={"If-Match": tag}
            )
        )
        for n in range(WRITERS)
    ]
    winner = _one_winner(all_at_once(writers))
    count("concurrent writers (same If-Match, PATCH)", WRITERS)
    task = Task.objects.get(pk=world.task.pk)
    assert task.title == winner.body["title"]
    assert task.version == before.version + 1 == winner.body["version"]
    titles = HistoryEvent.objects.filter(task=task, action="update", field="title")
    assert titles.count() == 1
    assert (titles.get().from_value, titles.get().to_value) == (before.title, task.title)


def test_twenty_transitions_with_one_if_match_one_wins(world: World, live_server) -> None:
    lead = Api(live_server.url, world.lead_lead)
    path = f"/api/v1/tasks/{world.task.pk}/transitions/"
    tag = _etag(lead, f"/api/v1/tasks/{world.task.pk}/")
    version = Task.objects.get(pk=world.task.pk).version
    writers = [
        (lambda: lead.call("POST", path, json={"action": "start"}, headers={"If-Match": tag}))
        for _ in range(WRITERS)
    ]
    _one_winner(all_at_once(writers))
    count("concurrent writers (same If-Match, transition)", WRITERS)
    task = Task.objects.get(pk=world.task.pk)
    assert (task.status, task.version) == (TaskStatus.IN_PROGRESS, version + 1)
    assert HistoryEvent.objects.filter(task=task, action="start").count() == 1


@pytest.mark.parametrize(
    ("resource", "body", "model"),
    [
        ("comments/", {"body": "网络重试的同一条意见"}, Comment),
        (
            "progress-reports/",
            {"percent": 40, "narrative": "网络重试的同一份报告", "red_reason": "审批滞后"},
            ProgressReport,
        ),
    ],
)
def test_one_idempotency_key_from_ten_threads_makes_one_row(
    world: World, live_server, resource: str, body: dict, model: type
) -> None:
    staff = Api(live_server.url, world.lead_lead)  # staff file drafts, not reports
    path = f"/api/v1/tasks/{world.task.pk}/{resource}"
    key = {"Idempotency-Key": f"retry-{resource}"}
    answers = all_at_once(
        [(lambda: staff.call("POST", path, json=body, headers=key))] * IDEMPOTENT_WRITERS
    )
    count("concurrent writers (same Idempotency-Key)", IDEMPOTENT_WRITERS)
    assert {a.status for a in answers} == {201}, [(a.status, a.body) for a in answers]
    assert all(a.body == answers[0].body for a in answers)
    assert model.objects.filter(task=world.task).count() == 1
    replayed = [a for a in answers if a.headers.get("Idempotent-Replayed") == "true"]
    assert len(replayed) == IDEMPOTENT_WRITERS - 1


def _pending_review_copies(world: World, n: int) -> list[Task]:
    """n copies of the world's task (same departments), each claimed complete by the lead."""
    tasks = []
    template = Task.objects.get(pk=world.task.pk)
    for i in range(n):
        copy = Task.objects.create(
            plan=template.plan,
            chapter=template.chapter,
            measure=template.measure,
            code=f"{template.code}-c{i}",
            sentence_no=900 + i,
            text=template.text,
            title=f"{template.title}（副本{i}）",
            lead_department=template.lead_department,
            start_date=template.start_date,
            due_date=template.due_date,
            original_due_date=template.original_due_date,
            progress=100,  # a completion claim needs 100 (and evidence, or a reason)
        )
        task_transition(task=copy, actor=world.lead_lead, action="start")
        task_transition(
            task=copy, actor=world.lead_lead, action="submit", no_evidence_reason="会议类任务"
        )
        tasks.append(Task.objects.get(pk=copy.pk))
    return tasks


def _replay(task: Task, since_id: int, start: dict) -> dict:
    """Apply the history rows written after `since_id` to `start`, in id order."""
    state = dict(start)
    for event in HistoryEvent.objects.filter(task=task, id__gt=since_id).order_by("id"):
        if event.field in state:
            assert event.from_value == state[event.field], (event.action, event.from_value)
            state[event.field] = event.to_value
    return state


def test_approve_while_the_lead_reports_stays_consistent(world: World, live_server) -> None:
    supervisor = Api(live_server.url, world.supervisor)
    lead = Api(live_server.url, world.lead_lead)
    for round_no, task in enumerate(_pending_review_copies(world, ROUNDS)):
        last_event = HistoryEvent.objects.filter(task=task).order_by("-id").first().pk
        delay_s = 0.002 * (round_no % 4)  # vary who reaches the row lock first

        def approve(task=task) -> Answer:
            return supervisor.call(
                "POST", f"/api/v1/tasks/{task.pk}/transitions/", json={"action": "approve"}
            )

        def report(task=task, delay_s=delay_s) -> Answer:
            time.sleep(delay_s)
            return lead.call("POST", f"/api/v1/tasks/{task.pk}/progress-reports/", json=REPORT)

        approved, reported = all_at_once([approve, report])
        count("concurrent writers (approve vs report)", 2)
        assert approved.status == 200, approved.body
        assert reported.status in (201, 409), reported.body
        final = Task.objects.get(pk=task.pk)
        assert (final.status, final.progress) == (TaskStatus.COMPLETED, 100)
        assert final.completed_at is not None
        report_won = reported.status == 201
        order = "report, then approve" if report_won else "approve, then report refused (409)"
        count(f"approve-vs-report rounds ending {order}")
        assert ProgressReport.objects.filter(task=task).count() == int(report_won)
        assert final.version == task.version + 1 + int(report_won)
        events = list(
            HistoryEvent.objects.filter(task=task, id__gt=last_event)
            .order_by("id")
            .values_list("action", "field")
        )
        expected = [("report", "progress"), ("approve", "status")] if report_won else []
        assert events == (expected or [("approve", "status")])
        if not report_won:
            assert reported.body["errors"][0]["code"] == "task_closed"
        start = {"progress": task.progress, "status": task.status}
        replayed = _replay(task, last_event, start)
        # approve sets progress 100 without a history row of its own: the status row is the
        # record; the report's row must start from the progress the task really had.
        assert replayed["status"] == final.status
        assert replayed["progress"] in (task.progress, 80)
