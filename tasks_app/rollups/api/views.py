"""Rollups API: list (GET) and build (POST → 202 + job), job status, detail, exports.

Readers: supervisors, district leaders, admins (everything); department leads (only the
rows of the departments they lead). Building: supervisors. Views only parse, call a
selector or service, and render.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_standardized_errors.openapi_serializers import (
    ErrorResponse403Serializer,
    ErrorResponse404Serializer,
    ValidationErrorResponseSerializer,
)
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker import clock
from plantracker.api.concurrency import ETagRetrieveMixin
from plantracker.api.idempotency import idempotent_create
from plantracker.api.pagination import StandardCursorPagination
from plantracker.etags import etags_match, parse_etags
from tasks_app.models import Rollup, RollupJob
from tasks_app.org.plan_scope import default_plan, plan_to_build
from tasks_app.org.visibility import is_supervisor
from tasks_app.rollups.api.serializers import (
    ExportParamsSerializer,
    RollupAcceptedSerializer,
    RollupCreateSerializer,
    RollupJobSerializer,
    RollupListParamsSerializer,
    RollupSerializer,
)
from tasks_app.rollups.build import RollupError, rollup_job_create
from tasks_app.rollups.circulation import rollup_publish
from tasks_app.rollups.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    export_filename,
    rollup_csv,
    rollup_xlsx,
)
from tasks_app.rollups.selectors import (
    rollup_jobs_visible,
    rollup_rows_visible,
    rollups_list,
    rollups_readable_by,
)


class RollupAccess(IsAuthenticated):
    """Read: supervisors, district leaders, admins, department leads, and every member of a
    department whose body circulates its rollups (通报). Build and publish: supervisors."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method == "POST":
            self.message = _("只有督查室可以生成季度汇总。")
            return is_supervisor(request.user)
        self.message = _("只有督查室、区领导和部门负责人可以查看季度汇总。")
        return rollups_readable_by(request.user)


class RollupParamsFilter(BaseFilterBackend):
    """?year= &quarter= narrow the rollups; ?department= the rows. Bad values: 400 naming
    the parameter (documented through get_schema_validation_errors)."""

    def filter_queryset(self, request: Request, queryset, view: APIView):
        params = RollupListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        view.params = params.validated_data
        for name in ("year", "quarter"):
            if name in params.validated_data:
                queryset = queryset.filter(**{name: params.validated_data[name]})
        plan = params.validated_data.get("plan")
        if plan is None:
            plan = default_plan(request.user, today=clock.today())
        return queryset.filter(plan_id=plan)

    def get_schema_operation_parameters(self, view: APIView) -> list:
        return []  # declared with extend_schema(parameters=...) on the view

    def get_schema_validation_errors(self, view: APIView) -> dict[str, set[str]]:
        codes = {"invalid", "min_value", "max_value", "max_string_length"}
        return {"plan": codes, "year": codes, "quarter": codes, "department": codes}


class RollupPagination(StandardCursorPagination):
    ordering = ("-built_at", "-id")


