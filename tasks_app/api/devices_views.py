"""/api/v1/me/devices/: the caller's push devices (services in tasks_app/push/devices.py)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks_app.models import PushDevice, PushPlatform
from tasks_app.push.devices import device_register, device_remove, devices_of


class PushDeviceSerializer(serializers.ModelSerializer):
    platform = serializers.ChoiceField(choices=PushPlatform.choices)

    class Meta:
        model = PushDevice
        fields = ["id", "platform", "token", "app_version", "is_active", "created_at",
                  "last_seen_at"]  # fmt: skip
        read_only_fields = fields


class PushDeviceRegisterSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=PushPlatform.choices)
    token = serializers.CharField(max_length=512, help_text="The push gateway's device token.")
    app_version = serializers.CharField(max_length=40, required=False, allow_blank=True)


class PushDeviceListView(APIView):
    """GET → the caller's active devices; POST registers one (idempotent on the token:
    201 when new, 200 when it was known — updated, revived, or moved to the caller)."""

    @extend_schema(summary="My push devices", responses=PushDeviceSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(PushDeviceSerializer(devices_of(request.user), many=True).data)

    @extend_schema(
        summary="Register a push device",
        request=PushDeviceRegisterSerializer,
        responses={200: PushDeviceSerializer, 201: PushDeviceSerializer},
    )
    def post(self, request: Request) -> Response:
        data = PushDeviceRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device, created = device_register(user=request.user, **data.validated_data)
        return Response(
            PushDeviceSerializer(device).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PushDeviceDetailView(APIView):
    """DELETE /me/devices/<id or token>/ → 204: no more push to that device (a token
    holding "/" is removed by its id)."""

    @extend_schema(
        summary="Remove a push device",
        responses={204: OpenApiResponse(description="The device gets no more push.")},
    )
    def delete(self, request: Request, key: str) -> Response:
        device_remove(user=request.user, key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
