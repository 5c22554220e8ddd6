"""The signed-in person as an API request needs them, cached (docs/performance-floor.md).

Every token-authenticated request needs the person's row (is the account active, does the
token's password fingerprint still match), and most need their memberships (roles,
departments) and notification settings (/me/). Reading them took 3–4 queries per request,
most of the floor's time. `principal_of(user_id=...)` keeps them in Django's cache (Redis
in production), one entry per person:

- **What is kept**: the User row (with its NotificationSettings, select_related) and its
  memberships as (department id, code, name, role) in department-code order, attached to
  the instance (`memberships_of(user)` reads them). Not the password hash: the row's
  password is deferred (a password check loads it) and the cache holds simplejwt's
  fingerprint of it, which every access token carries anyway.
- **Invalidation**: every change that matters calls `principal_forget(user_ids=...)`,
  which replaces the entry with a short-lived marker at once and again when the
  transaction commits. While the marker is there, readers go to the database and do not
  refill the cache, so a reader that read the old row just before the commit cannot put
  it back. Signals (connected in TasksAppConfig.ready) cover save() and delete() of User,
  Membership, NotificationSettings and Department — services, the admin, the shell, the
  console; the bulk writes that bypass signals (demo accounts, the plan importer's
  departments) call it themselves. Nothing updates these tables with queryset.update().
- **Cache unreachable during a write**: a deactivation, a new password or a deletion
  fails with it (strict: a stale entry must not let old tokens in); any other change is
  logged as an error and its entry ages out within PRINCIPAL_TTL_SECONDS.
- The JWT authentication (tasks_app/api/authentication.py) asks the database whenever a
  cached person fails a check (inactive, password fingerprint): the cache never refuses
  on its own word, and an entry the database contradicts is dropped.
"""

from __future__ import annotations

import copy
import logging
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from rest_framework_simplejwt.utils import get_md5_hash_password

from plantracker.api.throttling import CACHE_ERRORS
from tasks_app.models import Department, Membership, NotificationSettings, User

logger = logging.getLogger(__name__)

# In the key: the models' field names (a deploy that changes them reads no old pickles)
# and the database (two databases sharing one Redis — staging and production, the
# benchmark's scales — never read each other's people, whose ids coincide).
_SHAPE = zlib.crc32(
    " ".join(
        [
            *(f.attname for m in (User, NotificationSettings) for f in m._meta.concrete_fields),
            *(str(settings.DATABASES["default"].get(k, "")) for k in ("HOST", "PORT", "NAME")),
        ]
    ).encode()
)
PRINCIPAL_KEY = f"plantracker:principal:v1:{_SHAPE:08x}:%s"
PRINCIPAL_TTL_SECONDS = 300
# How long an invalidated person is read from the database only; longer than any
# request between its database read and its cache write.
INVALIDATED_HOLD_SECONDS = 30
_INVALIDATED = "invalidated"
_MEMBERSHIPS_ATTR = "_plantracker_memberships"
_FINGERPRINT_ATTR = "_plantracker_password_fingerprint"


@dataclass(frozen=True)
class CachedMembership:
    department_id: int
    code: str
    name: str
    role: str


def _load(user_id: int) -> User | None:
    user = User.objects.select_related("notification_settings").filter(pk=user_id).first()
    if user is None:
        return None
    rows = (
        Membership.objects.filter(user_id=user_id)
        .order_by("department__code", "pk")
        .values_list("department_id", "department__code", "department__name", "role")
    )
    setattr(user, _MEMBERSHIPS_ATTR, tuple(CachedMembership(*row) for row in rows))
    return user


def password_fingerprint(user: User) -> str:
    """simplejwt's fingerprint of the password (CHECK_REVOKE_TOKEN), which every access
    token carries: the cache keeps it instead of the hash."""
    fingerprint = getattr(user, _FINGERPRINT_ATTR, None)
    return fingerprint if fingerprint is not None else get_md5_hash_password(user.password)


def _entry(user: User) -> dict[str, Any]:
    """What the cache keeps: the row without its password hash (deferred: a password
    check loads it), the token fingerprint, the memberships."""
    row = copy.copy(user)
    for attr in ("password", _MEMBERSHIPS_ATTR, _FINGERPRINT_ATTR):
        row.__dict__.pop(attr, None)
    return {
        "user": row,
        "fingerprint": get_md5_hash_password(user.password),
        "memberships": getattr(user, _MEMBERSHIPS_ATTR),
    }


def principal_cache_shared() -> bool:
    """Whether the cache is one every process reads (Redis in production). A per-process
    cache (locmem, `make run`'s default; dummy) would never hear of an invalidation written
    by another process — a second gunicorn worker, the Celery worker, `manage.py
    changepassword` — so without a shared cache the person is read from the database."""
    return not isinstance(caches["default"], (LocMemCache, DummyCache))


