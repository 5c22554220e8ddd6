"""Domain errors: what a service refuses, and why, without knowing who asked.

Services (tasks_app, indicators_app) raise these; the edges translate them: the API's
exception handler (plantracker/api/errors.py) into DRF's exceptions and so the one error
shape and status, the console into a message banner. Services never import DRF.

`detail` is what DRF's exceptions take: a message, a list of messages, or a mapping of
field name to message(s) (the field a client must fix); `code` is the stable code clients
switch on.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """The base of every refusal a service makes; `status` is the HTTP answer at the API."""

    status = 400
    default_detail: Any = _("请求无效。")
    default_code = "invalid"

    def __init__(self, detail: Any = None, code: str | None = None) -> None:
        self.detail = self.default_detail if detail is None else detail
        self.code = code or self.default_code
        super().__init__(self.detail)

    def messages(self) -> list[str]:
        """Every message of `detail`, flattened, as text (for a banner or a log line)."""
        return [str(m) for m in _flatten(self.detail)]


class ValidationError(ApplicationError):
    """Input a service cannot accept (400); `detail` names the field where there is one."""

    status = 400
    default_detail = _("输入无效。")
    default_code = "invalid"


class PermissionDenied(ApplicationError):
    """The actor may see the object but not do this to it (403)."""

    status = 403
    default_detail = _("您无权执行此操作。")
    default_code = "permission_denied"


class NotFound(ApplicationError):
    """No such object, or one the actor may not see (404)."""

    status = 404
    default_detail = _("未找到。")
    default_code = "not_found"


class Conflict(ApplicationError):
    """Not allowed in the object's current state (409)."""

    status = 409
    default_detail = _("当前状态下不允许此操作。")
    default_code = "conflict"


class PreconditionFailed(ApplicationError):
    """The object changed since the actor read it (412, stale If-Match)."""

    status = 412
    default_detail = _("数据已被他人修改，请刷新后重试。")
    default_code = "stale"


class PayloadTooLarge(ApplicationError):
    """An upload over the size limit (413)."""

    status = 413
    default_detail = _("上传内容过大。")
    default_code = "too_large"


def _flatten(detail: Any) -> list[Any]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [m for value in detail for m in _flatten(value)]
    return [detail]
