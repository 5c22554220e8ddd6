"""Settings of the benchmark's servers: production settings plus the city generator."""

from plantracker.settings.production import *  # noqa: F403
from plantracker.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.city"]
