"""Test settings: PostgreSQL and Redis come from the environment the test runner sets."""

from .base import *  # noqa: F403
from .base import PLANTRACKER, REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"auth": "1000/min", "writes": "10000/min"},
}
PLANTRACKER = {**PLANTRACKER}
