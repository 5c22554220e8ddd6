"""Test settings: base + a fast password hasher.

PostgreSQL, Redis and the broker come from the environment that `.ci/services.py` sets;
everything else (throttle rates, lockout, e-mail from EMAIL_URL) stays as in production
so the tests exercise the real configuration. pytest-django swaps in the locmem e-mail
backend by itself; tests that need real SMTP set it explicitly.
"""

import os

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

# tests/bench checks the benchmark's city generator (bench/city, not installed in production)
INSTALLED_APPS = [*INSTALLED_APPS, "bench.city"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Under pytest-xdist (`make test-fast`) each worker has its own test database (pytest-django
# adds the suffix) and needs its own Redis database too: the tests clear the cache between
# tests, which would wipe the other worker's throttle and lockout counters.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw") and "CACHE_URL" in os.environ:
    from .base import CACHES, env

    _base, _sep, _db = os.environ["CACHE_URL"].rpartition("/")
    if _db.isdigit():
        CACHES = {
            **CACHES,
            "default": env.cache_url_config(f"{_base}/{int(_db) + 1 + int(_WORKER[2:])}"),
        }
