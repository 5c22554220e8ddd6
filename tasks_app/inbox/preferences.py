"""Notification preferences: which external channels each kind goes out on, quiet hours
and language (NotificationSettings), read in bulk for the outbox and edited by
`PATCH /api/v1/me/`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plantracker.errors import ValidationError
from tasks_app.models import Channel, NotificationSettings, PushDevice, User

EXTERNAL_CHANNELS = (Channel.EMAIL.value, Channel.WEBHOOK.value, Channel.PUSH.value)
UNSET: Any = object()


@dataclass(frozen=True)
class Reach:
    """What the outbox needs of one recipient: channels per kind, quiet hours, devices."""

    default_channels: tuple[str, ...]
    channels: dict[str, list[str]] = field(default_factory=dict)
    quiet_hours_start: dt.time | None = None
    quiet_hours_end: dt.time | None = None
    language: str = ""
    has_push_device: bool = False

    def channels_for(self, kind: str) -> tuple[str, ...]:
        chosen = self.channels.get(kind)
        return self.default_channels if chosen is None else tuple(chosen)

    def quiet_until(self, now: dt.datetime) -> dt.datetime | None:
        """When the quiet hours around `now` end (aware), or None outside them."""
        return quiet_hours_end_after(now, self.quiet_hours_start, self.quiet_hours_end)


def quiet_hours_end_after(
    now: dt.datetime, start: dt.time | None, end: dt.time | None
) -> dt.datetime | None:
    """The end of the quiet window containing `now` (local time; a window may wrap
    midnight, 22:00–07:00), or None when `now` is outside it or there is no window."""
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end), local.tzinfo)


def _reach(user: User, prefs: NotificationSettings | None, has_device: bool) -> Reach:
    notify_push = prefs.notify_push if prefs is not None else True
    defaults = tuple(
        channel
        for channel, wanted in (
            (Channel.EMAIL.value, user.notify_email),
            (Channel.WEBHOOK.value, user.notify_webhook),
            (Channel.PUSH.value, notify_push),
        )
        if wanted
    )
    if prefs is None:
        return Reach(default_channels=defaults, has_push_device=has_device)
    return Reach(
        default_channels=defaults,
        channels=dict(prefs.channels or {}),
        quiet_hours_start=prefs.quiet_hours_start,
        quiet_hours_end=prefs.quiet_hours_end,
        language=prefs.language,
        has_push_device=has_device,
    )


def recipients_reach(user_ids: Iterable[int]) -> dict[int, Reach]:
    """user id → Reach, in one query whatever the number of people."""
    active_device = PushDevice.objects.filter(user_id=OuterRef("pk"), is_active=True)
    users = (
        User.objects.filter(pk__in=set(user_ids))
        .select_related("notification_settings")
        .annotate(has_device=Exists(active_device))
    )
    return {u.pk: _reach(u, getattr(u, "notification_settings", None), u.has_device) for u in users}


def preferences_of(user: User) -> Reach:
    return recipients_reach([user.pk]).get(user.pk) or _reach(user, None, False)


def own_preferences(user: User) -> Reach:
    """The person's settings as /me/ shows them, without a query when `user` came with its
    NotificationSettings (select_related: the signed-in principal, org/principal_cache.py).
    `has_push_device` is not read here (False)."""
    if User.notification_settings.related.is_cached(user):
        return _reach(user, getattr(user, "notification_settings", None), False)
    return preferences_of(user)


def _check_channels(channels: dict[str, Any]) -> dict[str, list[str] | None]:
    from tasks_app.api.enums import NotificationKind  # the declared kinds

    kinds = set(NotificationKind.values)
    checked: dict[str, list[str] | None] = {}
    for kind, chosen in channels.items():
        if kind not in kinds:
            raise ValidationError(
                {"channels": [_("未知的通知类型：%(kind)s") % {"kind": kind}]}, code="invalid"
            )
        wrong = [c for c in chosen or () if c not in EXTERNAL_CHANNELS]
        if wrong:
            message = _("%(kind)s：未知的渠道 %(channel)s") % {"kind": kind, "channel": wrong[0]}
            raise ValidationError({"channels": [message]}, code="invalid")
        checked[kind] = None if chosen is None else list(dict.fromkeys(chosen))
    return checked


def _check_quiet_hours(start: dt.time | None, end: dt.time | None) -> None:
    if (start is None) != (end is None):
        field = "quiet_hours_end" if end is None else "quiet_hours_start"
        raise ValidationError(
            {field: [_("免打扰时段须同时给出开始和结束时间。")]}, code="incomplete"
        )
    if start is not None and start == end:
        raise ValidationError(
            {"quiet_hours_end": [_("免打扰结束时间不能与开始时间相同。")]}, code="empty_window"
        )


@transaction.atomic
def preferences_update(
    *,
    user: User,
    default_channels: list[str] | None = None,
    channels: dict[str, list[str] | None] | None = None,
    quiet_hours_start: dt.time | Any | None = UNSET,
    quiet_hours_end: dt.time | Any | None = UNSET,
    language: str | None = None,
) -> Reach:
    """Change what is given, keep the rest. `channels` merges per kind (None: back to the
    defaults; []: the inbox only); quiet hours are both set or both None; `language` ""
    is the district's language."""
    prefs, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    if channels is not None:
        merged = {**(prefs.channels or {}), **_check_channels(channels)}
        prefs.channels = {k: v for k, v in merged.items() if v is not None}
    if quiet_hours_start is not UNSET:
        prefs.quiet_hours_start = quiet_hours_start
    if quiet_hours_end is not UNSET:
        prefs.quiet_hours_end = quiet_hours_end
    _check_quiet_hours(prefs.quiet_hours_start, prefs.quiet_hours_end)
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": [_("不支持的语言。")]}, code="invalid_choice")
        prefs.language = language
    if default_channels is not None:
        wrong = [c for c in default_channels if c not in EXTERNAL_CHANNELS]
        if wrong:
            raise ValidationError(
                {"default_channels": [_("未知的渠道：%(c)s") % {"c": wrong[0]}]}, code="invalid"
            )
        user.notify_email = Channel.EMAIL.value in default_channels
        user.notify_webhook = Channel.WEBHOOK.value in default_channels
        prefs.notify_push = Channel.PUSH.value in default_channels
        user.save(update_fields=["notify_email", "notify_webhook"])
    prefs.save()
    return preferences_of(user)
