"""How to make the request of one matrix row as one role: path, body and client.

API rows carry a real JWT (`Authorization: Bearer …`); the session-login pages and the
console use Django's session, as browsers do. Each body is one that succeeds for a role
allowed to do the thing, so refusals in the matrix are refusals, not validation errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from rest_framework.test import APIClient

from plantracker import clock
from plantracker.api.tokens import SESSION_CLAIM, SessionRefreshToken
from tasks_app.models import PlanDraft, Task, User
from tasks_app.push.devices import device_register
from tasks_app.supervision.acknowledgement import tasks_assign
from tasks_app.workflow.file_links import FILE, link_token
from tests.api.tasks_support import World
from tests.conftest import PASSWORD
from tests.security.matrix import Row
from tests.security.objects import Objects, bearer, png_bytes, refresh_token

PUBLIC_API = ("auth/token/", "auth/token/refresh/", "schema/", "docs/")
SESSION_PAGES = ("api-auth/",)
MATRIX_PLAN_TEXT = "二、2027年主要任务\n（一）教育\n1.扩大学位供给。新建学校3所。\n"


@dataclass
class Context:
    world: World
    objects: Objects
    role: str

    @property
    def user(self) -> User | None:
        return None if self.role == "anonymous" else getattr(self.world, self.role)


def _credentials(ctx: Context) -> dict[str, str]:
    if ctx.user is None:
        return {"username": "nobody", "password": "wrong-password"}
    return {"username": ctx.user.username, "password": PASSWORD}


def api_ids(ctx: Context, route: str, variant: str = "") -> dict[str, int | str]:
    """The ids to put in an API route: the world's task and the seeded objects around it."""
    w, o = ctx.world, ctx.objects
    first = route.split("/", 1)[0]
    notification = o.notifications.get(ctx.role if variant == "own" else "lead_lead")
    indicator = o.qualitative_indicator if route.endswith("/judgement/") else o.indicator
    pk = {
        "plans": w.plan.pk,
        "tasks": w.task.pk,
        "extension-requests": o.extension_request.pk,
        "notifications": (notification or o.notifications["lead_lead"]).pk,
        "rollups": o.rollup_job.pk if route.startswith("rollups/jobs/") else o.rollup.pk,
        "indicators": indicator.pk,
        "supervision": (o.answered_notice.pk if route.endswith("/review/") else o.open_notice.pk),
        "instructions": o.instruction.pk,
    }.get(first)
    ids = {
        "pk": pk,
        "aid": o.attachment.pk,
        "mid": o.open_milestone.pk,
        "oid": o.observation.pk,
        "token": link_token(attachment_id=o.attachment.pk, kind=FILE),
        "did": o.report_draft.pk,
    }
    # the caller's own push device and login session (made inside the cell's transaction)
    if "<str:key>" in route:
        ids["key"] = _own_device(ctx)
    if "<str:sid>" in route:
        ids["sid"] = _own_session(ctx)
    return ids


def _own_device(ctx: Context) -> str:
    if ctx.user is None:
        return "nobody"
    device, _created = device_register(user=ctx.user, platform="android", token=f"m-{ctx.role}")
    return str(device.pk)


def _own_session(ctx: Context) -> str:
    if ctx.user is None:
        return "nobody"
    return SessionRefreshToken.for_user(ctx.user)[SESSION_CLAIM]


def _plan_draft(ctx: Context) -> int:
    """A draft of a new plan (计划导入) of the world's body, made by its supervisor."""
    w = ctx.world
    draft = PlanDraft.objects.filter(body=w.plan.body).first()
    if draft is None:
        draft = PlanDraft.objects.create(
            body=w.plan.body, text=MATRIX_PLAN_TEXT, created_by=w.supervisor
        )
    return draft.pk


