"""Refresh tokens die with a password, an account or a membership (issue 17).

Receivers connected in TasksAppConfig.ready: saving a person whose password changed or who
was deactivated, and deleting or changing (department, role) a membership, blacklist every
outstanding refresh token of that person (plantracker.api.tokens.refresh_tokens_revoke),
in the transaction of the save; deactivating a person also deactivates their push
devices. Every way of doing so counts: the admin, a service, `manage.py changepassword`,
the shell.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from plantracker.api.tokens import refresh_tokens_revoke
from tasks_app.models import Membership, PushDevice, User

_WATCHED_USER_FIELDS = {"password", "is_active"}


def _user_pre_save(sender: type, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    instance._revoke_refresh_tokens = False
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not _WATCHED_USER_FIELDS & set(update_fields):
        return  # e.g. last_login on every token request
    old = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    deactivated = old["is_active"] and not instance.is_active
    instance._revoke_refresh_tokens = old["password"] != instance.password or deactivated
    instance._deactivate_push_devices = deactivated


def _user_post_save(sender: type, instance: User, **kwargs: Any) -> None:
    if getattr(instance, "_revoke_refresh_tokens", False):
        refresh_tokens_revoke(user_id=instance.pk)
        instance._revoke_refresh_tokens = False
    if getattr(instance, "_deactivate_push_devices", False):
        # A deactivated account's phones get no more push (tasks_app/push).
        PushDevice.objects.filter(user_id=instance.pk, is_active=True).update(
            is_active=False, deactivated_reason="account deactivated"
        )
        instance._deactivate_push_devices = False


def _membership_pre_save(sender: type, instance: Membership, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    old = Membership.objects.filter(pk=instance.pk).values("user_id", "department_id", "role")
    old = old.first()
    if old and (old["user_id"], old["department_id"], old["role"]) != (
        instance.user_id,
        instance.department_id,
        instance.role,
    ):
        refresh_tokens_revoke(user_id=old["user_id"])


def _membership_post_delete(sender: type, instance: Membership, **kwargs: Any) -> None:
    refresh_tokens_revoke(user_id=instance.user_id)


def connect() -> None:
    pre_save.connect(_user_pre_save, sender=User, dispatch_uid="revoke-user-pre")
    post_save.connect(_user_post_save, sender=User, dispatch_uid="revoke-user-post")
    pre_save.connect(_membership_pre_save, sender=Membership, dispatch_uid="revoke-member-pre")
    post_delete.connect(
        _membership_post_delete, sender=Membership, dispatch_uid="revoke-member-delete"
    )
