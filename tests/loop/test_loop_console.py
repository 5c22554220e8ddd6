"""The console's board of open 督办单 and the supervisor's review from it."""

from __future__ import annotations

from django.test import Client

from tasks_app.models import SupervisionNotice
from tasks_app.supervision.notices import notice_answer
from tasks_app.supervision.urge import task_urge
from tests.api.tasks_support import World


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_board_lists_open_notices_and_the_supervisor_accepts(world: World) -> None:
    notice = task_urge(task=world.task, actor=world.supervisor, comment="节点逾期", notice=True)
    notice_answer(notice=notice, actor=world.lead_lead, text="已整改完毕")
    page = login(world.supervisor).get("/console/notices/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.task.code in html and "已整改完毕" in html and "认可办结" in html
    lead_page = login(world.lead_lead).get("/console/notices/").content.decode()
    assert world.task.code in lead_page and "认可办结" not in lead_page
    assert world.task.code not in login(world.other_lead).get("/console/notices/").content.decode()
    assert (
        login(world.lead_lead)
        .post(f"/console/notices/{notice.pk}/decision/", {"decision": "accept"})
        .status_code
        == 403
    )
    done = login(world.supervisor).post(
        f"/console/notices/{notice.pk}/decision/", {"decision": "accept"}
    )
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.status == SupervisionNotice.Status.CLOSED
