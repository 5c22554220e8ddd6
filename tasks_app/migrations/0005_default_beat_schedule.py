"""Install the default Celery beat schedule (django-celery-beat; editable in the admin).

- 每日提醒: tasks_app.reminders_run at 09:00 Asia/Shanghai every day; the task itself
  skips non-working days by the official calendar (adjusted working weekends run).
- 季度汇总: tasks_app.rollup_build_quarter_closed at 06:00 on 1 Jan/Apr/Jul/Oct, for the
  quarter just closed.
- 投递补发: tasks_app.deliveries_sweep every 5 minutes (retries, lost messages, claims
  abandoned by a killed worker).
Existing rows with the same names are left as the admin edited them.
"""

import json

from django.db import migrations

TIME_ZONE = "Asia/Shanghai"
CRON_TASKS = (
    # name, task, minute, hour, day_of_month, month_of_year, description
    (
        "每日提醒",
        "tasks_app.reminders_run",
        "0",
        "9",
        "*",
        "*",
        "工作日09:00生成并发送督办提醒（非工作日自动跳过）。",
    ),
    (
        "季度汇总",
        "tasks_app.rollup_build_quarter_closed",
        "0",
        "6",
        "1",
        "1,4,7,10",
        "每季度首日06:00生成上一季度汇总。",
    ),
)
SWEEP = ("投递补发", "tasks_app.deliveries_sweep", 5, "补发到期或中断的邮件、群机器人消息。")


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, minute, hour, day_of_month, month_of_year, description in CRON_TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week="*",
            timezone=TIME_ZONE,
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "args": json.dumps([]),
                "kwargs": json.dumps({}),
                "description": description,
            },
        )
    name, task, minutes, description = SWEEP
    interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=name,
        defaults={"task": task, "interval": interval, "description": description},
    )
    # Tell a running beat (DatabaseScheduler) that the schedule changed.
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    names = [row[0] for row in CRON_TASKS] + [SWEEP[0]]
    PeriodicTask.objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tasks_app", "0004_reminder_ledger_outbox_rollups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
