"""POST /api/v1/rollups/ → 202, a real Celery worker builds it, the job status says so."""

from __future__ import annotations

import pytest

from plantracker.celery import app as celery_app
from tasks_app.models import Rollup
from tests.integration.celery_support import CeleryWorker
from tests.reminders.receivers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_posted_rollup_is_built_by_the_worker(mini, supervisor, api, tmp_path):
    celery_app.control.purge()
    worker = CeleryWorker(tmp_path / "worker.log")
    worker.start()
    try:
        client = api(supervisor)
        response = client.post("/api/v1/rollups/", {"year": 2025, "quarter": 3}, format="json")
        assert response.status_code == 202
        status_url = response.json()["status_url"]

        def done() -> dict | None:
            body = client.get(status_url).json()
            assert body["status"] != "failed", body
            return body if body["status"] == "done" else None

        job = wait_for(done, 60)
        rollup = Rollup.objects.get(pk=job["rollup"])
        assert (rollup.year, rollup.quarter, rollup.version) == (2025, 3, 1)
        assert rollup.built_by == supervisor
        detail = client.get(job["rollup_url"]).json()
        assert len(detail["rows"]) == 6 and detail["rows"][0]["tasks_total"] == 7
    finally:
        worker.stop()
    assert "rollup_build_job" in worker.tail(200)
