"""Views of indicators_app: thin — parse, check the permission table, call a service, render.

Every authenticated user reads every indicator (404 only for ids that do not exist);
writes are refused with 403 per indicators_app.permissions. Statuses are computed in bulk
per page by indicators_app.selectors.indicator_assessments (constant queries).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from indicators_app.api.filters import IndicatorFilter
from indicators_app.api.permissions import CanJudge, CanReportFigures, CanVerifyFigures
from indicators_app.api.serializers import (
    IndicatorSerializer,
    JudgementInputSerializer,
    JudgementSerializer,
    ObservationDetailSerializer,
    ObservationInputSerializer,
    VerifyInputSerializer,
)
from indicators_app.api.series import SeriesSerializer, series_payload
from indicators_app.models import Indicator, IndicatorJudgement, Observation
from indicators_app.selectors import (
    indicator_assessments,
    indicator_list,
    indicator_observations,
    indicator_series,
    indicators_visible_to,
)
from indicators_app.services import (
    indicator_judge,
    observation_create,
    observation_verify,
)
from indicators_app.services.observations import CREATED
from plantracker.api.concurrency import ETagRetrieveMixin
from plantracker.api.filtering import FilterBackend
from plantracker.api.idempotency import idempotent_create
from plantracker.api.pagination import StandardCursorPagination
from plantracker.api.search import SearchFilter
from plantracker.api.sync import SyncCursorPagination, UpdatedSinceFilter
from tasks_app.api.sync import SyncListMixin
from tasks_app.models import Tombstone


class IndicatorPagination(SyncCursorPagination):
    ordering = ("order", "id")


class ObservationPagination(SyncCursorPagination):
    ordering = ("-period_end", "-id")


class JudgementPagination(StandardCursorPagination):
    ordering = ("-created_at", "-id")


class AssessedSerializerMixin:
    """Hands the serializer the bulk-computed assessments of the objects it renders."""

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and args[0] is not None:
            items = args[0] if kwargs.get("many") else [args[0]]
            kwargs["context"] = {
                **self.get_serializer_context(),
                "assessments": indicator_assessments(items),
            }
        return super().get_serializer(*args, **kwargs)


class IndicatorListView(AssessedSerializerMixin, SyncListMixin, generics.ListAPIView):
    queryset = indicator_list()  # the model, for the schema; rows: get_queryset()
    serializer_class = IndicatorSerializer
    pagination_class = IndicatorPagination
    filter_backends = [FilterBackend, SearchFilter, UpdatedSinceFilter]
    filterset_class = IndicatorFilter
    search_fields = ["name", "code"]
    sync_resource = "indicator"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Indicator.objects.none()
        return indicators_visible_to(self.request.user)

    def sync_tombstones(self) -> Any:
        return Tombstone.objects.filter(resource=self.sync_resource)  # district-wide


class IndicatorDetailView(ETagRetrieveMixin, AssessedSerializerMixin, generics.RetrieveAPIView):
    queryset = indicator_list()  # the model, for the schema; rows: get_queryset()
    serializer_class = IndicatorSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Indicator.objects.none()
        return indicators_visible_to(self.request.user)


class IndicatorChildMixin:
    """Views under /indicators/{pk}/: the parent indicator, looked up once (404 if unknown)."""

    def get_indicator(self) -> Indicator:
        if not hasattr(self, "_indicator"):
            rows = indicators_visible_to(self.request.user).select_related("plan")
            self._indicator = get_object_or_404(rows, pk=self.kwargs["pk"])
        return self._indicator


@extend_validation_errors(["required"], field_name="reason", methods=["post"])
@extend_validation_errors(["unknown_unit", "unit_mismatch"], field_name="unit", methods=["post"])
@extend_validation_errors(["out_of_range"], field_name="value", methods=["post"])
@extend_validation_errors(["future"], field_name="period", methods=["post"])
class ObservationListCreateView(IndicatorChildMixin, SyncListMixin, generics.ListAPIView):
    """GET: the figures, newest period first, with corrections. POST: report or correct one."""

    serializer_class = ObservationDetailSerializer
    pagination_class = ObservationPagination
    filter_backends = [UpdatedSinceFilter]
    sync_resource = "observation"
    idempotency_key_methods = ("POST",)
    permission_classes = [CanReportFigures]

    def get_queryset(self) -> Any:
        return indicator_observations(indicator=self.get_indicator())

    def sync_tombstones(self) -> Any:
        return Tombstone.objects.filter(resource=self.sync_resource)  # never deleted so far

    @extend_schema(
        request=ObservationInputSerializer,
        responses={201: ObservationDetailSerializer, 200: ObservationDetailSerializer},
        description="201: a new figure; 200: a correction (or the identical figure again).",
    )
    def post(self, request: Request, pk: int) -> Response:
        indicator = self.get_indicator()
        return idempotent_create(request, lambda: self._create(request, indicator))

    def _create(self, request: Request, indicator: Indicator) -> Response:
        data = ObservationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        result = observation_create(
            indicator=indicator,
            actor=request.user,
            period=fields["period"],
            value=fields["value"],
            unit=fields.get("unit"),
            source=fields.get("source"),
            note=fields.get("note"),
            reason=fields.get("reason", ""),
        )
        obs = indicator_observations(indicator=indicator).get(pk=result.observation.pk)
        code = status.HTTP_201_CREATED if result.outcome == CREATED else status.HTTP_200_OK
        return Response(ObservationDetailSerializer(obs).data, status=code)


@extend_validation_errors(["required"], field_name="comment", methods=["post"])
class ObservationVerifyView(IndicatorChildMixin, generics.GenericAPIView):
    serializer_class = VerifyInputSerializer
    permission_classes = [CanVerifyFigures]

    @extend_schema(request=VerifyInputSerializer, responses=ObservationDetailSerializer)
    def post(self, request: Request, pk: int, oid: int) -> Response:
        indicator = self.get_indicator()
        observation = get_object_or_404(Observation, pk=oid, indicator=indicator)
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        observation_verify(
            observation=observation,
            actor=request.user,
            action=data.validated_data["action"],
            comment=data.validated_data.get("comment", ""),
        )
        obs = indicator_observations(indicator=indicator).get(pk=oid)
        return Response(ObservationDetailSerializer(obs).data)


class IndicatorSeriesView(IndicatorChildMixin, generics.GenericAPIView):
    serializer_class = SeriesSerializer

    def get(self, request: Request, pk: int) -> Response:
        series = indicator_series(indicator=self.get_indicator())
        return Response(SeriesSerializer(series_payload(series)).data)


class JudgementView(IndicatorChildMixin, generics.ListAPIView):
    """GET: the indicator's judgements, newest first. POST (supervisor): record one."""

    serializer_class = JudgementSerializer
    pagination_class = JudgementPagination
    permission_classes = [CanJudge]
    filter_backends: list = []
    idempotency_key_methods = ("POST",)

    def get_queryset(self) -> Any:
        rows = IndicatorJudgement.objects.filter(indicator=self.get_indicator())
        return rows.select_related("judged_by")

    @extend_schema(request=JudgementInputSerializer, responses={201: JudgementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        indicator = self.get_indicator()
        return idempotent_create(request, lambda: self._create(request, indicator))

    def _create(self, request: Request, indicator: Indicator) -> Response:
        data = JudgementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        judgement = indicator_judge(
            indicator=indicator,
            actor=request.user,
            status=data.validated_data["status"],
            reason=data.validated_data["reason"],
        )
        return Response(JudgementSerializer(judgement).data, status=status.HTTP_201_CREATED)
