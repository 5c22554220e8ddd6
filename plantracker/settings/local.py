"""Local development settings: the `make run` defaults (SQLite, filesystem broker)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
