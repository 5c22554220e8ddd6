"""督办单 over REST: the list of notices on tasks you may see, the department's answer
(反馈) and the supervision office's review. Additive to the contract."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker.api.filtering import DB_INT_MAX, FilterBackend
from tasks_app.api.permissions import WorkflowPermission
from tasks_app.api.tasks_inputs import ITEM_CODES, FlatListField
from tasks_app.api.tasks_nested_serializers import SupervisionNoticeSerializer
from tasks_app.api.tasks_nested_views import NewestFirstPagination
from tasks_app.models import SupervisionNotice
from tasks_app.org.visibility import tasks_visible_to
from tasks_app.supervision.notices import notice_answer, notice_review


def notices_visible_to(user) -> QuerySet[SupervisionNotice]:
    """督办单 (kind notice) on the tasks the user may see, with what they render."""
    return (
        SupervisionNotice.objects.filter(kind="notice", task__in=tasks_visible_to(user))
        .select_related("department", "issued_by", "answered_by", "closed_by", "task")
        .order_by("-created_at", "-id")
    )


class NoticeFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=SupervisionNotice.Status.choices, help_text=_("办理状态"))
    task = filters.NumberFilter(field_name="task_id", help_text=_("任务 ID"))
    department = filters.NumberFilter(field_name="department_id", help_text=_("部门 ID"))

    class Meta:
        model = SupervisionNotice
        fields: list[str] = []


class NoticeListView(ListAPIView):
    """督办单 on every task you may see, newest first (`?status=open`)."""

    serializer_class = SupervisionNoticeSerializer
    pagination_class = NewestFirstPagination
    filter_backends = [FilterBackend]
    filterset_class = NoticeFilter

    def get_queryset(self) -> QuerySet[SupervisionNotice]:
        if getattr(self, "swagger_fake_view", False):
            return SupervisionNotice.objects.none()
        return notices_visible_to(self.request.user)


class NoticeAnswerSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text="The department's answer (反馈).")
    attachments = FlatListField(
        child=serializers.IntegerField(min_value=1, max_value=DB_INT_MAX),
        required=False,
        default=list,
        max_length=50,
        help_text="Ids of evidence already uploaded to the task.",
    )


class NoticeReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


@extend_validation_errors(ITEM_CODES, field_name="attachments", methods=["post"])
class NoticeAnswerView(APIView):
    """The lead department answers an open notice: {"text", "attachments": [ids]}."""

    permission_classes = [WorkflowPermission]
    parser_classes = [JSONParser]

    @extend_schema(request=NoticeAnswerSerializer, responses=SupervisionNoticeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notice = get_object_or_404(notices_visible_to(request.user), pk=pk)
        data = NoticeAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice_answer(
            notice=notice,
            actor=request.user,
            text=data.validated_data["text"],
            attachment_ids=data.validated_data["attachments"],
        )
        return Response(
            SupervisionNoticeSerializer(notices_visible_to(request.user).get(pk=pk)).data
        )


class NoticeReviewView(APIView):
    """Supervisor: {"accept": true} closes the notice; false sends it back (comment needed)."""

    permission_classes = [WorkflowPermission]
    parser_classes = [JSONParser]

    @extend_schema(request=NoticeReviewSerializer, responses=SupervisionNoticeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notice = get_object_or_404(notices_visible_to(request.user), pk=pk)
        data = NoticeReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice_review(
            notice=notice,
            actor=request.user,
            accept=data.validated_data["accept"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(
            SupervisionNoticeSerializer(notices_visible_to(request.user).get(pk=pk)).data
        )
