"""The signed-in person is cached per user (tasks_app/org/principal_cache.py, issue 18):
every change that matters is seen on the very next request, whichever way it was written —
a service, save() from the shell, the admin, the bulk writes of demo accounts and of the
plan importer. Real Redis (settings/test.py); real JWTs through the token endpoint.
"""

from __future__ import annotations

import pickle

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.forms import MultiWidget
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from plantracker.api.throttling import CACHE_ERRORS
from tasks_app.models import Department, Membership, NotificationSettings, User
from tasks_app.org.accounts import demo_accounts_ensure
from tasks_app.org.principal_cache import (
    PRINCIPAL_KEY,
    principal_forget,
    principal_forget_departments,
    principal_of,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


@pytest.fixture
def department() -> Department:
    return Department.objects.create(code="qtjj", name="测试统计局")


@pytest.fixture
def lead(make_member, department) -> User:
    return make_member(department, "dept_lead")


def _signed_in(user: User, password: str = PASSWORD) -> APIClient:
    response = APIClient().post(TOKEN, {"username": user.username, "password": password})
    assert response.status_code == 200, response.content
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    cache.delete(PRINCIPAL_KEY % user.pk)  # the hold after the fixture's own writes is over
    assert client.get(ME).status_code == 200  # the principal is now cached
    assert isinstance(cache.get(PRINCIPAL_KEY % user.pk), dict)
    return client


def _me(client: APIClient) -> dict:
    response = client.get(ME)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_cached_sign_in_costs_no_query(lead) -> None:
    client = _signed_in(lead)
    with CaptureQueriesContext(connection) as queries:
        body = _me(client)
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert body["departments"] == [
        {
            "id": lead.memberships.get().department_id,
            "code": "qtjj",
            "name": "测试统计局",
            "role": "dept_lead",
        }
    ]
    assert body["roles"] == ["dept_lead"]


def test_a_per_process_cache_is_never_trusted(lead, settings) -> None:
    """`make run`'s locmem cache is one per process: a deactivation written by another
    process (the shell, a second worker) would never reach it, so it is not used."""
    client = _signed_in(lead)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _me(client)
    with CaptureQueriesContext(connection) as queries:
        _me(client)
    assert len(queries) > 0  # read from the database every time
    # A write this process's cache is never told of (another process's) is seen at once.
    type(lead).objects.filter(pk=lead.pk).update(is_active=False)
    assert client.get(ME).status_code == 401


def test_the_cache_holds_no_password_hash(lead) -> None:
    _signed_in(lead)
    entry = cache.get(PRINCIPAL_KEY % lead.pk)
    lead.refresh_from_db()
    assert lead.password.encode() not in pickle.dumps(entry)
    assert "password" in entry["user"].get_deferred_fields()
    assert entry["user"].check_password(PASSWORD)  # loads it when asked


def test_deactivation_refuses_the_very_next_request(lead) -> None:
    client = _signed_in(lead)
    lead.is_active = False
    lead.save()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "user_inactive"


def _form_data(form, data: dict) -> None:
    """What a browser would post back for `form` unchanged."""
    for bound in form:
        if bound.field.disabled:
            continue
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = str(value)


def _admin_post_back(response, **changes: object) -> dict:
    data: dict = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_deactivation_in_the_admin_refuses_the_next_request(lead, admin_client: Client) -> None:
    client = _signed_in(lead)
    url = f"/admin/tasks_app/user/{lead.pk}/change/"
    response = admin_client.post(url, _admin_post_back(admin_client.get(url), is_active=None))
    assert response.status_code == 302, response.context["adminform"].form.errors
    lead.refresh_from_db()
    assert not lead.is_active
    assert client.get(ME).status_code == 401


def test_a_role_given_in_the_admin_is_seen(lead, admin_client: Client) -> None:
    client = _signed_in(lead)
    url = f"/admin/tasks_app/user/{lead.pk}/change/"
    data = _admin_post_back(admin_client.get(url), district_role="leader")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _me(client)["roles"] == ["leader", "dept_lead"]


def test_a_password_change_refuses_old_tokens_at_once(lead) -> None:
    client = _signed_in(lead)
    lead.set_password("another-Password-456")
    lead.save()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "password_changed"
    assert _me(_signed_in(lead, "another-Password-456"))["username"] == lead.username


def test_a_password_changed_through_the_api_refuses_old_tokens(lead) -> None:
    client, other_device = _signed_in(lead), _signed_in(lead)
    response = client.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": "another-Password-456"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert other_device.get(ME).status_code == 401


def test_a_deleted_person_is_refused(lead) -> None:
    client = _signed_in(lead)
    lead.delete()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "user_not_found"


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("display_name", "新名字", ("display_name", "新名字")),
        ("email", "new@example.test", ("email", "new@example.test")),
        ("district_role", "supervisor", ("roles", ["supervisor", "dept_lead"])),
        ("notify_email", False, ("default_channels", ["webhook", "push"])),
    ],
)
def test_a_saved_user_field_is_seen_on_the_next_request(lead, field, value, shown) -> None:
    client = _signed_in(lead)
    setattr(lead, field, value)
    lead.save(update_fields=[field])
    assert _me(client)[shown[0]] == shown[1]


