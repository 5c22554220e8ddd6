"""The Celery app: configuration from Django settings (CELERY_*), tasks from each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plantracker.settings.local")

app = Celery("plantracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
