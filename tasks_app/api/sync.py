"""The API's sync mixin with tasks_app's tombstones (plantracker/api/sync.py does the rest)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from plantracker.api import sync
from tasks_app.models import Tombstone
from tasks_app.org.tombstones import tombstone_ids_since, tombstones_visible_to


class SyncListMixin(sync.SyncListMixin):
    """`updated_since` lists whose deletions are the caller-visible tombstones of the resource.

    Override `sync_tombstones()` when the default visibility (the caller's departments, or a
    task the caller sees) is wrong for the resource.
    """

    def sync_tombstones(self) -> QuerySet[Tombstone]:
        resource_tombstones = Tombstone.objects.filter(resource=self.get_sync_resource())
        return tombstones_visible_to(self.request.user, resource_tombstones)

    def sync_deleted_ids(self, cutoff: dt.datetime) -> list[int]:
        return tombstone_ids_since(self.sync_tombstones(), cutoff)