def _console_ids(ctx: Context, row: Row) -> dict[str, int]:
    w, o = ctx.world, ctx.objects
    first = row.route.split("/", 1)[0]
    pk = {
        "tasks": lambda: w.task.pk,
        "extension-requests": lambda: o.extension_request.pk,
        "attachments": lambda: o.attachment.pk,
        "departments": lambda: w.lead_dept.pk,
        "plans": lambda: _plan_draft(ctx),
        "notices": lambda: o.answered_notice.pk,
        "quarters": lambda: o.rollup.pk,
    }.get(first)
    return {"pk": pk() if pk else None}


def fill(route: str, ids: dict[str, int | str | None]) -> str:
    for name, value in ids.items():
        route = route.replace(f"<int:{name}>", str(value)).replace(f"<str:{name}>", str(value))
    assert "<" not in route, route
    return route


def _api_body(ctx: Context, row: Row) -> dict[str, Any] | None:
    w, o = ctx.world, ctx.objects
    later = o.extension_milestone.due_date + dt.timedelta(days=10)
    bodies: dict[tuple[str, str], Callable[[], dict[str, Any]]] = {
        ("auth/token/", "own"): lambda: _credentials(ctx),
        ("api-auth/login/", "own"): lambda: _credentials(ctx),
        ("auth/token/refresh/", "own"): lambda: {
            "refresh": refresh_token(ctx.user) if ctx.user else "not-a-token"
        },
        ("auth/logout/", "own"): lambda: {
            "refresh": refresh_token(ctx.user) if ctx.user else "not-a-token"
        },
        ("me/", "settings"): lambda: {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
        ("me/devices/", ""): lambda: {"platform": "ios", "token": f"matrix-{ctx.role}"},
        ("me/password/", "own"): lambda: {
            "old_password": PASSWORD,
            "new_password": "Matrix-2025-new-pass",
        },
        ("tasks/<int:pk>/", "title"): lambda: {"title": "矩阵测试：修改后的标题"},
        ("tasks/<int:pk>/transitions/", "start"): lambda: {"action": "start"},
        ("tasks/<int:pk>/transitions/", "suspend"): lambda: {
            "action": "suspend",
            "comment": "上级要求暂缓",
        },
        ("tasks/<int:pk>/urge/", ""): lambda: {"comment": "请加快推进"},
        ("tasks/<int:pk>/acknowledge/", ""): lambda: _assigned(ctx, {}),
        ("tasks/<int:pk>/return-assignment/", ""): lambda: _assigned(
            ctx, {"reason": "不属于本部门职责"}
        ),
        ("tasks/<int:pk>/progress-reports/", ""): lambda: {
            "percent": 50,
            "narrative": "按计划推进",
            "red_reason": "前期手续办理滞后",
        },
        ("tasks/<int:pk>/progress-reports/drafts/", ""): lambda: {
            "percent": 40,
            "narrative": "联络员草稿",
            "red_reason": "前期手续办理滞后",
        },
        ("tasks/<int:pk>/progress-reports/drafts/<int:did>/submit/", ""): lambda: {},
        ("tasks/<int:pk>/comments/", ""): lambda: {"body": "矩阵测试意见"},
        ("tasks/<int:pk>/attachments/", ""): lambda: {
            "file": SimpleUploadedFile("证据.png", png_bytes(), content_type="image/png")
        },
        ("tasks/<int:pk>/milestones/", ""): lambda: {
            "title": "新增检查节点",
            "due_date": f"{w.plan.year}-11-30",
        },
        ("tasks/<int:pk>/extension-requests/", ""): lambda: {
            "milestone": o.extension_milestone.pk,
            "new_due_date": later.isoformat(),
            "reason": "资金拨付延迟",
        },
        ("extension-requests/<int:pk>/decision/", ""): lambda: {"approve": True},
        ("supervision/notices/<int:pk>/answer/", ""): lambda: {"text": "已完成整改"},
        ("supervision/notices/<int:pk>/review/", ""): lambda: {"accept": True},
        ("tasks/<int:pk>/instructions/", ""): lambda: {"text": "请月底前报送进展"},
        ("instructions/<int:pk>/response/", ""): lambda: {"text": "已部署落实"},
        ("instructions/<int:pk>/item/", ""): lambda: {},
        ("supervision/items/", ""): lambda: {
            "source": "meeting",
            "source_name": "区政府第12次常务会议",
            "source_date": clock.today().isoformat(),
            "title": "矩阵测试：会议议定事项",
            "text": "研究推进某项工作。",
            "lead_department": w.lead_dept.pk,
            "due_date": (clock.today() + dt.timedelta(days=60)).isoformat(),
        },
        ("rollups/", ""): lambda: {"year": w.plan.year, "quarter": 1},
        ("indicators/<int:pk>/observations/", ""): lambda: {
            "period": f"{w.plan.year}-Q1",
            "value": 3.2,
        },
        ("indicators/<int:pk>/observations/<int:oid>/verify/", ""): lambda: {"action": "verify"},
        ("indicators/<int:pk>/judgement/", ""): lambda: {
            "status": "on_track",
            "reason": "研判：进展正常",
        },
    }
    make = bodies.get((row.route, row.variant))
    return make() if make else None


def _assigned(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    """The world's task assigned (交办) to its lead department, awaiting 签收."""
    tasks_assign(tasks=Task.objects.filter(pk=ctx.world.task.pk), actor=ctx.world.supervisor)
    return body


def _console_body(ctx: Context, row: Row) -> dict[str, Any] | None:
    if row.route == "tasks/<int:pk>/acknowledge/":
        return _assigned(ctx, {})
    if row.route == "tasks/<int:pk>/return-assignment/":
        return _assigned(ctx, {"reason": "不属于本部门职责"})
    return {
        "login/": _credentials(ctx),
        "tasks/<int:pk>/urge/": {"kind": "urge", "comment": "请加快推进"},
        "extension-requests/<int:pk>/decision/": {"decision": "approve"},
        "notices/<int:pk>/decision/": {"decision": "accept"},
        "quarters/build/": {"year": ctx.world.plan.year, "quarter": 1},
        "plans/new/": {"body": ctx.world.plan.body_id, "kind": "annual", "text": MATRIX_PLAN_TEXT},
        "plans/drafts/<int:pk>/": {"action": "parse", "text": MATRIX_PLAN_TEXT},
        "items/new/": {
            "source": "other",
            "title": "矩阵测试：其他督办事项",
            "text": "推进某项工作。",
            "lead_department": ctx.world.lead_dept.pk,
            "due_date": (clock.today() + dt.timedelta(days=60)).isoformat(),
        },
    }.get(row.route)


def send_api(ctx: Context, row: Row) -> HttpResponse:
    path = "/api/v1/" + fill(row.route, api_ids(ctx, row.route, row.variant))
    body = _api_body(ctx, row)
    if row.route.startswith(SESSION_PAGES):
        client = Client()
        if ctx.user is not None and row.route != "api-auth/login/":
            client.force_login(ctx.user)
        return client.generic(row.method, path) if body is None else client.post(path, body)
    client = APIClient()
    if ctx.user is not None and row.route not in PUBLIC_API:
        client.credentials(HTTP_AUTHORIZATION=bearer(ctx.user))
    if row.route == "rollups/<int:pk>/export/":
        return client.get(path, {"format": "csv"})
    if row.route == "tasks/<int:pk>/attachments/" and row.method == "POST":
        return client.post(path, body, format="multipart")
    method = getattr(client, row.method.lower())
    return method(path, body, format="json") if body is not None else method(path)


def send_console(ctx: Context, row: Row) -> HttpResponse:
    path = "/console/" + fill(row.route, _console_ids(ctx, row))
    client = Client()
    if ctx.user is not None and row.route != "login/":
        client.force_login(ctx.user)
    body = _console_body(ctx, row)
    if row.method == "POST":
        return client.post(path, body or {})
    return client.get(path)


def send_root(ctx: Context, row: Row) -> HttpResponse:
    client = Client()
    if ctx.user is not None:
        client.force_login(ctx.user)
    return client.generic(row.method, "/" + row.route)


SENDERS = {"api/v1/": send_api, "console/": send_console, "": send_root}
