"""Task.next_open_milestone_due: the earliest open milestone's date, kept by the database.

Flags, overdue lists, reminders and rollups ask every task for its next open milestone;
as a correlated subquery Django repeats it once per reference (flag, first missed date,
days overdue, the sort keys…), each an index probe per task (bench/, README "Performance").
Stored, it is a column read.

The database keeps it, whoever writes (ORM, QuerySet.update(), bulk writes, COPY, admin):
- PostgreSQL: a BEFORE INSERT OR UPDATE trigger on the task recomputes it from the
  milestones (so a stale value saved by the application is corrected), and statement-level
  triggers on milestones (transition tables: one set-based UPDATE per statement, also for
  COPY) touch the tasks whose milestones changed.
- SQLite (`make run`): row-level AFTER triggers do the same.
"""

from django.db import migrations, models

PG_FORWARD = """
CREATE OR REPLACE FUNCTION plantracker_task_next_milestone() RETURNS trigger AS $$
BEGIN
    NEW.next_open_milestone_due := (
        SELECT MIN(m.due_date) FROM tasks_app_milestone m
         WHERE m.task_id = NEW.id AND m.completed_at IS NULL);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER task_next_milestone
    BEFORE INSERT OR UPDATE ON tasks_app_task
    FOR EACH ROW EXECUTE FUNCTION plantracker_task_next_milestone();

CREATE OR REPLACE FUNCTION plantracker_milestones_inserted() RETURNS trigger AS $$
BEGIN
    UPDATE tasks_app_task SET next_open_milestone_due = NULL
     WHERE id IN (SELECT task_id FROM new_rows);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION plantracker_milestones_updated() RETURNS trigger AS $$
BEGIN
    UPDATE tasks_app_task SET next_open_milestone_due = NULL
     WHERE id IN (SELECT task_id FROM new_rows UNION SELECT task_id FROM old_rows);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION plantracker_milestones_deleted() RETURNS trigger AS $$
BEGIN
    UPDATE tasks_app_task SET next_open_milestone_due = NULL
     WHERE id IN (SELECT task_id FROM old_rows);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER milestones_inserted AFTER INSERT ON tasks_app_milestone
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION plantracker_milestones_inserted();
CREATE TRIGGER milestones_updated AFTER UPDATE ON tasks_app_milestone
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION plantracker_milestones_updated();
CREATE TRIGGER milestones_deleted AFTER DELETE ON tasks_app_milestone
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION plantracker_milestones_deleted();

-- Existing rows: any UPDATE recomputes through the BEFORE trigger.
UPDATE tasks_app_task SET next_open_milestone_due = NULL;
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS milestones_inserted ON tasks_app_milestone;
DROP TRIGGER IF EXISTS milestones_updated ON tasks_app_milestone;
DROP TRIGGER IF EXISTS milestones_deleted ON tasks_app_milestone;
DROP TRIGGER IF EXISTS task_next_milestone ON tasks_app_task;
DROP FUNCTION IF EXISTS plantracker_milestones_inserted();
DROP FUNCTION IF EXISTS plantracker_milestones_updated();
DROP FUNCTION IF EXISTS plantracker_milestones_deleted();
DROP FUNCTION IF EXISTS plantracker_task_next_milestone();
"""

_SQLITE_NEXT = """(SELECT MIN(m.due_date) FROM tasks_app_milestone m
                   WHERE m.task_id = {task} AND m.completed_at IS NULL)"""
_SQLITE_REFRESH = (
    "UPDATE tasks_app_task SET next_open_milestone_due = "
    + _SQLITE_NEXT.format(task="tasks_app_task.id")
    + " WHERE id IN ({ids});"
)
SQLITE_FORWARD = [
    # recursive_triggers is off (SQLite's default): the UPDATE inside does not re-fire.
    *(
        f"""CREATE TRIGGER task_next_milestone_{event.lower()} AFTER {event} ON tasks_app_task
            WHEN NEW.next_open_milestone_due IS NOT {_SQLITE_NEXT.format(task="NEW.id")}
            BEGIN {_SQLITE_REFRESH.format(ids="NEW.id")} END;"""
        for event in ("INSERT", "UPDATE")
    ),
    f"""CREATE TRIGGER milestone_next_insert AFTER INSERT ON tasks_app_milestone
        BEGIN {_SQLITE_REFRESH.format(ids="NEW.task_id")} END;""",
    f"""CREATE TRIGGER milestone_next_update AFTER UPDATE ON tasks_app_milestone
        BEGIN {_SQLITE_REFRESH.format(ids="NEW.task_id, OLD.task_id")} END;""",
    f"""CREATE TRIGGER milestone_next_delete AFTER DELETE ON tasks_app_milestone
        BEGIN {_SQLITE_REFRESH.format(ids="OLD.task_id")} END;""",
    _SQLITE_REFRESH.format(ids="SELECT id FROM tasks_app_task"),
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "task_next_milestone_insert",
        "task_next_milestone_update",
        "milestone_next_insert",
        "milestone_next_update",
        "milestone_next_delete",
    )
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [PG_FORWARD], "sqlite": SQLITE_FORWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [PG_BACKWARD], "sqlite": SQLITE_BACKWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("tasks_app", "0006_milestone_open_by_task_index")]

    operations = [
        migrations.AddField(
            model_name="task",
            name="next_open_milestone_due",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="最近未完成节点时限"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
