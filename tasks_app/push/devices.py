"""Registering and removing a person's push devices (`/api/v1/me/devices/`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plantracker.errors import NotFound, ValidationError
from tasks_app.models import PushDevice, PushPlatform, User


def devices_of(user: User) -> QuerySet[PushDevice]:
    return PushDevice.objects.filter(user=user, is_active=True).order_by("id")


@transaction.atomic
def device_register(
    *, user: User, platform: str, token: str, app_version: str = ""
) -> tuple[PushDevice, bool]:
    """Register (or refresh) the device holding `token`; returns (device, created).

    Idempotent on the token: registering it again updates platform and version, revives
    it if it was deactivated, and moves it to `user` if someone else had registered it
    (the phone now belongs to whoever signed in last)."""
    token = token.strip()
    if not token:
        raise ValidationError({"token": [_("推送令牌不能为空。")]}, code="blank")
    if platform not in PushPlatform.values:
        raise ValidationError({"platform": [_("不支持的平台。")]}, code="invalid_choice")
    # update_or_create locks the row and survives a concurrent first registration.
    return PushDevice.objects.update_or_create(
        token=token,
        defaults={
            "user": user, "platform": platform, "app_version": app_version,
            "is_active": True, "deactivated_reason": "", "last_seen_at": timezone.now(),
        },
    )  # fmt: skip


@transaction.atomic
def device_remove(*, user: User, key: str) -> PushDevice:
    """Deactivate the caller's device named by id or by token; 404 when it is not theirs."""
    match = Q(token=key)
    if key.isdigit() and len(key) < 19:
        match |= Q(pk=int(key))
    device = devices_of(user).select_for_update().filter(match).first()
    if device is None:
        raise NotFound()
    device.is_active, device.deactivated_reason = False, "removed by the user"
    device.save(update_fields=["is_active", "deactivated_reason"])
    return device
