"""Test settings: base + a fast password hasher.

PostgreSQL, Redis and the broker come from the environment that `.ci/services.py` sets;
everything else (throttle rates, lockout, e-mail from EMAIL_URL) stays as in production
so the tests exercise the real configuration. pytest-django swaps in the locmem e-mail
backend by itself; tests that need real SMTP set it explicitly.
"""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

# tests/bench checks the benchmark's city generator (bench/city, not installed in production)
INSTALLED_APPS = [*INSTALLED_APPS, "bench.city"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
