"""Who may open which console page, and the writes behind its buttons (no browser)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tasks_app.models import IssuingBody, Notification, SupervisionNotice
from tests.console.conftest import PASSWORD, ConsoleWorld

pytestmark = pytest.mark.django_db

PAGES = ("console:board", "console:quarter", "console:indicators")


def test_anonymous_is_sent_to_the_console_login(console_world: ConsoleWorld) -> None:
    response = console_world.client(None).get(reverse("console:board"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login") + "?next=")


def test_a_department_lead_logs_in_without_is_staff(console_world: ConsoleWorld) -> None:
    lead = console_world.lead_a
    assert not lead.is_staff
    client = console_world.client(None)
    page = client.get(reverse("console:login"))
    assert page.status_code == 200
    assert "督查控制台" in page.content.decode()
    response = client.post(
        reverse("console:login"), {"username": lead.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("console:board")).status_code == 200
    # the admin itself stays closed to non-staff
    assert client.get(reverse("admin:index")).status_code == 302


def test_logout_ends_the_session(console_world: ConsoleWorld) -> None:
    client = console_world.client(console_world.supervisor)
    assert client.post(reverse("console:logout")).status_code == 302
    assert client.get(reverse("console:board")).status_code == 302


@pytest.mark.parametrize("page", PAGES)
def test_department_staff_are_refused(console_world: ConsoleWorld, page: str) -> None:
    response = console_world.client(console_world.staff_a).get(reverse(page))
    assert response.status_code == 403
    assert "仅对督查室、区领导和部门负责人开放" in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_supervisor_and_leader_open_every_page(
    console_world: ConsoleWorld, leader, page: str
) -> None:
    for user in (console_world.supervisor, leader):
        assert console_world.client(user).get(reverse(page)).status_code == 200


def test_the_board_shows_a_lead_only_tasks_of_their_department(
    console_world: ConsoleWorld,
) -> None:
    w = console_world
    board = w.client(w.lead_b).get(reverse("console:board"))
    assert board.status_code == 200
    codes = {task.code for group in board.context["groups"] for task in group.tasks}
    assert codes
    assert w.task.code not in codes
    groups = {group.department.pk for group in board.context["groups"]}
    assert w.dept_a.pk not in groups
    assert "urge-form" not in board.content.decode()  # no 催办 buttons for a lead


def test_a_lead_gets_404_for_another_departments_task(console_world: ConsoleWorld) -> None:
    w = console_world
    assert w.client(w.lead_b).get(reverse("console:task", args=[w.task.pk])).status_code == 404
    assert w.client(w.lead_a).get(reverse("console:task", args=[w.task.pk])).status_code == 200


def test_a_lead_gets_403_for_another_departments_page(console_world: ConsoleWorld) -> None:
    w = console_world
    refused = w.client(w.lead_b).get(reverse("console:department", args=[w.dept_a.pk]))
    assert refused.status_code == 403
    assert "只能查看本部门" in refused.content.decode()
    own = w.client(w.lead_b).get(reverse("console:department", args=[w.dept_b.pk]))
    assert own.status_code == 200
    assert (
        w.client(w.supervisor).get(reverse("console:department", args=[w.dept_a.pk])).status_code
        == 200
    )


def test_a_lead_reads_only_their_own_rollup_rows(console_world: ConsoleWorld) -> None:
    """With 通报 off for the body (with it on, tests/rollups/test_rollups_circulation.py)."""
    w = console_world
    IssuingBody.objects.filter(pk=w.plan.body_id).update(circulate_rollups=False)
    page = w.client(w.lead_a).get(reverse("console:quarter"))
    assert page.status_code == 200
    assert [row.department_id for row in page.context["department_rows"]] == [w.dept_a.pk]
    assert page.context["plan_row"] is None
    assert page.context["charts"]["red_by_chapter"] is None
    full = w.client(w.supervisor).get(reverse("console:quarter"))
    assert len(full.context["department_rows"]) > 1
    assert full.context["plan_row"] is not None


def test_supervisor_urges_from_the_board(console_world: ConsoleWorld) -> None:
    w = console_world
    client = w.client(w.supervisor)
    board = reverse("console:board") + f"?department={w.dept_a.pk}"
    response = client.post(
        reverse("console:urge", args=[w.task.pk]),
        {"kind": "urge", "comment": "请本周内报送整改情况。", "next": board},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == board
    notice = SupervisionNotice.objects.get(task=w.task)
    assert (notice.kind, notice.issued_by, notice.department) == ("urge", w.supervisor, w.dept_a)
    assert Notification.objects.filter(recipient=w.lead_a, kind="urge", task=w.task).exists()
    assert "已发出催办" in response.content.decode()
    row = next(t for g in response.context["groups"] for t in g.tasks if t.pk == w.task.pk)
    assert (row.urges_issued, row.notices_issued) == (1, 0)


def test_supervisor_issues_a_notice_from_the_task_page(console_world: ConsoleWorld) -> None:
    w = console_world
    client = w.client(w.supervisor)
    url = reverse("console:task", args=[w.task.pk])
    client.post(
        reverse("console:urge", args=[w.task.pk]),
        {"kind": "notice", "comment": "逾期未报，发督办单。", "next": url},
    )
    page = client.get(url)
    assert SupervisionNotice.objects.filter(task=w.task, kind="notice").count() == 1
    assert [n.kind for n in page.context["page"].notices] == ["notice"]


def test_urge_needs_a_reason_and_rejects_foreign_redirects(console_world: ConsoleWorld) -> None:
    w = console_world
    response = w.client(w.supervisor).post(
        reverse("console:urge", args=[w.task.pk]),
        {"kind": "urge", "comment": "  ", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:task", args=[w.task.pk])
    assert not SupervisionNotice.objects.exists()


def test_leads_may_not_urge_or_decide(console_world: ConsoleWorld) -> None:
    w = console_world
    client = w.client(w.lead_a)
    urged = client.post(reverse("console:urge", args=[w.task.pk]), {"kind": "urge", "comment": "x"})
    decided = client.post(
        reverse("console:extension-decide", args=[w.extension.pk]), {"decision": "approve"}
    )
    assert (urged.status_code, decided.status_code) == (403, 403)
    assert not SupervisionNotice.objects.exists()
    w.extension.refresh_from_db()
    assert w.extension.status == "pending"


def test_supervisor_decides_an_extension_on_the_task_page(console_world: ConsoleWorld) -> None:
    w = console_world
    client = w.client(w.supervisor)
    page = client.get(reverse("console:task", args=[w.task.pk]))
    assert "decision-form" in page.content.decode()
    rejected = client.post(
        reverse("console:extension-decide", args=[w.extension.pk]),
        {"decision": "reject", "comment": ""},
        follow=True,
    )
    assert "请填写理由" in rejected.content.decode()  # the service's rule: a reason to reject
    client.post(
        reverse("console:extension-decide", args=[w.extension.pk]),
        {"decision": "approve", "comment": "同意"},
    )
    w.extension.refresh_from_db()
    assert (w.extension.status, w.extension.decided_by) == ("approved", w.supervisor)


def test_evidence_thumbnails_follow_task_visibility(console_world: ConsoleWorld) -> None:
    w = console_world
    attachment = w.task.attachments.get()
    url = reverse("console:attachment-thumbnail", args=[attachment.pk])
    thumb = w.client(w.lead_a).get(url)
    assert (thumb.status_code, thumb["Content-Type"]) == (200, "image/png")
    assert thumb.content.startswith(b"\x89PNG")
    assert w.client(w.lead_b).get(url).status_code == 404


def test_the_task_page_shows_the_plan_text_and_the_report(console_world: ConsoleWorld) -> None:
    w = console_world
    page = w.client(w.supervisor).get(reverse("console:task", args=[w.task.pk]))
    html = page.content.decode()
    assert w.task.text in html
    assert "已完成前期调研" in html
    assert 'class="thumbnail"' in html
    assert 'data-chart="milestone-timeline"' in html
    assert page.context["key_results"][0].reached_pct == pytest.approx(40.0)


def test_quarter_page_has_charts_and_export_links(console_world: ConsoleWorld) -> None:
    w = console_world
    page = w.client(w.supervisor).get(reverse("console:quarter"))
    html = page.content.decode()
    for chart in (
        "completion-by-department",
        "red-by-chapter",
        "indicator-attainment",
        "indicator-series",
    ):
        assert f'data-chart="{chart}"' in html
    assert page.context["rollup"] == w.rollup
    export = w.client(w.supervisor).get(page.context["export_csv"])
    assert export.status_code == 200
    assert "任务总数" in export.content.decode("utf-8-sig")


def test_indicator_page_lists_all_21(console_world: ConsoleWorld) -> None:
    page = console_world.client(console_world.lead_b).get(reverse("console:indicators"))
    assert page.context["count"] == 21
    assert page.content.decode().count('class="indicator-row') == 21
