"""Directory reads: departments, plans (detail with ETag), the plan tree, milestones."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from plantracker import clock
from plantracker.api.concurrency import ETagRetrieveMixin
from tasks_app.api.directory_filters import DepartmentFilter, MilestoneFilter
from tasks_app.api.directory_serializers import (
    DepartmentSerializer,
    MilestoneWithTaskSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    PlanTreeSerializer,
)
from tasks_app.api.sync import SyncListMixin
from tasks_app.models import Department, Milestone, Plan, Tombstone
from tasks_app.org.plan_scope import plans_visible_to
from tasks_app.plans.selectors import (
    departments_all,
    milestones_overdue_q,
    milestones_visible_to,
    plan_tree,
    plans_all,
)


class DepartmentListView(SyncListMixin, ListAPIView):
    """Every department (any signed-in user); `?kind=`, `?is_active=`, `?search=` name/code."""

    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "updated_at"]
    sync_resource = "department"

    def get_queryset(self) -> QuerySet[Department]:
        return departments_all(self.request.user)

    def sync_tombstones(self) -> QuerySet[Tombstone]:
        # Departments are public within the district, and so are their removals.
        return Tombstone.objects.filter(resource=self.sync_resource)


class PlanListView(SyncListMixin, ListAPIView):
    """Every plan (years), without the source text."""

    serializer_class = PlanSerializer
    ordering_fields = ["year", "updated_at"]
    sync_resource = "plan"

    def get_queryset(self) -> QuerySet[Plan]:
        return plans_all(self.request.user)

    def sync_tombstones(self) -> QuerySet[Tombstone]:
        return Tombstone.objects.filter(resource=self.sync_resource)


class PlanDetailView(ETagRetrieveMixin, RetrieveAPIView):
    """One plan with its source text and chapters; ETag / If-None-Match → 304."""

    serializer_class = PlanDetailSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        return plans_visible_to(self.request.user).prefetch_related("chapters")


class PlanTreeView(APIView):
    """Chapters → measures with task counts by status and flag (only tasks you may see)."""

    @extend_schema(responses=PlanTreeSerializer)
    def get(self, request: Request, pk: int) -> Response:
        plans = plans_visible_to(request.user).only("pk", "year", "title")
        plan = get_object_or_404(plans, pk=pk)
        tree = plan_tree(plan=plan, user=request.user, today=clock.today())
        return Response(PlanTreeSerializer(tree).data)


class MilestoneListView(SyncListMixin, ListAPIView):
    """Milestones of the tasks you may see, with the task filters that apply to them."""

    queryset = Milestone.objects.none()  # the model, for the schema; rows: get_queryset()
    serializer_class = MilestoneWithTaskSerializer
    filterset_class = MilestoneFilter
    ordering_fields = ["due_date", "updated_at"]
    sync_resource = "milestone"

    def get_queryset(self) -> QuerySet[Milestone]:
        overdue = milestones_overdue_q(clock.today())
        return milestones_visible_to(self.request.user).annotate(
            is_overdue=ExpressionWrapper(overdue, output_field=BooleanField())
        )
