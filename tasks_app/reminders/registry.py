"""Where reminder items come from: the built-in providers plus any other app's.

A provider is a callable `provider(*, today: date, warn_until: date) -> Iterable[ReminderItem]`
that returns, from a constant number of set-based queries, every item that is due on or
before `warn_until` and not done (overdue ones included). Other apps plug in either by
calling `register_provider(func)` (e.g. in their AppConfig.ready()) or by listing a
dotted path in settings.PLANTRACKER["REMINDER_PROVIDERS"].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils.module_loading import import_string

from tasks_app.reminders.items import ReminderItem

Provider = Callable[..., Iterable[ReminderItem]]

_providers: dict[str, Provider] = {}


def _name(func: Provider) -> str:
    return f"{func.__module__}.{getattr(func, '__qualname__', repr(func))}"


def register_provider(func: Provider) -> Provider:
    """Add a provider (idempotent: registering the same function twice keeps one).

    Usable as a decorator. Returns the function unchanged.
    """
    _providers[_name(func)] = func
    return func


def unregister_provider(func: Provider) -> None:
    _providers.pop(_name(func), None)


def registered_providers() -> list[Provider]:
    """Built-ins first (imported here so they register), then others, then settings'."""
    from tasks_app.reminders import (  # noqa: F401  (built-ins)
        acknowledgement_items,
        providers,
        response_items,
    )

    found = dict(_providers)
    for path in settings.PLANTRACKER.get("REMINDER_PROVIDERS", ()):
        func = import_string(path)
        found.setdefault(_name(func), func)
    return list(found.values())


def collect_items(*, today: dt.date, warn_until: dt.date) -> list[ReminderItem]:
    """Every provider's items, de-duplicated by key (first provider wins)."""
    items: dict[str, ReminderItem] = {}
    for provider in registered_providers():
        for item in provider(today=today, warn_until=warn_until):
            items.setdefault(item.key, item)
    return list(items.values())
