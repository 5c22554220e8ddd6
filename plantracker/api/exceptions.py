"""API errors with stable codes beyond DRF's own (409 transition, 412 stale)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("数据已被他人修改，请刷新后重试。")
    default_code = "stale"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("当前状态下不允许此操作。")
    default_code = "conflict"


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("上传内容过大。")
    default_code = "too_large"


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("服务暂时不可用，请稍后重试。")
    default_code = "unavailable"


class IdempotencyKeyReused(APIException):
    """An Idempotency-Key sent again with a different request: refused, nothing replayed."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("该幂等键已用于其他请求。")
    default_code = "idempotency_key_reused"
