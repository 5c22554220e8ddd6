"""The accounts and push endpoints through a Python client generated from the served
schema, unmodified: register a device, edit notification settings, list sessions, change
the password, log out (tests/api/test_generated_clients.py runs the task workflow)."""

from __future__ import annotations

import pytest

from tasks_app.models import Department, PushDevice
from tests.api.generated_clients import forget_python_client, python_client
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory):
    package = python_client(live_server.url, tmp_path_factory.mktemp("python-client"))
    yield package
    forget_python_client()


def _login(base_url: str, username: str, password: str = PASSWORD):
    from plantracker_client import Client
    from plantracker_client.api.auth import auth_token_create
    from plantracker_client.models import TokenObtainPairRequest

    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    body = TokenObtainPairRequest(username=username, password=password)
    response = auth_token_create.sync_detailed(client=anonymous, body=body)
    assert response.status_code == 200, response.content
    return anonymous, response.parsed


def test_a_phone_signs_in_registers_edits_settings_and_signs_out(
    generated, live_server, make_member, transactional_db, plan_snapshot
) -> None:
    # plan_snapshot: taken before this test's flush removes the migration's issuing body,
    # or a later test's restore would meet the body a snapshot taken after it recreated.
    from plantracker_client import AuthenticatedClient
    from plantracker_client.api.auth import auth_logout_create, auth_token_refresh_create
    from plantracker_client.api.me import (
        me_devices_create,
        me_devices_destroy,
        me_devices_list,
        me_partial_update,
        me_password_create,
        me_retrieve,
        me_sessions_destroy,
        me_sessions_list,
    )
    from plantracker_client.models import (
        LogoutRequest,
        NotificationChannelEnum,
        PasswordChangeRequest,
        PatchedMeUpdateRequest,
        PushDeviceRegisterRequest,
        PushPlatformEnum,
        TokenRefreshRequest,
    )

    lead = make_member(Department.objects.create(code="qtjj", name="测试统计局"), "dept_lead")
    anonymous, tokens = _login(live_server.url, lead.username)
    _other, laptop = _login(live_server.url, lead.username)
    client = AuthenticatedClient(
        base_url=live_server.url, token=tokens.access, raise_on_unexpected_status=True
    )

    register = PushDeviceRegisterRequest(
        platform=PushPlatformEnum.HARMONY, token="hms-token-1", app_version="2.3.0"
    )
    created = me_devices_create.sync_detailed(client=client, body=register)
    assert created.status_code == 201 and created.parsed.platform == PushPlatformEnum.HARMONY
    assert me_devices_create.sync_detailed(client=client, body=register).status_code == 200
    assert [d.token for d in me_devices_list.sync(client=client)] == ["hms-token-1"]

    edit = PatchedMeUpdateRequest.from_dict(
        {"channels": {"urge": ["push"]}, "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"}
    )
    me = me_partial_update.sync(client=client, body=edit)
    assert me.channels.additional_properties == {"urge": [NotificationChannelEnum.PUSH]}
    assert str(me.quiet_hours_end) == "07:00:00"
    assert me_retrieve.sync(client=client).quiet_hours_start == me.quiet_hours_start

    sessions = me_sessions_list.sync(client=client)
    assert [s.current for s in sessions] == [False, True]  # the laptop logged in last
    laptop_session = next(s.id for s in sessions if not s.current)
    assert me_sessions_destroy.sync_detailed(laptop_session, client=client).status_code == 204
    refused = auth_token_refresh_create.sync_detailed(
        client=anonymous,
        body=TokenRefreshRequest(refresh=laptop.refresh),
    )
    assert refused.status_code == 401

    changed = me_password_create.sync_detailed(
        client=client,
        body=PasswordChangeRequest(old_password=PASSWORD, new_password="Daxing-2025-next"),
    )
    assert changed.status_code == 200
    fresh = changed.parsed
    client = AuthenticatedClient(
        base_url=live_server.url, token=fresh.access, raise_on_unexpected_status=True
    )
    assert me_devices_destroy.sync_detailed("hms-token-1", client=client).status_code == 204
    assert not PushDevice.objects.filter(is_active=True).exists()
    out = auth_logout_create.sync_detailed(
        client=anonymous, body=LogoutRequest(refresh=fresh.refresh)
    )
    assert out.status_code == 204
