"""/me/ is written directly (me_representation, issue 18): the same bytes as MeSerializer's
field-by-field rendering, for people with and without memberships, settings and quiet
hours, from the cached principal and from a plain row."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.renderers import JSONRenderer

from tasks_app.api.views_me import MeSerializer, me_data, me_representation
from tasks_app.models import Department, Membership, NotificationSettings, User
from tasks_app.org.principal_cache import principal_fresh

pytestmark = pytest.mark.django_db


def _people(make_member, supervisor) -> list[User]:
    stats = Department.objects.create(code="qtjj", name="测试统计局")
    school = Department.objects.create(code="aqjw", name="测试教委")
    lead = make_member(stats, "dept_lead")
    Membership.objects.create(user=lead, department=school, role="dept_staff")
    NotificationSettings.objects.create(
        user=lead,
        channels={"task_assigned": ["email"], "report_missing": []},
        quiet_hours_start=dt.time(22, 0),
        quiet_hours_end=dt.time(7, 30, 0, 5),
        language="en",
        notify_push=False,
    )
    lead.display_name = ""  # falls back to the username
    lead.notify_webhook = False
    lead.save()
    bare = User.objects.create_user(username="bare", password="x-Password-1")
    return [lead, supervisor, bare]


def test_direct_rendering_equals_the_serializer(make_member, supervisor) -> None:
    for person in _people(make_member, supervisor):
        for user in (person, principal_fresh(user_id=person.pk)):
            generic = JSONRenderer().render(MeSerializer(me_data(user)).data)
            assert JSONRenderer().render(me_representation(user)) == generic, person.username


def test_the_shapes_exercised(make_member, supervisor) -> None:
    lead = _people(make_member, supervisor)[0]
    body = me_representation(principal_fresh(user_id=lead.pk))
    assert body["display_name"] == lead.username
    assert [d["code"] for d in body["departments"]] == ["aqjw", "qtjj"]
    assert body["quiet_hours_end"] == "07:30:00.000005"
    assert body["default_channels"] == ["email"]
    assert body["channels"] == {"task_assigned": ["email"], "report_missing": []}