def test_a_membership_added_changed_and_removed_is_seen(lead, department) -> None:
    client = _signed_in(lead)
    other = Department.objects.create(code="aaa", name="甲局")
    added = Membership.objects.create(user=lead, department=other, role="dept_staff")
    assert [d["code"] for d in _me(client)["departments"]] == ["aaa", "qtjj"]
    assert _me(client)["roles"] == ["dept_lead", "dept_staff"]
    added.role = "dept_lead"
    added.save()
    assert _me(client)["roles"] == ["dept_lead"]
    Membership.objects.filter(pk=added.pk).delete()  # a queryset delete sends the signals
    assert [d["code"] for d in _me(client)["departments"]] == ["qtjj"]


def test_a_membership_moved_to_another_person_leaves_the_first(lead, department) -> None:
    other = User.objects.create_user(username="other", password=PASSWORD)
    client = _signed_in(lead)
    membership = lead.memberships.get()
    membership.user = other
    membership.save()
    assert _me(client)["departments"] == []


def test_a_department_renamed_or_deleted_is_seen(lead, department) -> None:
    client = _signed_in(lead)
    department.name = "测试统计局（新）"
    department.save()
    assert _me(client)["departments"][0]["name"] == "测试统计局（新）"
    department.delete()
    assert _me(client)["departments"] == []


def test_departments_changed_in_bulk_are_forgotten_by_their_members(lead, department) -> None:
    """The plan importer renames departments with bulk_update (no signal) and then calls
    principal_forget_departments (tasks_app/plans/importer.py)."""
    client = _signed_in(lead)
    Department.objects.filter(pk=department.pk).update(name="批量改名")
    principal_forget_departments(department_ids=[department.pk])
    assert _me(client)["departments"][0]["name"] == "批量改名"


def test_demo_accounts_reset_in_bulk_refuse_old_tokens(db) -> None:
    """demo_accounts_ensure resets passwords and names with bulk_update (no signal)."""
    supervisor = User.objects.create_user(
        username="supervisor", password=PASSWORD, display_name="旧名", district_role="supervisor"
    )
    client = _signed_in(supervisor)
    demo_accounts_ensure(password="Demo-Password-789")
    assert client.get(ME).status_code == 401  # the password fingerprint changed
    assert _me(_signed_in(supervisor, "Demo-Password-789"))["display_name"] == "督查室 王督查"


def test_notification_settings_changed_are_seen(lead) -> None:
    client = _signed_in(lead)
    response = client.patch(ME, {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"})
    assert response.status_code == 200, response.content
    assert response.json()["quiet_hours_start"] == "22:00:00"
    assert _me(client)["quiet_hours_end"] == "07:00:00"
    NotificationSettings.objects.get(user=lead).delete()
    assert _me(client)["quiet_hours_start"] is None


def test_a_reader_cannot_put_back_what_a_writer_invalidated(lead) -> None:
    """principal_forget leaves a marker: a read meanwhile goes to the database and does not
    refill the cache (its row may predate the writer's commit)."""
    principal_of(user_id=lead.pk)
    principal_forget(user_ids=[lead.pk])
    assert principal_of(user_id=lead.pk).pk == lead.pk
    assert cache.get(PRINCIPAL_KEY % lead.pk) == "invalidated"


def test_a_stale_entry_is_corrected_by_the_database(lead) -> None:
    """A lost invalidation (cache unreachable during the write): when a token and the
    cached person disagree, the database decides and the entry is dropped."""
    old = _bearer(AccessToken.for_user(lead))
    cache.delete(PRINCIPAL_KEY % lead.pk)
    assert _me(old)["username"] == lead.username  # cached
    lead.set_password("another-Password-456")
    User.objects.filter(pk=lead.pk).update(password=lead.password)  # no signal
    new = _bearer(AccessToken.for_user(lead))  # minted without a login (no save)
    assert _me(new)["username"] == lead.username  # the database agrees with the token
    assert old.get(ME).status_code == 401  # and the stale entry is gone


def _bearer(token: AccessToken) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
    }
}


def test_with_the_cache_unreachable_a_deactivation_is_not_written(lead, settings) -> None:
    """A deactivation, a new password or a deletion that the cache cannot be told about
    fails before the row is written: a stale entry must not let old tokens in."""
    settings.CACHES = UNREACHABLE
    lead.is_active = False
    with pytest.raises(CACHE_ERRORS):
        lead.save()
    lead.set_password("another-Password-456")
    with pytest.raises(CACHE_ERRORS):
        lead.save(update_fields=["password"])
    with pytest.raises(CACHE_ERRORS), transaction.atomic():  # as a service or the admin
        lead.delete()
    row = User.objects.values("is_active", "password").get(pk=lead.pk)
    assert row["is_active"] is True and lead.check_password(PASSWORD) is False
    assert User.objects.get(pk=lead.pk).check_password(PASSWORD)


def test_with_the_cache_unreachable_the_database_answers(lead, settings, caplog) -> None:
    access = APIClient().post(TOKEN, {"username": lead.username, "password": PASSWORD})
    settings.CACHES = UNREACHABLE
    lead.display_name = "新名字"
    lead.save()  # not a guarded change: written, the lost invalidation logged
    assert "may stay stale" in caplog.text
    client = _bearer(AccessToken(access.json()["access"]))
    assert _me(client)["display_name"] == "新名字"
