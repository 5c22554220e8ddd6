"""The schema is the product: clients generated from it work, unmodified.

A Python client is generated with openapi-python-client from the schema the live server
serves in this run, imported as generated, and a supervisor's day and a lead's day run
through it over real HTTP: login, lists and details, an urge with a 督办单, evidence
upload (multipart), a progress report (JSON, Idempotency-Key), a claim with If-Match, two
syncs, the inbox and its unread count, mark read, approval, token refresh; the lead's
"my work" and the task screen (milestones, the report's files by signed link) too.
(Logout joins when that endpoint exists.) Every response is parsed by
the generated models (a field the schema gets wrong fails the parse). TypeScript types from
the same schema must compile a small client (tests/api/ts/client.ts) with tsc --noEmit.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.api.generated_clients import forget_python_client, python_client, typescript_check
from tests.api.tasks_support import World
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory):
    """The generated package (module `plantracker_client`), once per test module."""
    package = python_client(live_server.url, tmp_path_factory.mktemp("python-client"))
    yield package
    forget_python_client()


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "green").save(buffer, "JPEG")
    return buffer.getvalue()


class Person:
    """One person using the generated client: imports of the generated modules, a token."""

    def __init__(self, pkg, base_url: str, username: str) -> None:
        from plantracker_client import AuthenticatedClient, Client
        from plantracker_client.api.auth import auth_token_create
        from plantracker_client.models import TokenObtainPairRequest

        anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
        login = auth_token_create.sync_detailed(
            client=anonymous, body=TokenObtainPairRequest(username=username, password=PASSWORD)
        )
        assert login.status_code == 200, login.content
        self.base_url = base_url
        self.tokens = login.parsed
        self.client = AuthenticatedClient(
            base_url=base_url, token=self.tokens.access, raise_on_unexpected_status=True
        )


def live_rows(page) -> list:
    from plantracker_client.models import Tombstone

    return [row for row in page.results if not isinstance(row, Tombstone)]


def test_generated_python_client_runs_a_supervisors_and_a_leads_day(
    generated, world: World, live_server, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    from plantracker_client.api.auth import auth_token_refresh_create
    from plantracker_client.api.me import me_work_retrieve
    from plantracker_client.api.notifications import (
        notifications_list,
        notifications_read_create,
        notifications_unread_count_retrieve,
    )
    from plantracker_client.api.supervision import supervision_overdue_list
    from plantracker_client.api.tasks import (
        tasks_attachments_create,
        tasks_history_list,
        tasks_list,
        tasks_progress_reports_create,
        tasks_retrieve,
        tasks_transitions_create,
        tasks_urge_create,
    )
    from plantracker_client.models import (
        AttachmentUploadRequest,
        FlagEnum,
        HistoryActionEnum,
        NotificationKindEnum,
        ProgressReportCreateRequest,
        TaskStatusEnum,
        TokenRefreshRequest,
        Tombstone,
        TransitionActionEnum,
        TransitionRequest,
        UrgeRequest,
    )
    from plantracker_client.types import File

    task_id = world.task.pk
    supervisor = Person(generated, live_server.url, world.supervisor.username)
    lead = Person(generated, live_server.url, world.lead_lead.username)

    # the supervisor: what is late, then a 督办单 to the lead department
    late = supervision_overdue_list.sync(client=supervisor.client, page_size=200)
    assert task_id in {row.id for row in late.results}
    urged = tasks_urge_create.sync_detailed(
        task_id, client=supervisor.client, body=UrgeRequest(comment="请本周报送", notice=True)
    )
    assert urged.status_code == 201, urged.content

    # the lead: my work (the 督办单 to answer), the red list, the detail, evidence, a
    # report, the claim
    work = me_work_retrieve.sync(client=lead.client, limit=50)
    assert task_id in {item.id for item in work.open_notices.items}
    assert work.open_notices.count >= 1 and work.date == dt.date(2025, 6, 10)
    first_sync = tasks_list.sync_detailed(client=lead.client, flag=FlagEnum.RED, page_size=200)
    assert task_id in {row.id for row in live_rows(first_sync.parsed)}
    server_time = dt.datetime.fromisoformat(first_sync.headers["X-Server-Time"])
    detail = tasks_retrieve.sync_detailed(task_id, client=lead.client)
    assert detail.parsed.flag == FlagEnum.RED
    assert detail.parsed.status == TaskStatusEnum.NOT_STARTED
    assert detail.parsed.milestones and detail.parsed.milestones[-1].is_final
    assert [notice.kind for notice in detail.parsed.open_notices] == ["notice"]
    assert detail.parsed.latest_report is None
    started = tasks_transitions_create.sync_detailed(
        task_id,
        client=lead.client,
        body=TransitionRequest(action=TransitionActionEnum.START),
        if_match=detail.headers["ETag"],
    )
    assert started.status_code == 200, started.content
    upload = tasks_attachments_create.sync(
        task_id,
        client=lead.client,
        body=AttachmentUploadRequest(
            file=File(payload=io.BytesIO(photo()), file_name="现场.jpg", mime_type="image/jpeg")
        ),
    )
    report = ProgressReportCreateRequest(percent=100, narrative="已完工", attachments=[upload.id])
    filed = tasks_progress_reports_create.sync_detailed(
        task_id, client=lead.client, body=report, idempotency_key=f"gen-{task_id}"
    )
    again = tasks_progress_reports_create.sync_detailed(
        task_id, client=lead.client, body=report, idempotency_key=f"gen-{task_id}"
    )
    assert filed.status_code == 201 and again.parsed.id == filed.parsed.id
    screen = tasks_retrieve.sync(task_id, client=lead.client)
    (file,) = screen.latest_report.attachment_files
    thumbnail = httpx.get(file.thumbnail_url)  # an image loader: no Authorization header
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/png"
    assert thumbnail.headers["Cache-Control"].startswith("private, max-age=")
    claimed = tasks_transitions_create.sync(
        task_id, client=lead.client, body=TransitionRequest(action=TransitionActionEnum.SUBMIT)
    )
    assert claimed.status == TaskStatusEnum.PENDING_REVIEW

    # sync twice: the changed task comes back, then nothing new after the next cursor
    second_sync = tasks_list.sync_detailed(client=lead.client, updated_since=server_time)
    rows = second_sync.parsed.results
    assert task_id in {row.id for row in rows if not isinstance(row, Tombstone)}
    history = tasks_history_list.sync(task_id, client=lead.client, page_size=200)
    assert {HistoryActionEnum.SUBMIT, HistoryActionEnum.REPORT} <= {
        row.action for row in history.results
    }

    # the inbox: the 督办单 arrived (the badge counts it); mark it read
    inbox = notifications_list.sync(client=lead.client, unread=True)
    notes = live_rows(inbox)
    assert notifications_unread_count_retrieve.sync(client=lead.client).unread == len(notes)
    assert NotificationKindEnum.SUPERVISION_NOTICE in {note.kind for note in notes}
    for note in notes:
        assert notifications_read_create.sync_detailed(note.id, client=lead.client).status_code in (
            200,
            204,
        )
    assert live_rows(notifications_list.sync(client=lead.client, unread=True)) == []
    assert notifications_unread_count_retrieve.sync(client=lead.client).unread == 0

    # the supervisor approves the claim; the lead's token refresh works
    approved = tasks_transitions_create.sync(
        task_id,
        client=supervisor.client,
        body=TransitionRequest(action=TransitionActionEnum.APPROVE, comment="材料齐全"),
    )
    assert approved.status == TaskStatusEnum.COMPLETED
    refreshed = auth_token_refresh_create.sync(
        client=lead.client, body=TokenRefreshRequest(refresh=lead.tokens.refresh)
    )
    assert refreshed.access


def test_typescript_client_compiles_against_the_served_schema(live_server, tmp_path: Path) -> None:
    typescript_check(live_server.url, tmp_path)
