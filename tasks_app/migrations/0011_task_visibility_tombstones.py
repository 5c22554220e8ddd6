"""IdempotencyRecord.body_hash; tombstones for tasks that leave a person's view, written by the database, and the
daily beat entry that records computed flag/overdue changes (tasks_app.task_flag_changes).

A task leaves a department member's view when its department is taken off the task
(co-department removed, lead department changed), when the membership ends, or when the
task is deleted. Whoever writes (a service, the importer, the admin, SQL), triggers record
one tombstone per affected member and task: resource `task:user:<user id>`, object_id the
task (tasks_app/org/tombstones.py reads them; a task the person still sees through another
department is filtered out when the sync answers). A deleted task also gets the
department-wide `task` tombstone for its lead department (supervisors see those).

- PostgreSQL: statement-level triggers with transition tables (one INSERT … SELECT per
  statement) on co-departments; row-level on the task's lead department and on memberships.
- SQLite (`make run`): row-level triggers doing the same.
"""

from django.db import migrations, models

PREFIX = "task:user:"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION plantracker_task_left(dep bigint, task bigint) RETURNS void AS $$
    INSERT INTO tasks_app_tombstone (resource, object_id, task_id, department_ids, updated_at)
    SELECT '{PREFIX}' || m.user_id, task, task, '[]'::jsonb, clock_timestamp()
      FROM tasks_app_membership m WHERE m.department_id = dep
    ON CONFLICT (resource, object_id) DO UPDATE SET updated_at = EXCLUDED.updated_at;
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION plantracker_co_departments_removed() RETURNS trigger AS $$
BEGIN
    INSERT INTO tasks_app_tombstone (resource, object_id, task_id, department_ids, updated_at)
    SELECT '{PREFIX}' || m.user_id, o.task_id, o.task_id, '[]'::jsonb, clock_timestamp()
      FROM old_rows o JOIN tasks_app_membership m ON m.department_id = o.department_id
    ON CONFLICT (resource, object_id) DO UPDATE SET updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER co_departments_removed AFTER DELETE ON tasks_app_task_co_departments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION plantracker_co_departments_removed();

