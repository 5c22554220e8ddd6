"""The one clock for "today": the district's local date, or in local development the
demo date PLANTRACKER_TODAY (a setting that production settings refuse).

Flags, reminders, rollups, the console and the API all ask here, so a demo shows a plan
in progress on a date inside its year. Timestamps (created_at, history) stay real.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

# seed_demo walks a plan through its months: within `pinned(day)`, today() is `day`.
_pinned: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("pinned", default=None)


def demo_today() -> dt.date | None:
    """The configured demo date, or None (always None in production)."""
    value = getattr(settings, "PLANTRACKER_TODAY", "") or ""
    return dt.date.fromisoformat(str(value)) if value else None


def today() -> dt.date:
    return _pinned.get() or demo_today() or timezone.localdate()


@contextlib.contextmanager
def pinned(day: dt.date) -> Iterator[None]:
    """today() is `day` inside the block (the demo seed's dates; never a request's)."""
    token = _pinned.set(day)
    try:
        yield
    finally:
        _pinned.reset(token)
