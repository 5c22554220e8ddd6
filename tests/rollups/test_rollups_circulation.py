"""通报: a published rollup version of a body that circulates its rollups is read by every
department's lead and staff (all department rows: ranking, scores, red items), in the API,
the exports and the console; drafts stay with the office (a department reads its own row
of them); with circulation off, a department reads only its own row (as before)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from plantracker.errors import PermissionDenied
from tasks_app.rollups.build import rollup_build
from tasks_app.rollups.circulation import RollupAlreadyPublished, rollup_publish

pytestmark = pytest.mark.django_db

BUILT_ON = dt.date(2025, 10, 1)
ALL_DEPARTMENTS = [("department", "da"), ("department", "db"), ("department", "dc")]


@pytest.fixture
def rollup(mini):
    return rollup_build(year=2025, quarter=3, today=BUILT_ON)


def _keys(rows: list[dict]) -> list[tuple[str, str]]:
    return [(row["level"], row["key"]) for row in rows]


def _circulate(mini, on: bool) -> None:
    body = mini.plan.body
    body.circulate_rollups = on
    body.save(update_fields=["circulate_rollups"])


def _export_names(api, user, rollup) -> list[str]:
    response = api(user).get(f"/api/v1/rollups/{rollup.pk}/export/?format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [r[2] for r in rows[1:]]


def test_only_the_office_publishes_once(rollup, mini, make_member, supervisor, validated_api):
    lead = make_member(mini.a, "dept_lead")
    url = f"/api/v1/rollups/{rollup.pk}/publish/"
    assert validated_api(lead).post(url).status_code == 403
    with pytest.raises(PermissionDenied):
        rollup_publish(rollup=rollup, actor=lead)
    done = validated_api(supervisor).post(url)
    assert done.status_code == 200 and done.json()["published_at"]
    again = validated_api(supervisor).post(url)
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "rollup_published"
    with pytest.raises(RollupAlreadyPublished):
        rollup_publish(rollup=rollup, actor=supervisor)


@pytest.mark.parametrize("circulate", [True, False])
def test_a_published_quarter_is_circulated_when_the_body_says_so(
    rollup, mini, make_member, supervisor, validated_api, api, circulate: bool
) -> None:
    _circulate(mini, circulate)
    lead, staff = make_member(mini.b, "dept_lead"), make_member(mini.b, "dept_staff")
    detail = f"/api/v1/rollups/{rollup.pk}/"
    # A draft stays with the office. With 通报 on, departments read nothing of it; with it
    # off, a lead reads their own row of every version (as before 通报); staff nothing.
    if circulate:
        assert validated_api(lead).get(detail).status_code == 404
        assert api(lead).get(f"{detail}export/?format=csv").status_code == 404
        assert validated_api(lead).get("/api/v1/rollups/").json()["results"] == []
    else:
        assert _keys(validated_api(lead).get(detail).json()["rows"]) == [("department", "db")]
        assert _export_names(api, lead, rollup) == ["乙局"]
    assert validated_api(staff).get(detail).status_code == 403

    rollup_publish(rollup=rollup, actor=supervisor)
    seen = validated_api(lead).get(detail).json()["rows"]
    if circulate:
        assert _keys(seen) == ALL_DEPARTMENTS  # the ranking, no plan or chapter rows
        assert [(r["name"], r["rank"], r["red_items"]) for r in seen][:2] == [
            ("甲局", 1, 1),
            ("乙局", 2, 1),
        ]
        staff_view = validated_api(staff).get(detail)
        assert staff_view.status_code == 200 and _keys(staff_view.json()["rows"]) == (
            ALL_DEPARTMENTS
        )
        listing = validated_api(staff).get("/api/v1/rollups/").json()["results"]
        assert [item["id"] for item in listing] == [rollup.pk]
        assert _export_names(api, lead, rollup) == ["甲局", "乙局", "丙局"]
        assert _export_names(api, staff, rollup) == ["甲局", "乙局", "丙局"]
    else:
        assert _keys(seen) == [("department", "db")]
        assert validated_api(staff).get(detail).status_code == 403
        assert _export_names(api, lead, rollup) == ["乙局"]


def test_a_newer_draft_of_a_published_quarter_stays_with_the_office(
    rollup, mini, make_member, supervisor, validated_api
) -> None:
    lead = make_member(mini.b, "dept_lead")
    rollup_publish(rollup=rollup, actor=supervisor)
    draft = rollup_build(year=2025, quarter=3, today=BUILT_ON)
    assert validated_api(lead).get(f"/api/v1/rollups/{draft.pk}/").status_code == 404


def test_the_console_quarter_page_follows_the_rule(rollup, mini, make_member, supervisor) -> None:
    lead = make_member(mini.b, "dept_lead")
    client = Client()
    client.force_login(lead)
    page = f"/console/quarters/?rollup={rollup.pk}"
    before = client.get(page)
    assert before.status_code == 200, before.content[:300]
    assert "乙局" in before.content.decode() and "甲局" not in before.content.decode()
    rollup_publish(rollup=rollup, actor=supervisor)
    after = client.get(page).content.decode()
    assert "甲局" in after and "丙局" in after


def test_the_office_publishes_from_the_console(rollup, mini, make_member, supervisor) -> None:
    lead = make_member(mini.b, "dept_lead")
    url = f"/console/quarters/{rollup.pk}/publish/"
    as_lead = Client()
    as_lead.force_login(lead)
    assert (
        'id="rollup-publish"'
        not in as_lead.get(f"/console/quarters/?rollup={rollup.pk}").content.decode()
    )
    assert as_lead.post(url).status_code == 403
    office = Client()
    office.force_login(supervisor)
    assert (
        'id="rollup-publish"'
        in office.get(f"/console/quarters/?rollup={rollup.pk}").content.decode()
    )
    done = office.post(url, follow=True)
    assert done.status_code == 200 and 'id="rollup-publish"' not in done.content.decode()
    rollup.refresh_from_db()
    assert rollup.published_at is not None and rollup.published_by == supervisor
