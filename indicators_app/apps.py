"""App configuration for indicators_app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsAppConfig(AppConfig):
    name = "indicators_app"
    verbose_name = _("主要指标")

    def ready(self) -> None:
        # Registers observation_reminder_items with tasks_app's reminder provider registry.
        from indicators_app import reminders  # noqa: F401
