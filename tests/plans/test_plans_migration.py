"""Migration 0009 attaches the plans and departments that existed before it to 大兴区."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tasks_app", "0008_plan_import_snapshot")]
AFTER = [("tasks_app", "0009_issuing_body_plans")]


@pytest.mark.slow  # migrates the test database back and forth (about 5 s)
@pytest.mark.django_db(transaction=True)
def test_existing_rows_join_the_default_body() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("tasks_app", "Plan").objects.create(year=2025, title="旧计划")
    old.get_model("tasks_app", "Department").objects.create(code="fgw", name="区发展改革委")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    body = new.get_model("tasks_app", "IssuingBody").objects.get(code="daxing")
    assert body.name == "大兴区"
    plan = new.get_model("tasks_app", "Plan").objects.get(year=2025)
    department = new.get_model("tasks_app", "Department").objects.get(code="fgw")
    assert (plan.body_id, plan.kind, plan.status) == (body.pk, "annual", "open")
    assert department.body_id == body.pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
