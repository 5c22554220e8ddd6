"""The one clock for "today": the district's local date, or in local development the
demo date PLANTRACKER_TODAY (a setting that production settings refuse).

Flags, reminders, rollups, the console and the API all ask here, so a demo shows a plan
in progress on a date inside its year. Timestamps (created_at, history) stay real.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def demo_today() -> dt.date | None:
    """The configured demo date, or None (always None in production)."""
    value = getattr(settings, "PLANTRACKER_TODAY", "") or ""
    return dt.date.fromisoformat(str(value)) if value else None


def today() -> dt.date:
    return demo_today() or timezone.localdate()
