"""DRF permission classes over the indicators_app.permissions table (403 for writes).

Reads are open to every authenticated user; the view's `get_indicator()` runs first, so
an unknown indicator is a 404 before any 403.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request

from indicators_app.permissions import can_judge, can_report, can_verify


class CanReportFigures(IsAuthenticated):
    message = _("只有该指标的责任部门或督查室可以报送数据。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or can_report(request.user, view.get_indicator())


class CanVerifyFigures(IsAuthenticated):
    message = _("只有督查室可以审核指标数据。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        view.get_indicator()
        return request.method in SAFE_METHODS or can_verify(request.user)


class CanJudge(IsAuthenticated):
    message = _("只有督查室可以研判指标。")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        view.get_indicator()
        return request.method in SAFE_METHODS or can_judge(request.user)
