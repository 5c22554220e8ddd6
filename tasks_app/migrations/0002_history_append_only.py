"""History is evidence: the database itself refuses UPDATE and DELETE on it.

PostgreSQL: a BEFORE UPDATE OR DELETE trigger raises, whoever the caller is (the
application's own user through the ORM included). SQLite (`make run`): the same with
RAISE(ABORT). TRUNCATE is left to the DBA (and the test runner's flush).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION plantracker_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tasks_app_historyevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER historyevent_append_only
    BEFORE UPDATE OR DELETE ON tasks_app_historyevent
    FOR EACH ROW EXECUTE FUNCTION plantracker_history_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS historyevent_append_only ON tasks_app_historyevent;
DROP FUNCTION IF EXISTS plantracker_history_append_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER historyevent_no_update BEFORE UPDATE ON tasks_app_historyevent
       BEGIN SELECT RAISE(ABORT, 'tasks_app_historyevent is append-only'); END;""",
    """CREATE TRIGGER historyevent_no_delete BEFORE DELETE ON tasks_app_historyevent
       BEGIN SELECT RAISE(ABORT, 'tasks_app_historyevent is append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS historyevent_no_update;",
    "DROP TRIGGER IF EXISTS historyevent_no_delete;",
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
    dependencies = [("tasks_app", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
