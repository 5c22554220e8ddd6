"""The indicator page: all main indicators with status, baseline, target, latest value."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from plantracker.console.access import console_view
from plantracker.console.selectors import indicator_rows
from plantracker.console.views.common import page
from plantracker.console.views.quarter import series_figure


@console_view
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    rows = indicator_rows(plan_id=request.viewer.plan_id)
    groups = [
        (key, list(items))
        for key, items in groupby(
            rows, key=lambda r: (r.indicator.get_category_display(), r.indicator.group)
        )
    ]
    context = {
        "title": _("主要指标"),
        "groups": groups,
        "count": len(rows),
        "series": series_figure(rows, request.GET.get("indicator")),
    }
    return page(request, "console/indicators.html", context)
