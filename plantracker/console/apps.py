"""App configuration for the supervision console (no models: templates and static only)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "plantracker.console"
    label = "console"
    verbose_name = _("督查控制台")
