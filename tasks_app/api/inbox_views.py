"""The notifications inbox: list your own, mark one or all read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks_app.api.directory_filters import NotificationFilter
from tasks_app.api.enums import NotificationKind
from tasks_app.api.sync import SyncListMixin
from tasks_app.api.tasks_serializers import datetime_json
from tasks_app.inbox.messages import notification_text
from tasks_app.inbox.services import (
    notification_mark_read,
    notification_tombstone_resource,
    notifications_mark_all_read,
)
from tasks_app.models import Notification, Tombstone
from tasks_app.plans.selectors import notifications_of


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "payload",
            "params",
            "task",
            "created_at",
            "read_at",
            "is_read",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None

    def _text(self, obj: Notification) -> tuple[str, str]:
        """Title and body in the reader's language, from kind + params (inbox/messages.py)."""
        return notification_text(
            kind=obj.kind, params=obj.params, payload=obj.payload, title=obj.title, body=obj.body
        )

    def get_title(self, obj: Notification) -> str:
        return self._text(obj)[0]

    def get_body(self, obj: Notification) -> str:
        return self._text(obj)[1]

    def to_representation(self, instance: Notification) -> dict[str, Any]:
        """The fields above, rendered directly: an inbox page is up to 200 rows
        (tests/api/test_task_representation.py holds it to DRF's generic rendering)."""
        title, body = self._text(instance)
        return {
            "id": instance.pk,
            "kind": instance.kind,
            "title": title,
            "body": body,
            "payload": instance.payload,
            "params": instance.params,
            "task": instance.task_id,
            "created_at": datetime_json(instance.created_at),
            "read_at": datetime_json(instance.read_at),
            "is_read": instance.read_at is not None,
            "updated_at": datetime_json(instance.updated_at),
        }


class NotificationListView(SyncListMixin, ListAPIView):
    """Your own notifications; `?unread=true` for the unread ones."""

    queryset = Notification.objects.none()  # the model, for the schema; rows: get_queryset()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Notification]:
        return notifications_of(self.request.user)

    def get_sync_resource(self) -> str:
        return notification_tombstone_resource(self.request.user.pk)

    def sync_tombstones(self) -> QuerySet[Tombstone]:
        # The resource name already scopes them to the caller.
        return Tombstone.objects.filter(resource=self.get_sync_resource())


class NotificationReadView(APIView):
    """Mark one of your notifications read (idempotent); others' are 404."""

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notification = get_object_or_404(notifications_of(request.user), pk=pk)
        notification = notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)


class ReadAllResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")


class NotificationReadAllView(APIView):
    """Mark all your unread notifications read in one UPDATE; returns how many changed."""

    @extend_schema(request=None, responses=ReadAllResultSerializer)
    def post(self, request: Request) -> Response:
        updated = notifications_mark_all_read(recipient=request.user)
        return Response({"updated": updated})
