"""Shared setup for the task workflow API tests: one task seen from every role.

The `world` fixture (tests/conftest.py) picks a real task of the imported 2025 plan that
has a co-responsible department, and makes people in every relation to it:
  lead_lead / lead_staff   — lead and staff of the task's lead department;
  co_lead / co_staff       — lead and staff of one of its co-departments;
  other_lead / other_staff — lead and staff of a department with no part in it;
  supervisor, leader       — district roles.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.http import HttpResponse
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tasks_app.models import Department, Plan, Task, User
from tests.openapi import served_openapi

PLAN_YEAR = 2025
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 2025-06-10, 10:00 in Beijing: mid-year, Q1 checkpoints passed, June open.
PINNED = dt.datetime(2025, 6, 10, 10, 0, tzinfo=SHANGHAI)


@dataclass
class World:
    plan: Plan
    task: Task
    lead_dept: Department
    co_dept: Department
    other_dept: Department
    lead_lead: User
    lead_staff: User
    co_lead: User
    co_staff: User
    other_lead: User
    other_staff: User
    supervisor: User
    leader: User

    def url(self, suffix: str = "", task: Task | None = None) -> str:
        return f"/api/v1/tasks/{(task or self.task).pk}/{suffix}"

    @property
    def everyone(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in (
                "supervisor", "leader", "lead_lead", "lead_staff", "co_lead", "co_staff",
                "other_lead", "other_staff",
            )
        }  # fmt: skip


def pick_task(plan: Plan) -> Task:
    """A task with exactly one co-department, due at the year end (the common case)."""
    return (
        Task.objects.filter(plan=plan, due_date=dt.date(PLAN_YEAR, 12, 31))
        .annotate(co_count=Count("co_departments"))
        .filter(co_count__gte=1)
        .order_by("code")
        .first()
    )


class _BodylessRequest(DjangoOpenAPIRequest):
    """A multipart request whose body was consumed by the parser: match by path only."""

    @property
    def path_pattern(self) -> None:
        return None

    @property
    def body(self) -> bytes:
        return b""


def assert_multipart_response_matches_schema(response: HttpResponse) -> None:
    """Schema check of the response to a multipart upload (tests.openapi's client reads the
    request body, which Django no longer has after parsing multipart)."""
    served_openapi().validate_response(
        _BodylessRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
    )


def is_task_tag(tag: str, task_id: int, version: int, day: str) -> bool:
    """A task detail's ETag: W/"task-<id>-<version>-<day YYYYMMDD>-<digest of its embeds>"."""
    return re.fullmatch(rf'W/"task-{task_id}-{version}-{day}-[0-9a-f]{{8}}"', tag) is not None
