"""The task read's derived columns (tasks_app.workflow.sql): composable, one shape, public API.

The flag / overdue / report-status rules themselves are held to independent Python readings
in test_flags.py and test_report_cadence.py; the rendering in tests/api.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.db.models import Exists, OuterRef

from tasks_app.models import Department, Milestone, Task, TaskStatus
from tasks_app.workflow.cadence import MISSING, report_status_for
from tasks_app.workflow.flags import RED, YELLOW, with_flags
from tasks_app.workflow.rules import co_department_ids
from tasks_app.workflow.selectors import co_departments_of, overdue_items, tasks_for_api
from tests.api.tasks_support import World

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 9, 26)
REPO = Path(__file__).resolve().parents[2]


def _ids(rows) -> set[int]:
    return set(rows.values_list("pk", flat=True))


def _vary() -> None:
    """Some tasks done, some on schedule, the rest as imported (behind on DAY)."""
    pks = list(Task.objects.order_by("pk").values_list("pk", flat=True))
    Task.objects.filter(pk__in=pks[::3]).update(status=TaskStatus.COMPLETED, progress=100)
    Task.objects.filter(pk__in=pks[1::3]).update(status=TaskStatus.IN_PROGRESS, progress=80)


def test_annotations_hold_inside_a_subquery(world: World) -> None:
    """An annotated read used as a subquery of another task query gives the same rows as
    on its own: the fragments follow Django's relabelling of the inner task table."""
    _vary()
    read = tasks_for_api(user=world.supervisor, today=DAY)
    red = _ids(read.filter(flag=RED))
    overdue = _ids(read.filter(is_overdue=True))
    missing = _ids(read.filter(report_status=MISSING))
    assert red and overdue and missing, "the pinned day has rows of each kind"
    assert red != _ids(read), "the filter narrows"

    outer = Task.objects.filter(pk__in=read.filter(flag=RED).values("pk"))
    assert _ids(outer) == red
    outer = Task.objects.exclude(pk__in=read.filter(is_overdue=True).values("pk"))
    assert _ids(outer) == _ids(Task.objects.all()) - overdue
    # Correlated the other way round: the outer task row inside an EXISTS of the read.
    missing_here = read.filter(pk=OuterRef("pk"), report_status=MISSING)
    assert _ids(Task.objects.filter(Exists(missing_here))) == missing
    # From another model, through a relation.
    milestones = Milestone.objects.filter(task__in=read.filter(flag=RED))
    assert set(milestones.values_list("task_id", flat=True)) == red
    # A union of two annotated reads.
    yellow = _ids(read.filter(flag=YELLOW))
    red_rows, yellow_rows = (read.filter(flag=f).order_by().values("pk") for f in (RED, YELLOW))
    union = red_rows.union(yellow_rows)
    assert {row["pk"] for row in union} == red | yellow


def test_the_same_rules_whichever_way_the_tasks_are_read(world: World) -> None:
    """with_flags on any task queryset, the task read and the overdue list agree."""
    _vary()
    read = {t.pk: t for t in tasks_for_api(user=world.supervisor, today=DAY)}
    flags = dict(
        with_flags(Task.objects.filter(is_archived=False), today=DAY).values_list("pk", "flag")
    )
    assert {pk: t.flag for pk, t in read.items()} == flags
    listed = list(overdue_items(user=world.supervisor, today=DAY))
    assert {t.pk for t in listed} == {pk for pk, f in flags.items() if f in (RED, YELLOW)}
    assert all(t.days_overdue == read[t.pk].days_overdue for t in listed)
    statuses = report_status_for(Task.objects.all(), period="2025-08", today=DAY)
    assert dict(statuses.values_list("pk", "report_status")) == {
        pk: t.report_status for pk, t in read.items()
    }


def test_a_task_read_has_one_shape(world: World) -> None:
    """Co-departments are {"id", "code", "name"} dicts by code, loaded with the task or
    not; key results come as dicts with the read."""
    task = tasks_for_api(user=world.supervisor, today=DAY).get(pk=world.task.pk)
    expected = [
        {"id": d.pk, "code": d.code, "name": d.name}
        for d in Department.objects.filter(co_tasks=world.task).order_by("code")
    ]
    assert expected
    assert task.co_department_rows == expected
    assert co_departments_of(task) == expected
    plain = Task.objects.get(pk=world.task.pk)
    assert co_departments_of(plain) == expected
    assert co_department_ids(task) == co_department_ids(plain) == {d["id"] for d in expected}
    keys = [kr["id"] for kr in task.key_result_rows]
    assert keys == list(world.task.key_results.order_by("order").values_list("pk", flat=True))
    assert all(set(kr) == {"id", "value", "unit", "label", "actual"} for kr in task.key_result_rows)


def test_fragments_attach_to_task_querysets_only() -> None:
    with pytest.raises(TypeError, match="Milestone"):
        with_flags(Milestone.objects.all(), today=DAY)


def test_each_read_is_a_fresh_queryset(world: World) -> None:
    first = tasks_for_api(user=world.supervisor, today=DAY)
    second = tasks_for_api(user=world.supervisor, today=DAY)
    assert first is not second and first.query is not second.query


def test_no_private_compiler_api_in_the_application() -> None:
    """Derived SQL goes through the public expression API (task_sql.TaskSQL), never through
    a query's compiler or its internals."""
    forbidden = {"get_compiler", "setup_query", "annotation_select"}
    found = []
    for package in ("tasks_app", "indicators_app", "plantracker"):
        for path in (REPO / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in forbidden:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.attr}")
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr == "annotations"
                    and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "query"
                ):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} query.annotations")
    assert not found, found
