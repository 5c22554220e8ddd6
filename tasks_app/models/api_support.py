"""Records that back the API's shared behaviours: idempotent POSTs and sync tombstones."""

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a creating POST sent with an `Idempotency-Key` header.

    The unique (user, key) row is inserted before the object is created, in the same
    transaction, so a concurrent retry with the same key waits for the first and then
    replays its response instead of creating a second object.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    # sha256 of the parsed request body (plantracker.api.idempotency); "" on older rows
    body_hash = models.CharField(max_length=64, blank=True, default="")
    status_code = models.PositiveSmallIntegerField(default=0)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Tombstone(models.Model):
    """A deleted or archived object, returned once to clients syncing with updated_since."""

    resource = models.CharField(max_length=40)  # e.g. "task", "comment", "milestone"
    object_id = models.BigIntegerField()
    task_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    department_ids = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "object_id"], name="tombstone_unique"),
        ]
        indexes = [models.Index(fields=["resource", "updated_at"], name="tombstone_sync")]

    def __str__(self) -> str:
        return f"{self.resource}:{self.object_id}"
