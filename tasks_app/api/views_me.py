"""/api/v1/me/: the caller, roles and departments, and their notification settings
(editable by PATCH; tasks_app/inbox/preferences.py)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks_app.api.tasks_inputs import FlatDictField, FlatListField
from tasks_app.inbox.preferences import own_preferences, preferences_update
from tasks_app.models import Channel, User
from tasks_app.org.principal_cache import memberships_of, principal_fresh
from tasks_app.org.visibility import user_roles


class MeDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
        "example": "22:00:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of the district (TIME_ZONE), "HH:MM[:SS]". Declared by pattern:
    OpenAPI's `format: time` is RFC 3339's, which requires an offset (make fuzz: "00:04:04"
    failed a generated client's check of `format: time`)."""


def _channel_list(**kwargs: object) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), **kwargs)


def _language(**kwargs: object) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        **kwargs,
        choices=[("", "")] + [code for code, _name in settings.LANGUAGES],
        help_text='Push messages are written in it ("": the district\'s language).',
    )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    roles = serializers.ListField(child=serializers.CharField())
    departments = MeDepartmentSerializer(many=True)
    default_channels = _channel_list(
        help_text="External channels of every kind not listed in `channels`."
    )
    channels = serializers.DictField(
        child=_channel_list(),
        help_text="Notification kind → its external channels ([]: the inbox only).",
    )
    quiet_hours_start = LocalTimeField(allow_null=True)
    quiet_hours_end = LocalTimeField(
        allow_null=True, help_text="Push is held until then (local time, TIME_ZONE)."
    )
    language = _language()


class MeUpdateSerializer(serializers.Serializer):
    # Checked by the service, so that a wrong value is one error naming the field.
    default_channels = FlatListField(child=serializers.CharField(), required=False)
    channels = FlatDictField(
        child=FlatListField(child=serializers.CharField(), allow_null=True),
        required=False,
        help_text="Merged per kind; a kind set to null goes back to `default_channels`.",
    )
    quiet_hours_start = LocalTimeField(allow_null=True, required=False)
    quiet_hours_end = LocalTimeField(allow_null=True, required=False)
    language = _language(required=False)

    def validate(self, attrs: dict) -> dict:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                _("只能修改通知设置，不能修改：%(fields)s") % {"fields": ", ".join(unknown)},
                code="read_only",
            )
        return attrs


# What a list of strings' items can say, reported on the list (FlatListField/FlatDictField).
LIST_CODES = [
    "invalid",
    "null",
    "blank",
    "not_a_list",
    "not_a_dict",
    "null_characters_not_allowed",
    "surrogate_characters_not_allowed",
]


def me_data(user: User) -> dict:
    reach = own_preferences(user)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name or user.username,
        "email": user.email,
        "roles": user_roles(user),
        "departments": [
            {
                "id": m.department_id,
                "code": m.code,
                "name": m.name,
                "role": m.role,
            }
            for m in memberships_of(user)
        ],
        "default_channels": list(reach.default_channels),
        "channels": reach.channels,
        "quiet_hours_start": reach.quiet_hours_start,
        "quiet_hours_end": reach.quiet_hours_end,
        "language": reach.language,
    }


def me_representation(user: User) -> dict:
    """MeSerializer(me_data(user)).data written directly: /me/ is the stack's floor (every
    client's first call; docs/performance-floor.md), and the generic field walk was a fifth
    of it. tests/api/test_me_direct.py checks the two are equal."""
    data = me_data(user)
    for key in ("quiet_hours_start", "quiet_hours_end"):
        if data[key] is not None:
            data[key] = data[key].isoformat()  # TimeField, TIME_FORMAT iso-8601
    return data


@extend_validation_errors(["read_only"], field_name="non_field_errors", methods=["patch"])
@extend_validation_errors(LIST_CODES, field_name="channels", methods=["patch"])
@extend_validation_errors(LIST_CODES, field_name="default_channels", methods=["patch"])
@extend_validation_errors(["incomplete"], field_name="quiet_hours_start", methods=["patch"])
@extend_validation_errors(
    ["incomplete", "empty_window"], field_name="quiet_hours_end", methods=["patch"]
)
class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(me_representation(request.user))

    @extend_schema(
        summary="Edit my notification settings",
        request=MeUpdateSerializer,
        responses=MeSerializer,
    )
    def patch(self, request: Request) -> Response:
        data = MeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preferences_update(user=request.user, **data.validated_data)
        user = principal_fresh(user_id=request.user.pk) or request.user
        return Response(me_representation(user))
