"""GET /api/v1/me/: the caller, roles and departments, for every role."""

from __future__ import annotations

import pytest

from tasks_app.models import Department, Membership

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/"


@pytest.fixture
def departments() -> tuple[Department, Department]:
    return (
        Department.objects.create(code="qfgw", name="测试发改委"),
        Department.objects.create(code="qjw", name="测试教委", kind="bureau"),
    )


def test_supervisor(supervisor, validated_api) -> None:
    body = validated_api(supervisor).get(URL).json()
    assert body == {
        "id": supervisor.pk,
        "username": "supervisor",
        "display_name": "督查员",
        "email": "supervisor@example.test",
        "roles": ["supervisor"],
        "departments": [],
        "default_channels": ["email", "webhook", "push"],
        "channels": {},
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "language": "",
    }


def test_leader(leader, validated_api) -> None:
    body = validated_api(leader).get(URL).json()
    assert body["roles"] == ["leader"] and body["departments"] == []


@pytest.mark.parametrize("role", ["dept_lead", "dept_staff"])
def test_department_member(role, departments, make_member, validated_api) -> None:
    user = make_member(departments[0], role)
    body = validated_api(user).get(URL).json()
    assert body["roles"] == [role]
    assert body["departments"] == [
        {"id": departments[0].pk, "code": "qfgw", "name": "测试发改委", "role": role}
    ]


def test_member_of_two_departments(departments, make_member, validated_api) -> None:
    user = make_member(departments[1], "dept_lead")
    Membership.objects.create(user=user, department=departments[0], role="dept_staff")
    body = validated_api(user).get(URL).json()
    assert body["roles"] == ["dept_lead", "dept_staff"]
    assert [(d["code"], d["role"]) for d in body["departments"]] == [
        ("qfgw", "dept_staff"),
        ("qjw", "dept_lead"),
    ]


def test_admin_and_blank_display_name(django_user_model, validated_api) -> None:
    admin = django_user_model.objects.create_superuser("root", "root@x.test", "pw-12345678")
    body = validated_api(admin).get(URL).json()
    assert body["roles"] == ["admin"]
    assert body["display_name"] == "root"  # falls back to the username


def test_user_of_another_department_sees_only_itself(
    departments, make_member, validated_api
) -> None:
    make_member(departments[0], "dept_lead")
    other = make_member(departments[1], "dept_staff")
    body = validated_api(other).get(URL).json()
    assert body["username"] == "staff.qjw"
    assert [d["code"] for d in body["departments"]] == ["qjw"]


def test_anonymous_401(validated_api) -> None:
    response = validated_api(None).get(URL)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_me_edits_only_notification_settings(supervisor, validated_api) -> None:
    """PATCH edits notification settings (tests/api/test_me_preferences.py); the rest of
    the person is not the caller's to change here: a 400 naming the field, not a no-op."""
    assert validated_api(supervisor).post(URL, {}).status_code == 405
    response = validated_api(supervisor).patch(URL, {"username": "x"})
    assert response.status_code == 400
    assert "username" in response.json()["errors"][0]["detail"]
    supervisor.refresh_from_db()
    assert supervisor.username == "supervisor"
