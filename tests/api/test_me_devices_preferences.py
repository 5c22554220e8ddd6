"""/api/v1/me/devices/ (push devices) and PATCH /api/v1/me/ (notification settings)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tasks_app.models import Department, NotificationSettings, PushDevice

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"
DEVICES = "/api/v1/me/devices/"
TOKEN_A = "ExponentPushToken[aaaaaaaaaaaaaaaaaaaaaa]"


@pytest.fixture
def lead(make_member):
    return make_member(Department.objects.create(code="qtjj", name="测试统计局"), "dept_lead")


@pytest.fixture
def staff(make_member):
    return make_member(Department.objects.create(code="qjw", name="测试教委"), "dept_staff")


def _codes(response) -> list[tuple[str | None, str]]:
    return [(e["attr"], e["code"]) for e in response.json()["errors"]]


# --- devices ------------------------------------------------------------------------------


def test_register_is_idempotent_on_the_token(lead, validated_api) -> None:
    client = validated_api(lead)
    body = {"platform": "ios", "token": TOKEN_A, "app_version": "1.0.0"}
    first = client.post(DEVICES, body, format="json")
    assert first.status_code == 201
    assert first.json()["platform"] == "ios" and first.json()["is_active"] is True
    again = client.post(DEVICES, {**body, "app_version": "1.1.0"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["app_version"] == "1.1.0"
    assert again.json()["last_seen_at"] >= first.json()["last_seen_at"]
    assert PushDevice.objects.count() == 1
    listed = client.get(DEVICES).json()
    assert [d["token"] for d in listed] == [TOKEN_A]


def test_a_token_registered_by_someone_else_moves_to_the_caller(lead, staff, validated_api) -> None:
    validated_api(lead).post(DEVICES, {"platform": "android", "token": TOKEN_A}, format="json")
    moved = validated_api(staff).post(
        DEVICES, {"platform": "harmony", "token": TOKEN_A}, format="json"
    )
    assert moved.status_code == 200
    device = PushDevice.objects.get()
    assert device.user_id == staff.pk and device.platform == "harmony"
    assert validated_api(lead).get(DEVICES).json() == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"platform": "symbian", "token": "t"}, [("platform", "invalid_choice")]),
        ({"platform": "ios", "token": "   "}, [("token", "blank")]),
        ({"platform": "ios"}, [("token", "required")]),
        ({"platform": "ios", "token": "x" * 513}, [("token", "max_length")]),
    ],
)
def test_bad_registrations_are_400_naming_the_field(lead, validated_api, body, expected) -> None:
    response = validated_api(lead).post(DEVICES, body, format="json")
    assert response.status_code == 400
    assert _codes(response) == expected
    assert not PushDevice.objects.exists()


def test_remove_by_id_or_by_token_and_only_ones_own(lead, staff, validated_api) -> None:
    client = validated_api(lead)
    first = client.post(DEVICES, {"platform": "ios", "token": TOKEN_A}, format="json").json()
    client.post(DEVICES, {"platform": "android", "token": "fcm:token-with+chars"}, format="json")
    assert validated_api(staff).delete(f"{DEVICES}{first['id']}/").status_code == 404
    assert client.delete(f"{DEVICES}{first['id']}/").status_code == 204
    assert client.delete(f"{DEVICES}fcm:token-with%2Bchars/").status_code == 204
    assert client.get(DEVICES).json() == []
    assert client.delete(f"{DEVICES}{first['id']}/").status_code == 404
    # kept, inactive; registering again revives it
    assert PushDevice.objects.filter(is_active=False).count() == 2
    revived = client.post(DEVICES, {"platform": "ios", "token": TOKEN_A}, format="json")
    assert revived.status_code == 200 and revived.json()["is_active"] is True


# --- preferences --------------------------------------------------------------------------


def test_patch_me_edits_the_callers_notification_settings(lead, validated_api) -> None:
    client = validated_api(lead)
    response = client.patch(
        ME,
        {
            "channels": {"urge": ["push"], "reminder_digest": ["email", "push"]},
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:30",
            "language": "en",
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["channels"] == {"urge": ["push"], "reminder_digest": ["email", "push"]}
    assert (body["quiet_hours_start"], body["quiet_hours_end"]) == ("22:00:00", "07:30:00")
    assert body["language"] == "en"
    assert body["default_channels"] == ["email", "webhook", "push"]
    assert client.get(ME).json() == body
    prefs = NotificationSettings.objects.get(user=lead)
    assert prefs.quiet_hours_end == dt.time(7, 30)

    # merged per kind; null goes back to the defaults, [] means the inbox only
    after = client.patch(
        ME,
        {"channels": {"urge": None, "claim_returned": []}, "default_channels": ["push"]},
        format="json",
    ).json()
    assert after["channels"] == {"reminder_digest": ["email", "push"], "claim_returned": []}
    assert after["default_channels"] == ["push"]
    assert after["quiet_hours_start"] == "22:00:00"  # untouched
    lead.refresh_from_db()
    assert (lead.notify_email, lead.notify_webhook) == (False, False)
    # quiet hours off
    off = client.patch(ME, {"quiet_hours_start": None, "quiet_hours_end": None}, format="json")
    assert (off.json()["quiet_hours_start"], off.json()["quiet_hours_end"]) == (None, None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"channels": {"no_such_kind": ["push"]}}, [("channels", "invalid")]),
        ({"channels": {"urge": ["fax"]}}, [("channels", "invalid")]),
        ({"default_channels": ["fax"]}, [("default_channels", "invalid")]),
        (
            {"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"},
            [("quiet_hours_start", "invalid")],
        ),
        ({"quiet_hours_start": "22:00"}, [("quiet_hours_end", "incomplete")]),
        (
            {"quiet_hours_start": "22:00", "quiet_hours_end": "22:00"},
            [("quiet_hours_end", "empty_window")],
        ),
        ({"language": "fr"}, [("language", "invalid_choice")]),
        ({"display_name": "x"}, [("non_field_errors", "read_only")]),
        # item errors are named on the field itself, as the schema says (make fuzz found
        # `default_channels.0` and `channels.urge.0`, which no schema entry matches)
        ({"default_channels": [None]}, [("default_channels", "null")]),
        ({"default_channels": "push"}, [("default_channels", "not_a_list")]),
        ({"channels": {"urge": [None, {"a": 1}]}}, [("channels", "null"), ("channels", "invalid")]),
        ({"channels": ["push"]}, [("channels", "not_a_dict")]),
    ],
)
def test_bad_settings_are_400_naming_the_field(lead, validated_api, body, expected) -> None:
    response = validated_api(lead).patch(ME, body, format="json")
    assert response.status_code == 400, response.content
    assert _codes(response) == expected
    assert not NotificationSettings.objects.filter(user=lead).exclude(channels={}).exists()
    prefs = NotificationSettings.objects.filter(user=lead).first()
    assert prefs is None or (prefs.quiet_hours_start, prefs.language) == (None, "")


def test_an_unknown_kind_is_named_in_the_message(lead, validated_api) -> None:
    response = validated_api(lead).patch(ME, {"channels": {"no_such_kind": []}}, format="json")
    assert "no_such_kind" in response.json()["errors"][0]["detail"]


def test_deactivating_an_account_deactivates_its_devices(lead, staff, validated_api) -> None:
    validated_api(lead).post(DEVICES, {"platform": "ios", "token": TOKEN_A}, format="json")
    validated_api(staff).post(DEVICES, {"platform": "ios", "token": "other"}, format="json")
    lead.is_active = False
    lead.save()
    assert PushDevice.objects.get(token=TOKEN_A).is_active is False
    assert PushDevice.objects.get(token="other").is_active is True


def test_quiet_hours_are_declared_as_local_wall_clock_times(lead, validated_api) -> None:
    """make fuzz: a time without an offset failed the schema's `format: time` (RFC 3339
    wants an offset); quiet hours are the district's wall clock, declared by pattern."""
    client = validated_api(lead)  # checks every answer against the served schema
    body = client.patch(
        ME, {"quiet_hours_start": "00:04:04", "quiet_hours_end": "00:01:00"}, format="json"
    ).json()
    assert (body["quiet_hours_start"], body["quiet_hours_end"]) == ("00:04:04", "00:01:00")
    schema = client.get("/api/v1/schema/?format=json").json()
    field = schema["components"]["schemas"]["Me"]["properties"]["quiet_hours_start"]
    assert "format" not in json.dumps(field) and "pattern" in json.dumps(field)