CREATE OR REPLACE FUNCTION plantracker_task_lead_changed() RETURNS trigger AS $$
BEGIN
    PERFORM plantracker_task_left(OLD.lead_department_id, OLD.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER task_lead_changed AFTER UPDATE OF lead_department_id ON tasks_app_task
    FOR EACH ROW WHEN (OLD.lead_department_id IS DISTINCT FROM NEW.lead_department_id)
    EXECUTE FUNCTION plantracker_task_lead_changed();

CREATE OR REPLACE FUNCTION plantracker_task_deleted() RETURNS trigger AS $$
BEGIN
    PERFORM plantracker_task_left(OLD.lead_department_id, OLD.id);
    INSERT INTO tasks_app_tombstone (resource, object_id, task_id, department_ids, updated_at)
    VALUES ('task', OLD.id, OLD.id, jsonb_build_array(OLD.lead_department_id), clock_timestamp())
    ON CONFLICT (resource, object_id) DO UPDATE
        SET department_ids = EXCLUDED.department_ids, updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER task_deleted AFTER DELETE ON tasks_app_task
    FOR EACH ROW EXECUTE FUNCTION plantracker_task_deleted();

CREATE OR REPLACE FUNCTION plantracker_membership_ended() RETURNS trigger AS $$
BEGIN
    INSERT INTO tasks_app_tombstone (resource, object_id, task_id, department_ids, updated_at)
    SELECT '{PREFIX}' || OLD.user_id, t.id, t.id, '[]'::jsonb, clock_timestamp()
      FROM tasks_app_task t
     WHERE t.lead_department_id = OLD.department_id
        OR t.id IN (SELECT c.task_id FROM tasks_app_task_co_departments c
                     WHERE c.department_id = OLD.department_id)
    ON CONFLICT (resource, object_id) DO UPDATE SET updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER membership_ended AFTER DELETE OR UPDATE OF department_id, user_id
    ON tasks_app_membership
    FOR EACH ROW EXECUTE FUNCTION plantracker_membership_ended();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS co_departments_removed ON tasks_app_task_co_departments;
DROP TRIGGER IF EXISTS task_lead_changed ON tasks_app_task;
DROP TRIGGER IF EXISTS task_deleted ON tasks_app_task;
DROP TRIGGER IF EXISTS membership_ended ON tasks_app_membership;
DROP FUNCTION IF EXISTS plantracker_co_departments_removed();
DROP FUNCTION IF EXISTS plantracker_task_lead_changed();
DROP FUNCTION IF EXISTS plantracker_task_deleted();
DROP FUNCTION IF EXISTS plantracker_membership_ended();
DROP FUNCTION IF EXISTS plantracker_task_left(bigint, bigint);
"""

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
_SQLITE_UPSERT = "ON CONFLICT (resource, object_id) DO UPDATE SET updated_at = excluded.updated_at"


def _sqlite_members(dep: str, task: str) -> str:
    return f"""INSERT INTO tasks_app_tombstone
        (resource, object_id, task_id, department_ids, updated_at)
        SELECT '{PREFIX}' || m.user_id, {task}, {task}, '[]', {_SQLITE_NOW}
          FROM tasks_app_membership m WHERE m.department_id = {dep} AND true
        {_SQLITE_UPSERT};"""


SQLITE_FORWARD = [
    f"""CREATE TRIGGER co_departments_removed AFTER DELETE ON tasks_app_task_co_departments
        BEGIN {_sqlite_members("OLD.department_id", "OLD.task_id")} END;""",
    f"""CREATE TRIGGER task_lead_changed AFTER UPDATE OF lead_department_id ON tasks_app_task
        WHEN OLD.lead_department_id IS NOT NEW.lead_department_id
        BEGIN {_sqlite_members("OLD.lead_department_id", "OLD.id")} END;""",
    f"""CREATE TRIGGER task_deleted AFTER DELETE ON tasks_app_task
        BEGIN {_sqlite_members("OLD.lead_department_id", "OLD.id")}
        INSERT INTO tasks_app_tombstone
            (resource, object_id, task_id, department_ids, updated_at)
            VALUES ('task', OLD.id, OLD.id, json_array(OLD.lead_department_id), {_SQLITE_NOW})
            ON CONFLICT (resource, object_id) DO UPDATE
            SET department_ids = excluded.department_ids, updated_at = excluded.updated_at;
        END;""",
    *(
        f"""CREATE TRIGGER membership_ended_{event.split()[0].lower()} AFTER {event}
            ON tasks_app_membership
            BEGIN INSERT INTO tasks_app_tombstone
                (resource, object_id, task_id, department_ids, updated_at)
                SELECT '{PREFIX}' || OLD.user_id, t.id, t.id, '[]', {_SQLITE_NOW}
                  FROM tasks_app_task t
                 WHERE (t.lead_department_id = OLD.department_id
                    OR t.id IN (SELECT c.task_id FROM tasks_app_task_co_departments c
                                 WHERE c.department_id = OLD.department_id))
                {_SQLITE_UPSERT};
            END;"""
        for event in ("DELETE", "UPDATE OF department_id, user_id")
    ),
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "co_departments_removed",
        "task_lead_changed",
        "task_deleted",
        "membership_ended_delete",
        "membership_ended_update",
    )
]

FLAG_TASK = ("每日灯色同步", "tasks_app.task_flag_changes", "5", "0")


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


def install_schedule(apps, schema_editor):
    """00:05 Asia/Shanghai daily: tasks whose flag or overdue state changed with the date get
    a fresh updated_at, so `updated_since` returns them. Left alone if the admin edited it."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    name, task, minute, hour = FLAG_TASK
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=name,
        defaults={
            "task": task,
            "crontab": crontab,
            "description": "每日00:05记录因日期变化而改变灯色或逾期状态的任务，供移动端增量同步。",
        },
    )
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=FLAG_TASK[0]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tasks_app", "0010_task_status_withdrawn_and_carried_over"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        # Idempotency-Key reused with a different body → 422 (plantracker.api.idempotency)
        migrations.AddField(
            model_name="idempotencyrecord",
            name="body_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(forward, backward),
        migrations.RunPython(install_schedule, remove_schedule),
    ]
