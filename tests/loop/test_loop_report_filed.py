"""A filed progress report reaches the people who share the task (report_filed): the
leads of the lead and co-departments and the owner, never its author; the supervision
office only when a lead-department report newly says the task is behind schedule."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.inbox.preferences import preferences_update
from tasks_app.models import (
    Delivery,
    HistoryEvent,
    Membership,
    Notification,
    ProgressReport,
    Task,
    User,
)
from tests.api.tasks_support import World
from tests.loop.conftest import SITE

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REPORTS = "progress-reports/"


def file_report(validated_api, world: World, user: User, **body):
    body = {"percent": 60, "narrative": "主体工程完成60%", "period": "2025-06", **body}
    return validated_api(user).post(world.url(REPORTS), body, format="json")


def told(kind: str = "report_filed") -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def with_owner(world: World, make_member) -> User:
    owner = make_member(world.lead_dept, "dept_staff", username="owner.here")
    Task.objects.filter(pk=world.task.pk).update(owner=owner)
    world.task.refresh_from_db()
    return owner


def test_a_lead_report_reaches_the_co_department_leads_and_the_owner(
    world: World, make_member, validated_api
) -> None:
    owner = with_owner(world, make_member)
    second_co_lead = make_member(world.co_dept, "dept_lead", username="second.co.lead")
    response = file_report(validated_api, world, world.lead_lead)
    assert response.status_code == 201, response.content
    assert told() == {world.co_lead.pk, second_co_lead.pk, owner.pk}
    report = ProgressReport.objects.get(pk=response.json()["id"])
    note = Notification.objects.get(recipient=world.co_lead)
    assert note.task_id == world.task.pk
    assert note.payload == {
        "progress_report": report.pk,
        "department": world.lead_dept.pk,
        "period": "2025-06",
        "percent": 60,
        "moves_task": True,
        "red": False,
    }
    assert (note.params["task_id"], note.params["percent"]) == (world.task.pk, 60)
    assert note.title == f"进展报告已报送：{world.task.code} {world.task.title}"
    assert f"{world.lead_dept.name}2025-06的进展报告，完成60%。" in note.body
    # The inbox renders it in the reader's language, with the task's link.
    listed = validated_api(world.co_lead).get("/api/v1/notifications/", **EN).json()["results"]
    (item,) = [n for n in listed if n["kind"] == "report_filed"]
    assert item["title"] == f"Progress report filed: {world.task.code} {world.task.title}"
    assert "for 2025-06: 60% done." in item["body"]
    assert f"{SITE}/console/tasks/{world.task.pk}/" in item["body"]


def test_a_co_department_report_reaches_the_lead_departments_lead_and_the_owner(
    world: World, make_member, validated_api
) -> None:
    owner = with_owner(world, make_member)
    # The task is still red (its lead has not reported): the part must say why too; a
    # co-department's part never moves the flag, so the supervision office does not hear.
    response = file_report(validated_api, world, world.co_lead, percent=80, red_reason="待牵头")
    assert response.status_code == 201, response.content
    assert told() == {world.lead_lead.pk, owner.pk}
    assert Notification.objects.get(recipient=owner).payload["moves_task"] is False


def test_the_author_never_hears_of_their_own_report_even_as_owner(
    world: World, validated_api
) -> None:
    Task.objects.filter(pk=world.task.pk).update(owner=world.lead_lead)
    world.task.refresh_from_db()
    assert file_report(validated_api, world, world.lead_lead).status_code == 201
    assert told() == {world.co_lead.pk}


def test_people_who_no_longer_see_the_task_do_not_hear(
    world: World, make_member, validated_api
) -> None:
    owner = with_owner(world, make_member)
    Membership.objects.filter(user=owner).update(department=world.other_dept)
    User.objects.filter(pk=world.co_lead.pk).update(is_active=False)
    assert file_report(validated_api, world, world.lead_lead).status_code == 201
    assert told() == set()


def test_a_newly_red_lead_report_also_reaches_the_supervision_office_once(
    world: World, make_member, validated_api
) -> None:
    owner = with_owner(world, make_member)
    # A reason given while the report puts the task on schedule is no news to the office.
    on_time = file_report(validated_api, world, world.lead_lead, percent=60, red_reason="雨季")
    assert on_time.status_code == 201, on_time.content
    assert told() == {world.co_lead.pk, owner.pk}
    Notification.objects.all().delete()
    first = file_report(validated_api, world, world.lead_lead, percent=5, red_reason="征地未完成")
    assert first.status_code == 201, first.content
    assert told() == {world.co_lead.pk, owner.pk, world.supervisor.pk}
    note = Notification.objects.get(recipient=world.supervisor)
    assert note.params["template"] == "report_filed_red" and note.payload["red"] is True
    assert note.title.startswith("进展报告已报送（进度滞后）")
    assert "滞后原因：征地未完成" in note.body
    # Still red next time: the office already knows; the department's people hear again.
    again = file_report(validated_api, world, world.lead_lead, percent=8, red_reason="仍在征地")
    assert again.status_code == 201, again.content
    assert Notification.objects.filter(recipient=world.supervisor).count() == 1
    assert Notification.objects.filter(recipient=world.co_lead, kind="report_filed").count() == 2
    # A co-department's part never moves the flag: the office does not hear of it.
    part = file_report(validated_api, world, world.co_lead, percent=5, red_reason="配合滞后")
    assert part.status_code == 201, part.content
    assert Notification.objects.filter(recipient=world.supervisor).count() == 1


def test_a_rejected_report_sends_nothing_and_changes_no_history(
    world: World, make_member, validated_api
) -> None:
    with_owner(world, make_member)
    history = list(HistoryEvent.objects.filter(task=world.task).values_list("pk", flat=True))
    out_of_range = file_report(validated_api, world, world.lead_lead, percent=150)
    assert out_of_range.status_code == 400
    red_without_reason = file_report(validated_api, world, world.lead_lead, percent=0)
    assert red_without_reason.status_code == 400, red_without_reason.content
    assert red_without_reason.json()["errors"][0]["attr"] == "red_reason"
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert list(HistoryEvent.objects.filter(task=world.task).values_list("pk", flat=True)) == (
        history
    )
    assert not ProgressReport.objects.filter(task=world.task).exists()


def test_a_submitted_draft_goes_the_same_way(world: World, make_member, validated_api) -> None:
    owner = with_owner(world, make_member)
    drafted = validated_api(world.lead_staff).post(
        world.url(f"{REPORTS}drafts/"),
        {"percent": 60, "narrative": "联络员起草", "period": "2025-06"},
        format="json",
    )
    assert drafted.status_code == 201, drafted.content
    assert told() == set()  # a draft counts nowhere
    submitted = validated_api(world.lead_lead).post(
        world.url(f"{REPORTS}drafts/{drafted.json()['id']}/submit/"), {}, format="json"
    )
    assert submitted.status_code == 201, submitted.content
    assert told() == {world.co_lead.pk, owner.pk}
    assert Notification.objects.get(recipient=owner).params["actor"] == str(world.lead_lead)


def test_each_recipients_channel_preferences_are_respected(
    world: World, make_member, validated_api
) -> None:
    owner = with_owner(world, make_member)
    # The kind is one of PATCH /me/'s per-kind channels (the mobile settings screen).
    patched = validated_api(world.co_lead).patch(
        "/api/v1/me/", {"channels": {"report_filed": []}}, format="json"
    )
    assert patched.status_code == 200, patched.content
    preferences_update(user=owner, channels={"report_filed": ["email"]})
    assert file_report(validated_api, world, world.lead_lead).status_code == 201
    assert told() == {world.co_lead.pk, owner.pk}  # the inbox is always on
    assert not Delivery.objects.filter(recipient=world.co_lead).exists()
    (delivery,) = Delivery.objects.filter(recipient=owner)
    assert (delivery.channel, delivery.target) == ("email", owner.email)


def test_the_number_of_statements_does_not_grow_with_the_recipients(
    world: World, make_member, validated_api
) -> None:
    with_owner(world, make_member)
    with CaptureQueriesContext(connection) as few:
        assert file_report(validated_api, world, world.lead_lead).status_code == 201
    for n in range(6):
        make_member(world.co_dept, "dept_lead", username=f"extra.co.lead.{n}")
        make_member(world.lead_dept, "dept_lead", username=f"extra.lead.{n}")
    before = Notification.objects.count()
    with CaptureQueriesContext(connection) as many:
        assert file_report(validated_api, world, world.lead_lead, percent=62).status_code == 201
    assert Notification.objects.count() - before == 14  # co_lead, owner, 12 new leads
    assert Delivery.objects.count() >= 14  # every lead has an e-mail address
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"][:120] for q in many.captured_queries
    ]


def test_the_first_reason_for_a_task_already_red_reaches_the_office(
    world: World, validated_api
) -> None:
    # Nothing reported by mid-June: the task is red before its first report.
    first = file_report(validated_api, world, world.lead_lead, percent=5, red_reason="征地未完成")
    assert first.status_code == 201, first.content
    assert world.supervisor.pk in told()
    assert world.leader.pk not in told()  # district leaders are not in the loop's inbox here


def test_the_office_of_another_district_never_hears(world: World, validated_api) -> None:
    """Supervisors read their own body's plans (org/visibility.py); so does their inbox."""
    from tasks_app.models import IssuingBody

    other = IssuingBody.objects.create(code="tongzhou", name="通州区")
    stranger = User.objects.create_user(
        username="sup.tongzhou", password="x" * 12, district_role="supervisor", body=other
    )
    first = file_report(validated_api, world, world.lead_lead, percent=5, red_reason="征地未完成")
    assert first.status_code == 201, first.content
    assert world.supervisor.pk in told()
    assert stranger.pk not in told()
