"""The frame every console page renders in: what admin/base_site.html expects, plus the
console's navigation for the viewer (none before the viewer is known, e.g. on a 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from plantracker.clock import demo_today


def nav_items(request: HttpRequest) -> list[tuple[str, str]]:
    """(label, url) of the console's top navigation for this viewer."""
    viewer = getattr(request, "viewer", None)
    if viewer is None:
        return []
    items = [
        (_("逾期督办"), reverse("console:board")),
        (_("督办单"), reverse("console:notices")),
        (_("季度汇总"), reverse("console:quarter")),
        (_("主要指标"), reverse("console:indicators")),
    ]
    if viewer.can_urge:
        items.append((_("年度结转"), reverse("console:rollover")))
        items.append((_("计划导入"), reverse("console:plan-new")))
        items.append((_("督办事项登记"), reverse("console:item-new")))
    if not viewer.sees_all and viewer.led_department_ids:
        own = reverse("console:department", args=[viewer.led_department_ids[0]])
        items.append((_("本部门"), own))
    return items


def frame_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "site_url": None,
        "has_permission": True,  # shows the user tools (the console's links, console/base.html)
        "is_nav_sidebar_enabled": False,
        "is_popup": False,
        "viewer": getattr(request, "viewer", None),
        "nav": nav_items(request),
        "demo_today": demo_today(),
    }