class RollupListView(GenericAPIView):
    """GET: rollups, newest first; `rows` holds the plan row (district readers) or the
    caller's own department rows (department leads); `?department=` narrows to one
    department's row. POST (supervisors): queue a build → 202 with the job to poll."""

    serializer_class = RollupSerializer
    pagination_class = RollupPagination
    queryset = Rollup.objects.none()  # for the schema; reads go through the selectors
    permission_classes = [RollupAccess]
    filter_backends = [RollupParamsFilter]
    idempotency_key_methods = ("POST",)
    params: dict = {}

    @extend_schema(parameters=[RollupListParamsSerializer], responses=RollupSerializer(many=True))
    def get(self, request: Request) -> Response:
        rollups = self.filter_queryset(rollups_list(user=request.user))
        rows = rollup_rows_visible(
            user=request.user, department_id=self.params.get("department"), summary_only=True
        )
        rollups = rollups.prefetch_related(Prefetch("rows", queryset=rows, to_attr="visible_rows"))
        page = self.paginate_queryset(rollups)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=RollupCreateSerializer, responses={202: RollupAcceptedSerializer})
    def post(self, request: Request) -> Response:
        return idempotent_create(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = RollupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        plan = plan_to_build(request.user, plan_id=values.pop("plan", None), year=values["year"])
        if plan is None and "plan" in data.validated_data:
            raise ValidationError({"plan": [_("计划不存在。")]}, code="invalid")
        try:
            job = rollup_job_create(**values, plan=plan, requested_by=request.user)
        except RollupError as exc:
            raise ValidationError({"year": [str(exc)]}, code="invalid") from exc
        status_url = request.build_absolute_uri(reverse("rollup-job", args=[job.pk]))
        body = {"job": job.pk, "status": job.status, "status_url": status_url}
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": status_url})


class RollupJobView(GenericAPIView):
    """A build job: queued → running → done (with the rollup) or failed (with the error)."""

    serializer_class = RollupJobSerializer
    queryset = RollupJob.objects.none()  # for the schema

    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(rollup_jobs_visible(request.user), pk=pk)
        return Response(self.get_serializer(job).data)


class RollupDetailView(ETagRetrieveMixin, GenericAPIView):
    """One frozen rollup with every row the caller may read."""

    serializer_class = RollupSerializer
    queryset = Rollup.objects.none()  # for the schema
    permission_classes = [RollupAccess]

    def get_object(self) -> Rollup:
        rows = rollup_rows_visible(user=self.request.user)
        rollups = rollups_list(user=self.request.user).prefetch_related(
            Prefetch("rows", queryset=rows, to_attr="visible_rows")
        )
        return get_object_or_404(rollups, pk=self.kwargs["pk"])

    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.retrieve(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """The ETag names the version and whether it is published (通报 widens who reads
        which rows, so a cached draft is not the published page)."""
        instance = self.get_object()
        state = "published" if instance.published_at else "draft"
        tag = f'W/"rollup-{instance.pk}-{instance.version}-{state}"'
        wanted = parse_etags(request.headers.get("If-None-Match"))
        if any(etags_match(t, tag) or t == "*" for t in wanted):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = tag
        return response


class RollupPublishView(RollupDetailView):
    """POST: 通报 — the supervision office publishes this rollup version; where the body
    circulates its rollups, every department then reads its department rows. 409 when
    already published."""

    http_method_names = ["post", "options"]

    @extend_schema(request=None, responses=RollupSerializer)
    def post(self, request: Request, *args, **kwargs) -> Response:
        rollup_publish(rollup=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_object()).data)


class IgnoreFormatParameter(BaseContentNegotiation):
    """`?format=` names the export file type here, not a DRF renderer; errors stay JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RollupExportView(APIView):
    """The rollup as XLSX (sheets per level, bar charts) or CSV (UTF-8 with BOM)."""

    content_negotiation_class = IgnoreFormatParameter
    permission_classes = [RollupAccess]

    @extend_schema(
        parameters=[ExportParamsSerializer],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            400: ValidationErrorResponseSerializer,
            403: ErrorResponse403Serializer,
            404: ErrorResponse404Serializer,
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        params = ExportParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rollup = get_object_or_404(rollups_list(user=request.user), pk=pk)
        rows = list(rollup_rows_visible(user=request.user).filter(rollup=rollup))
        if params.validated_data["format"] == "csv":
            content, content_type, ext = (
                rollup_csv(rollup=rollup, rows=rows),
                CSV_CONTENT_TYPE,
                "csv",
            )
        else:
            content, content_type = rollup_xlsx(rollup=rollup, rows=rows), XLSX_CONTENT_TYPE
            ext = "xlsx"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{export_filename(rollup, ext)}"'
        return response
