"""Local development settings: the `make run` defaults (SQLite, filesystem broker)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The demo date (plantracker/clock.py): "today" for flags, reminders, rollups, the console
# and the API, so `make run` shows a plan in progress. Local settings only: production
# refuses it.
PLANTRACKER_TODAY = env("PLANTRACKER_TODAY", default="")