def principal_of(*, user_id: int) -> User | None:
    """The person with their memberships and notification settings; None if there is none."""
    if not principal_cache_shared():
        return _load(user_id)
    key = PRINCIPAL_KEY % user_id
    try:
        cached = cache.get(key)
    except CACHE_ERRORS:
        return _load(user_id)
    if isinstance(cached, dict):
        user = cached["user"]
        setattr(user, _MEMBERSHIPS_ATTR, cached["memberships"])
        setattr(user, _FINGERPRINT_ATTR, cached["fingerprint"])
        return user
    user = _load(user_id)
    if user is not None and cached != _INVALIDATED:
        entry = _entry(user)
        try:
            # add, not set: a marker written meanwhile by an invalidation wins.
            cache.add(key, entry, timeout=PRINCIPAL_TTL_SECONDS)
        except CACHE_ERRORS:
            pass
    return user


def principal_fresh(*, user_id: int) -> User | None:
    """The same, from the database (after the request's own write)."""
    return _load(user_id)


def memberships_of(user: User) -> tuple[CachedMembership, ...]:
    """The person's memberships in department-code order: from the cached principal when
    the request has one, else one query."""
    cached = getattr(user, _MEMBERSHIPS_ATTR, None)
    if cached is None:
        cached = tuple(
            CachedMembership(*row)
            for row in Membership.objects.filter(user_id=user.pk)
            .order_by("department__code", "pk")
            .values_list("department_id", "department__code", "department__name", "role")
        )
    return cached


def _mark(user_ids: list[int], *, strict: bool = False) -> None:
    try:
        cache.set_many(
            {PRINCIPAL_KEY % pk: _INVALIDATED for pk in user_ids},
            timeout=INVALIDATED_HOLD_SECONDS,
        )
    except CACHE_ERRORS:
        if strict:
            raise
        logger.error(
            "cache unreachable: cached sign-ins of users %s may stay stale up to %s s",
            user_ids,
            PRINCIPAL_TTL_SECONDS,
        )


def principal_forget(*, user_ids: Iterable[int]) -> None:
    """Drop the cached principals of these people, now and when the transaction commits."""
    ids = sorted({int(pk) for pk in user_ids if pk is not None})
    if not ids:
        return
    _mark(ids)
    transaction.on_commit(lambda: _mark(ids))


def principal_forget_departments(*, department_ids: Iterable[int]) -> None:
    """A department's code or name changed: its members' cached memberships show it."""
    ids = list(department_ids)
    if ids:
        principal_forget(
            user_ids=Membership.objects.filter(department_id__in=ids).values_list(
                "user_id", flat=True
            )
        )


# --- signals: save() and delete() wherever they come from --------------------------------


_GUARDED_USER_FIELDS = {"password", "is_active"}


def _user_pre_save(sender: type, instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not _GUARDED_USER_FIELDS & set(update_fields):
        return
    old = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is not None and (
        old["password"] != instance.password or old["is_active"] != instance.is_active
    ):
        # before the row is written: a cache that cannot be told stops the write, rather
        # than a stale entry letting old tokens in
        _mark([instance.pk], strict=True)


def _user_pre_delete(sender: type, instance: User, **kwargs: Any) -> None:
    _mark([instance.pk], strict=True)


def _user_changed(sender: type, instance: User, **kwargs: Any) -> None:
    if set(kwargs.get("update_fields") or ()) == {"last_login"}:
        return  # every password login (UPDATE_LAST_LOGIN); nothing reads it off the principal
    principal_forget(user_ids=[instance.pk])


def _membership_pre_save(sender: type, instance: Membership, **kwargs: Any) -> None:
    if instance.pk is not None and not kwargs.get("raw"):
        # a membership moved to another person: the old holder loses it too
        old = Membership.objects.filter(pk=instance.pk).values_list("user_id", flat=True)
        principal_forget(user_ids=old)


def _membership_changed(sender: type, instance: Membership, **kwargs: Any) -> None:
    principal_forget(user_ids=[instance.user_id])


def _settings_changed(sender: type, instance: NotificationSettings, **kwargs: Any) -> None:
    principal_forget(user_ids=[instance.user_id])


def _department_changed(sender: type, instance: Department, **kwargs: Any) -> None:
    if not kwargs.get("created"):
        principal_forget_departments(department_ids=[instance.pk])


def connect() -> None:
    pre_save.connect(_user_pre_save, sender=User, dispatch_uid="principal-user-pre")
    post_save.connect(_user_changed, sender=User, dispatch_uid="principal-user-save")
    pre_delete.connect(_user_pre_delete, sender=User, dispatch_uid="principal-user-pre-del")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="principal-user-delete")
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(
            _membership_changed, sender=Membership, dispatch_uid=f"principal-member-{name}"
        )
        signal.connect(
            _settings_changed,
            sender=NotificationSettings,
            dispatch_uid=f"principal-settings-{name}",
        )
    post_save.connect(_department_changed, sender=Department, dispatch_uid="principal-dept-save")
    pre_save.connect(_membership_pre_save, sender=Membership, dispatch_uid="principal-member-pre")
