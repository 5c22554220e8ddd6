"""GET /notifications/unread-count/: the badge on the app icon, in one small call."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks_app.inbox.selectors import notifications_unread_count


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(min_value=0, help_text="Your unread notifications.")


class NotificationUnreadCountView(APIView):
    """How many of your notifications are unread."""

    @extend_schema(responses=UnreadCountSerializer)
    def get(self, request: Request) -> Response:
        return Response({"unread": notifications_unread_count(request.user)})
