"""A task withdrawn by a re-import (已撤销) is a tombstone in the next `updated_since` sync
of exactly the people who could see it; restored, it comes back as a live row."""

from __future__ import annotations

import io
from pathlib import Path

import yaml
from django.core.management import call_command

from tasks_app.models import Department, Task, TaskStatus
from tests.api.tasks_support import World
from tests.conftest import SEED_DIR


def _sync(client, since: str, **params: str) -> tuple[set[int], set[int]]:
    response = client.get("/api/v1/tasks/", {"updated_since": since, "page_size": 200, **params})
    assert response.status_code == 200, response.content[:500]
    rows = response.json()["results"]
    return (
        {row["id"] for row in rows if row.get("deleted")},
        {row["id"] for row in rows if not row.get("deleted")},
    )


def _import(tmp_path: Path, task: Task | None) -> None:
    """Import the seed plan, without `task`'s sentence when one is given."""
    text = (SEED_DIR / "plan.txt").read_text(encoding="utf-8")
    enrichment = yaml.safe_load((SEED_DIR / "enrichment.yaml").read_text(encoding="utf-8"))
    if task is not None:
        assert text.count(task.text) == 1
        text = text.replace(task.text, "")
        enrichment["tasks"].pop(task.code, None)
    (tmp_path / "plan.txt").write_text(text, encoding="utf-8")
    (tmp_path / "enrichment.yaml").write_text(
        yaml.safe_dump(enrichment, allow_unicode=True), encoding="utf-8"
    )
    call_command("import_plan", str(tmp_path / "plan.txt"), stdout=io.StringIO())


# The last sentence of its measure: removing it renumbers no other task
# (tests/tasks_app/test_reimport.py withdraws the same one).
GONE = "2025-3.6.2-03"


def test_withdrawn_task_is_a_tombstone_for_those_who_saw_it(
    world: World, validated_api, make_member, tmp_path: Path
) -> None:
    task = Task.objects.get(plan=world.plan, code=GONE)
    co_dept = task.co_departments.order_by("code").first()
    stranger_dept = (
        Department.objects.exclude(pk=task.lead_department_id)
        .exclude(co_tasks=task)
        .order_by("code")
        .first()
    )
    people = {
        "lead": make_member(task.lead_department, "dept_lead", username="gone.lead"),
        "staff": make_member(task.lead_department, "dept_staff", username="gone.staff"),
        "supervisor": world.supervisor,
        "leader": world.leader,
        "stranger": make_member(stranger_dept, "dept_lead", username="gone.stranger"),
    }
    if co_dept is not None:
        people["co"] = make_member(co_dept, "dept_staff", username="gone.co")
    clients = {name: validated_api(user) for name, user in people.items()}
    cursors = {
        name: client.get("/api/v1/tasks/", {"page_size": 1})["X-Server-Time"]
        for name, client in clients.items()
    }
    _import(tmp_path, task)
    task.refresh_from_db()
    assert task.status == TaskStatus.WITHDRAWN

    for name in clients:
        gone, live = _sync(clients[name], cursors[name])
        if name == "stranger":
            assert task.pk not in gone | live, name
        else:
            assert task.pk in gone and task.pk not in live, name

    # still readable by id, and listed when asked for by status
    lead = clients["lead"]
    assert lead.get(f"/api/v1/tasks/{task.pk}/").json()["status"] == "withdrawn"
    _, live = _sync(lead, cursors["lead"], status="withdrawn")
    assert task.pk in live

    # restored by the next import: a live row again, no tombstone
    before_restore = lead.get("/api/v1/tasks/", {"page_size": 1})["X-Server-Time"]
    _import(tmp_path, None)
    task.refresh_from_db()
    assert task.status != TaskStatus.WITHDRAWN
    gone, live = _sync(lead, before_restore)
    assert task.pk in live and task.pk not in gone
