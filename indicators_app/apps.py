"""App configuration for indicators_app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsAppConfig(AppConfig):
    name = "indicators_app"
    verbose_name = _("主要指标")

    def ready(self) -> None:
        # What tasks_app needs of indicators, registered with its registries (tasks_app
        # imports no other app): reminder items, the plan import's indicators, rollup counts.
        from indicators_app import demo, reminders, rollups  # noqa: F401
        from indicators_app.services import sync  # noqa: F401
