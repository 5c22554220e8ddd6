"""/api/v1/me/: the caller, roles and departments."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks_app.org.visibility import user_roles


class MeDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    roles = serializers.ListField(child=serializers.CharField())
    departments = MeDepartmentSerializer(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        memberships = user.memberships.select_related("department").order_by("department__code")
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name or user.username,
            "email": user.email,
            "roles": user_roles(user),
            "departments": [
                {
                    "id": m.department_id,
                    "code": m.department.code,
                    "name": m.department.name,
                    "role": m.role,
                }
                for m in memberships
            ],
        }
        return Response(MeSerializer(data).data)
