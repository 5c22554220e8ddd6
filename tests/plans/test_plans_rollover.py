"""Year rollover (结转) of Daxing's 2025 plan into its 2026 plan: exactly the unfinished
tasks are carried, linked both ways (API and console), the old ones closed as carried over,
and the closed 2025 plan sends no reminder and builds no rollup."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tasks_app.models import (
    HistoryEvent,
    KeyResult,
    Membership,
    Milestone,
    Plan,
    PlanStatus,
    ReminderDispatch,
    Task,
    TaskStatus,
)
from tasks_app.parsing.parser import PlanParseError
from tasks_app.plans.importer import plan_import
from tasks_app.reminders.ladder import LadderRules
from tasks_app.reminders.registry import collect_items
from tasks_app.reminders.run import reminders_run
from tasks_app.rollover.services import RolloverError, plan_rollover
from tasks_app.rollups.build import RollupError, rollup_build
from tests.plans.support import (
    import_daxing_2026,
    import_other_district,
    seed_enrichment,
    seed_text,
)

pytestmark = pytest.mark.django_db

OVERDUE_DAY = dt.date(2025, 11, 3)  # a Monday: many 2025 tasks overdue


@pytest.fixture
def plans(plan) -> tuple[Plan, Plan]:
    """2025 with two tasks completed, one cancelled, one suspended; and 2026."""
    tasks = list(Task.objects.filter(plan=plan).order_by("code"))
    Task.objects.filter(pk__in=[tasks[0].pk, tasks[1].pk]).update(
        status=TaskStatus.COMPLETED, progress=100
    )
    Task.objects.filter(pk=tasks[2].pk).update(status=TaskStatus.CANCELLED)
    Task.objects.filter(pk=tasks[3].pk).update(status=TaskStatus.SUSPENDED)
    Task.objects.filter(pk=tasks[4].pk).update(status=TaskStatus.IN_PROGRESS, progress=40)
    return plan, import_daxing_2026()


def _unfinished(plan: Plan) -> set[int]:
    closed = (TaskStatus.COMPLETED, TaskStatus.CANCELLED, TaskStatus.CARRIED_OVER)
    return set(
        Task.objects.filter(plan=plan).exclude(status__in=closed).values_list("pk", flat=True)
    )


def _chased_task_ids(plan: Plan) -> set[int]:
    rules = LadderRules.for_day(OVERDUE_DAY)
    items = collect_items(today=OVERDUE_DAY, warn_until=rules.warn_until)
    in_plan = set(Task.objects.filter(plan=plan).values_list("pk", flat=True))
    return {i.task_id for i in items if i.task_id in in_plan}


def test_dry_run_lists_the_unfinished_tasks_and_writes_nothing(plans, supervisor) -> None:
    old, new = plans
    unfinished, count = _unfinished(old), Task.objects.count()
    result = plan_rollover(source_plan=old, target_plan=new, actor=supervisor, dry_run=True)
    assert {p.source.pk for p in result.pairs} == unfinished and len(unfinished) == 78
    assert Task.objects.count() == count
    old.refresh_from_db()
    assert old.status == PlanStatus.OPEN and _unfinished(old) == unfinished


def test_rollover_carries_exactly_the_unfinished_tasks(plans, supervisor, api) -> None:
    old, new = plans
    unfinished = _unfinished(old)
    suspended = Task.objects.get(plan=old, status=TaskStatus.SUSPENDED)
    started = Task.objects.get(plan=old, status=TaskStatus.IN_PROGRESS)
    completed = set(
        Task.objects.filter(plan=old, status=TaskStatus.COMPLETED).values_list("pk", flat=True)
    )
    co_before = {
        t.pk: set(t.co_departments.values_list("pk", flat=True))
        for t in Task.objects.filter(pk__in=unfinished)
    }
    assert _chased_task_ids(old)  # before: the 2025 plan is chased

    result = plan_rollover(source_plan=old, target_plan=new, actor=supervisor)

    carried = Task.objects.filter(plan=new, carried_from__isnull=False)
    assert result.carried == carried.count() == len(unfinished)
    assert set(carried.values_list("carried_from_id", flat=True)) == unfinished
    assert (
        set(
            Task.objects.filter(plan=old, status=TaskStatus.CARRIED_OVER).values_list(
                "pk", flat=True
            )
        )
        == unfinished
    )
    assert (
        set(Task.objects.filter(plan=old, status=TaskStatus.COMPLETED).values_list("pk", flat=True))
        == completed
    )
    old.refresh_from_db()
    assert old.status == PlanStatus.CLOSED and old.closed_at is not None
    for task in carried.select_related("carried_from"):
        origin = task.carried_from
        assert (task.text, task.title, task.lead_department_id, task.owner_id) == (
            origin.text,
            origin.title,
            origin.lead_department_id,
            origin.owner_id,
        )
        assert set(task.co_departments.values_list("pk", flat=True)) == co_before[origin.pk]
        assert task.due_date.year == 2026 and task.start_date == dt.date(2026, 1, 1)
        assert task.milestones.filter(is_final=True, due_date=task.due_date).exists()
        assert task.key_results.count() == origin.key_results.count()
    assert carried.get(carried_from=suspended).status == TaskStatus.SUSPENDED
    moved = carried.get(carried_from=started)
    assert (moved.status, moved.progress) == (TaskStatus.IN_PROGRESS, 40)
    # History on both ends.
    assert HistoryEvent.objects.filter(action="carried_over", task_id__in=unfinished).count() == (
        len(unfinished)
    )
    assert HistoryEvent.objects.filter(action="carried_from", task__in=carried).count() == len(
        unfinished
    )
    # 交办 in the new year: every carried task awaits 签收 by its lead department.
    assert set(carried.values_list("acknowledgement", flat=True)) == {"pending"}
    assert HistoryEvent.objects.filter(action="assign", task__in=carried).count() == len(unfinished)
    assert not Task.objects.filter(pk__in=unfinished, acknowledgement__isnull=False).exists()
    # Both directions in the API.
    client = api(supervisor)
    back = client.get(f"/api/v1/tasks/{moved.pk}/").json()
    forth = client.get(f"/api/v1/tasks/{started.pk}/").json()
    assert back["carried_from"] == {
        "id": started.pk,
        "code": started.code,
        "plan": old.pk,
        "year": 2025,
    }
    assert forth["carried_to"] == {"id": moved.pk, "code": moved.code, "plan": new.pk, "year": 2026}
    assert forth["status"] == "carried_over" and forth["allowed_actions"] == []
    # A closed plan: no reminders, no rollup; a second rollover is refused.
    assert _chased_task_ids(old) == set()
    reminders_run(today=OVERDUE_DAY)
    assert not ReminderDispatch.objects.filter(task__plan=old).exists()
    with pytest.raises(RollupError):
        rollup_build(year=2025, quarter=4, plan=old, today=dt.date(2026, 1, 5))
    with pytest.raises(RolloverError):
        plan_rollover(source_plan=old, target_plan=new, actor=supervisor)
    # Re-importing the new plan leaves the carried tasks and their children alone.
    children = _children(carried)
    assert children["co"] and children["key_results"]
    import_daxing_2026()
    assert _children(carried) == children
    # Re-importing the closed plan is refused.
    with pytest.raises(PlanParseError):
        plan_import(text=seed_text(), enrichment=seed_enrichment())


def _children(tasks) -> dict[str, list]:
    return {
        "tasks": list(tasks.order_by("pk").values()),
        "co": list(
            Task.co_departments.through.objects.filter(task__in=tasks).order_by("pk").values()
        ),
        "key_results": list(KeyResult.objects.filter(task__in=tasks).order_by("pk").values()),
        "milestones": list(Milestone.objects.filter(task__in=tasks).order_by("pk").values()),
    }


def test_rollover_refuses_another_body_or_an_earlier_year(plans, supervisor) -> None:
    old, new = plans
    other = import_other_district()
    with pytest.raises(RolloverError):
        plan_rollover(source_plan=other, target_plan=new, actor=supervisor)
    with pytest.raises(RolloverError):
        plan_rollover(source_plan=new, target_plan=old, actor=supervisor)
    assert not Task.objects.filter(carried_from__isnull=False).exists()


def test_command_dry_run_then_rollover(plans) -> None:
    old, new = plans
    out = StringIO()
    call_command(
        "rollover_plan", "--from", "daxing:2025", "--to", str(new.pk), "--dry-run", stdout=out
    )
    assert "would carry 78 unfinished tasks" in out.getvalue()
    assert not Task.objects.filter(carried_from__isnull=False).exists()
    out = StringIO()
    call_command("rollover_plan", "--from", str(old.pk), "--to", "daxing:2026", stdout=out)
    assert "carried 78 unfinished tasks" in out.getvalue()
    assert Plan.objects.get(pk=old.pk).status == PlanStatus.CLOSED


def test_console_rollover_confirm_page_then_action(plans, supervisor, make_member) -> None:
    old, new = plans
    client = Client()
    client.force_login(supervisor)
    url = reverse("console:rollover")
    confirm = client.get(url, {"plan": old.pk})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert page.count("<tr><td><a href=") == 78 and "2026-JZ-" in page
    assert Plan.objects.get(pk=old.pk).status == PlanStatus.OPEN  # the page wrote nothing
    lead = make_member(Task.objects.filter(plan=old).first().lead_department)
    lead_client = Client()
    lead_client.force_login(lead)
    assert lead_client.post(url, {"to": new.pk}).status_code == 403
    done = client.post(url, {"to": new.pk, "due_dates": "year_end"})
    assert done.status_code == 302
    assert Plan.objects.get(pk=old.pk).status == PlanStatus.CLOSED
    carried = Task.objects.filter(plan=new, carried_from__isnull=False)
    assert carried.count() == 78
    assert set(carried.values_list("due_date", flat=True)) == {dt.date(2026, 12, 31)}
    # The console's task pages link both ways.
    task = carried.first()
    new_page = client.get(reverse("console:task", args=[task.pk])).content.decode()
    old_page = client.get(reverse("console:task", args=[task.carried_from_id])).content.decode()
    assert 'id="carried-from"' in new_page and task.carried_from.code in new_page
    assert 'id="carried-to"' in old_page and task.code in old_page
    assert Membership.objects.filter(user=lead).exists()


def test_a_task_carried_twice_keeps_its_chain(plans, supervisor) -> None:
    old, new = plans
    plan_rollover(source_plan=old, target_plan=new, actor=supervisor)
    later = plan_import(text=seed_text(2027), enrichment=seed_enrichment(year=2027)).plan
    result = plan_rollover(source_plan=new, target_plan=later, actor=supervisor)
    # 81 of 2026's own plus the 78 carried in: all unfinished.
    assert result.carried == 81 + 78
    twice = Task.objects.filter(plan=later, carried_from__carried_from__plan=old)
    assert twice.count() == 78
    task = twice.select_related("carried_from__carried_from").first()
    origin = task.carried_from.carried_from
    assert task.code == f"2027-JZ-2026-JZ-{origin.code}" and task.text == origin.text
