"""The accountability record cannot be rewritten in the admin (issue 17).

Before: as a superuser, POST /admin/tasks_app/progressreport/<id>/change/ changed a
report's percent 30 → 90 with no history row; extension requests and 督办单 had editable
admin pages, comments and attachments a bare register(). Now every admin page (and every
inline) of a record model is view-only, for superusers too; corrections go through the
services, which write history. The walk below covers every ModelAdmin and inline the site
registers, so a model added later with an editable page fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory

from indicators_app.models import IndicatorJudgement, Observation, ObservationRevision
from tasks_app.models import (
    Attachment,
    Comment,
    ExtensionRequest,
    HistoryEvent,
    ProgressReport,
    SupervisionNotice,
    Task,
    User,
)
from tasks_app.workflow.services.comments import comment_create
from tasks_app.workflow.services.progress_reports import progress_report_create
from tests.api.tasks_support import World
from tests.security.objects import seed

pytestmark = pytest.mark.django_db

RECORD = {
    ProgressReport,
    Comment,
    Attachment,
    ExtensionRequest,
    SupervisionNotice,
    Observation,
    ObservationRevision,
    IndicatorJudgement,
    HistoryEvent,
}
# Admins whose edits are recorded in the task's history (tasks_app.workflow.admin_history).
HISTORY_WRITING = {Task}


def _record_models() -> set[type[models.Model]]:
    """The named record models and any registered model that points at a task."""
    found = set(RECORD)
    for model in admin.site._registry:
        if model in HISTORY_WRITING:
            continue
        for field in model._meta.get_fields():
            if field.many_to_one and field.related_model is Task and field.concrete:
                found.add(model)
    return found


@pytest.fixture
def root() -> User:
    return User.objects.create_superuser("root", "root@example.test", "Root-Pass-2025!")


def _request(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_page_and_inline_of_the_record_is_view_only(root: User) -> None:
    request = _request(root)
    record = _record_models()
    checked = []
    for model, model_admin in admin.site._registry.items():
        admins = [(model, model_admin)] + [
            (inline.model, inline) for inline in model_admin.get_inline_instances(request)
        ]
        for target, target_admin in admins:
            if target not in record:
                continue
            args = () if target_admin is model_admin else (None,)
            assert not target_admin.has_add_permission(request, *args), target_admin
            assert not target_admin.has_change_permission(request, None), target_admin
            assert not target_admin.has_delete_permission(request, None), target_admin
            checked.append(target)
    assert RECORD <= set(checked), RECORD - set(checked)


def test_a_task_cannot_be_deleted_in_the_admin(root: User) -> None:
    """Deleting a task would take its reports, evidence and history with it."""
    task_admin = admin.site._registry[Task]
    assert not task_admin.has_delete_permission(_request(root), None)


def test_a_progress_report_cannot_be_rewritten_over_http(world: World, media: Path, root) -> None:
    report = progress_report_create(
        task=world.task, actor=world.lead_lead, percent=30, narrative="按计划推进"
    )
    comment = comment_create(task=world.task, actor=world.lead_staff, body="已上报")
    objects = seed(world)
    client = Client()
    client.force_login(root)
    history = HistoryEvent.objects.count()
    for obj, data in [
        (report, {"percent": 90, "narrative": "已完成", "period": report.period}),
        (comment, {"body": "改过的意见"}),
        (objects.attachment, {"original_name": "x.png"}),
        (objects.extension_request, {"status": "approved", "reason": "改"}),
        (objects.observation, {"value": "99"}),
    ]:
        meta = obj._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}"
        assert client.get(f"{base}/{obj.pk}/change/").status_code == 200  # viewable
        assert client.post(f"{base}/{obj.pk}/change/", data).status_code == 403
        assert client.post(f"{base}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        assert client.post(f"{base}/add/", data).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()
    report.refresh_from_db()
    comment.refresh_from_db()
    assert (report.percent, report.narrative, comment.body) == (30, "按计划推进", "已上报")
    assert HistoryEvent.objects.count() == history
