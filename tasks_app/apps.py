"""App configuration for tasks_app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksAppConfig(AppConfig):
    name = "tasks_app"
    verbose_name = _("计划任务")

    def ready(self) -> None:
        from tasks_app.org import principal_cache, token_revocation

        token_revocation.connect()
        principal_cache.connect()
