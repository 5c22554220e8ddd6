"""Providers (deadlines, milestones, monthly reports) and the registry other apps plug into."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tasks_app.models import Milestone, ProgressReport, ReminderDispatch, Task
from tasks_app.reminders import registry
from tasks_app.reminders.items import ReminderItem
from tasks_app.reminders.providers import (
    chased_periods,
    milestones,
    progress_reports,
    task_deadlines,
)
from tasks_app.reminders.run import reminders_run

TODAY, WARN_UNTIL = dt.date(2025, 9, 29), dt.date(2025, 10, 13)


@pytest.mark.django_db
def test_task_deadlines_only_open_tasks_due_by_the_window(world):
    keys = {i.key: i for i in task_deadlines(today=TODAY, warn_until=WARN_UNTIL)}
    item = keys[world.deadline_key]
    assert (item.due_date, item.owner_id, item.department_id) == (
        world.task.due_date,
        world.owner.pk,
        world.department.pk,
    )
    assert item.title.startswith(world.task.code)
    assert all(i.due_date <= WARN_UNTIL for i in keys.values())
    Task.objects.filter(pk=world.task.pk).update(is_archived=True)
    assert world.deadline_key not in {
        i.key for i in task_deadlines(today=TODAY, warn_until=WARN_UNTIL)
    }


@pytest.mark.django_db
def test_milestones_skip_final_and_completed_ones(world):
    other = Task.objects.exclude(pk=world.task.pk).order_by("code").first()
    found = {i.object_id for i in milestones(today=TODAY, warn_until=WARN_UNTIL)}
    open_ones = Milestone.objects.filter(task=other, is_final=False, due_date__lte=WARN_UNTIL)
    assert {m.pk for m in open_ones} <= found and open_ones.count() == 3  # 03-31, 06-30, 09-30
    assert not Milestone.objects.filter(pk__in=found, is_final=True).exists()
    first = open_ones.order_by("due_date").first()
    Milestone.objects.filter(pk=first.pk).update(completed_at=timezone.now())
    assert first.pk not in {i.object_id for i in milestones(today=TODAY, warn_until=WARN_UNTIL)}


def test_chased_periods_are_the_latest_due_by_the_window(settings):
    assert chased_periods(warn_until=WARN_UNTIL) == ["2025-09", "2025-08", "2025-07"]
    assert chased_periods(warn_until=dt.date(2025, 10, 4)) == ["2025-08", "2025-07", "2025-06"]


@pytest.mark.django_db
def test_progress_reports_missing_or_due_soon_for_the_lead_department(world, make_member):
    def periods() -> dict[str, str]:
        items = progress_reports(today=TODAY, warn_until=WARN_UNTIL)
        return {i.period: i for i in items if i.object_id == world.task.pk}

    found = periods()
    assert set(found) == {"2025-07", "2025-08", "2025-09"}
    assert found["2025-09"].due_date == dt.date(2025, 10, 5)  # due soon
    assert found["2025-08"].due_date == dt.date(2025, 9, 5)  # missing
    assert found["2025-08"].key == f"progress_report:{world.task.pk}:2025-08"
    ProgressReport.objects.create(
        task=world.task,
        author=world.lead,
        department=world.department,
        period="2025-08",
        percent=40,
        narrative="按计划推进",
    )
    co_department = type(world.department).objects.exclude(pk=world.department.pk).first()
    ProgressReport.objects.create(
        task=world.task,
        author=world.lead,
        department=co_department,
        period="2025-07",
        percent=40,
        narrative="配合部门的部分",
    )
    assert set(periods()) == {"2025-07", "2025-09"}  # a co-department's report is its part


def _custom_items(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    from tasks_app.models import Department

    department = Department.objects.get(code=_custom_items.department_code)
    return [
        ReminderItem(
            kind="custom_check",
            object_id=7,
            period="2025-Q3",
            title="自定义检查事项",
            due_date=dt.date(2025, 9, 1),
            department_id=department.pk,
            owner_id=None,
        )
    ]


@pytest.mark.django_db
def test_other_apps_plug_in_providers(world, settings):
    _custom_items.department_code = world.department.code
    registry.register_provider(_custom_items)
    registry.register_provider(_custom_items)  # idempotent
    try:
        names = [p.__qualname__ for p in registry.registered_providers()]
        assert names.count("_custom_items") == 1
        assert "observation_reminder_items" in names  # indicators_app's provider
        reminders_run(today=TODAY)
        row = ReminderDispatch.objects.get(item_key="custom_check:7:2025-Q3", recipient=world.lead)
        assert row.task_id is None and row.level == "overdue"
    finally:
        registry.unregister_provider(_custom_items)
    settings.PLANTRACKER = {
        **settings.PLANTRACKER,
        "REMINDER_PROVIDERS": ["tests.reminders.test_reminders_providers._custom_items"],
    }
    assert "_custom_items" in [p.__qualname__ for p in registry.registered_providers()]
