"""The workflow end to end over real HTTP: the app on a free loopback port, a plain client.

A lead logs in, lists the department's red tasks, reports progress with a photo as
evidence and claims completion; the supervisor finds the claim, returns it with a
reason; the lead reports again and claims again; the supervisor approves; the history
lists every step with its actor; a lead of another department sees none of it.
"""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from tests.api.tasks_support import World
from tests.conftest import PASSWORD

pytestmark = pytest.mark.integration


class Session:
    """One person's HTTP session against the live server, authenticated by JWT."""

    def __init__(self, base: str, username: str) -> None:
        self.base = f"{base}/api/v1/"
        token = requests.post(
            f"{self.base}auth/token/", json={"username": username, "password": PASSWORD}, timeout=10
        )
        assert token.status_code == 200, token.text
        self.headers = {"Authorization": f"Bearer {token.json()['access']}"}

    def get(self, path: str) -> requests.Response:
        return requests.get(self.base + path, headers=self.headers, timeout=10)

    def post(self, path: str, *, extra_headers: dict | None = None, **kwargs) -> requests.Response:
        headers = {**self.headers, **(extra_headers or {})}
        return requests.post(self.base + path, headers=headers, timeout=10, **kwargs)


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def assert_sees_nothing(outsider: Session, task_id: int) -> None:
    listed = outsider.get("tasks/?page_size=200").json()["results"]
    assert task_id not in {row["id"] for row in listed}
    for path in ("", "history/", "progress-reports/", "attachments/", "comments/"):
        assert outsider.get(f"tasks/{task_id}/{path}").status_code == 404, path
    assert task_id not in {
        row["id"] for row in outsider.get("supervision/overdue/").json()["results"]
    }


def test_claim_return_reclaim_approve_over_http(
    world: World, live_server, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    lead = Session(live_server.url, world.lead_lead.username)
    supervisor = Session(live_server.url, world.supervisor.username)
    outsider = Session(live_server.url, world.other_lead.username)
    task_id = world.task.pk
    assert_sees_nothing(outsider, task_id)

    red = lead.get(f"tasks/?flag=red&lead_department={world.lead_dept.pk}&page_size=200")
    assert task_id in {row["id"] for row in red.json()["results"]}
    evidence = lead.post(
        f"tasks/{task_id}/attachments/", files={"file": ("现场照片.jpg", photo(), "image/jpeg")}
    )
    assert evidence.status_code == 201, evidence.text
    assert lead.post(f"tasks/{task_id}/transitions/", json={"action": "start"}).status_code == 200
    filed = lead.post(
        f"tasks/{task_id}/progress-reports/",
        json={"percent": 100, "narrative": "全部完成", "attachments": [evidence.json()["id"]]},
        extra_headers={"Idempotency-Key": "scenario-report-1"},
    )
    assert filed.status_code == 201, filed.text
    claim = lead.post(f"tasks/{task_id}/transitions/", json={"action": "submit"})
    assert claim.json()["status"] == "pending_review"
    assert_sees_nothing(outsider, task_id)

    pending = supervisor.get("tasks/?status=pending_review").json()["results"]
    assert [row["id"] for row in pending] == [task_id]
    returned = supervisor.post(
        f"tasks/{task_id}/transitions/", json={"action": "return", "comment": "缺少验收材料"}
    )
    assert returned.json()["status"] == "in_progress"

    again = lead.post(
        f"tasks/{task_id}/progress-reports/", json={"percent": 100, "narrative": "补充验收材料"}
    )
    assert again.status_code == 201
    assert lead.post(f"tasks/{task_id}/transitions/", json={"action": "submit"}).ok
    tag = supervisor.get(f"tasks/{task_id}/").headers["ETag"]
    approved = supervisor.post(
        f"tasks/{task_id}/transitions/",
        json={"action": "approve", "comment": "同意销号"},
        extra_headers={"If-Match": tag},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "completed"

    history = lead.get(f"tasks/{task_id}/history/?page_size=200").json()["results"]
    steps = [(e["action"], e["actor"]["username"]) for e in history if e["actor"]]
    lead_name, sup_name = world.lead_lead.username, world.supervisor.username
    assert steps == [
        ("attachment", lead_name),
        ("start", lead_name),
        ("report", lead_name),
        ("submit", lead_name),
        ("return", sup_name),
        ("report", lead_name),
        ("submit", lead_name),
        ("approve", sup_name),
    ]
    assert next(e for e in history if e["action"] == "return")["reason"] == "缺少验收材料"
    assert_sees_nothing(outsider, task_id)
