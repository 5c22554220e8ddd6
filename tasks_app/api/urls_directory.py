"""Routes for reading the organisation and plan, the caller, and the inbox."""

from django.urls import path

from .devices_views import PushDeviceDetailView, PushDeviceListView
from .directory_views import (
    DepartmentListView,
    MilestoneListView,
    PlanDetailView,
    PlanListView,
    PlanTreeView,
)
from .inbox_counts import NotificationUnreadCountView
from .inbox_views import NotificationListView, NotificationReadAllView, NotificationReadView
from .views_me import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("me/devices/", PushDeviceListView.as_view(), name="me-device-list"),
    path("me/devices/<str:key>/", PushDeviceDetailView.as_view(), name="me-device-detail"),
    path("departments/", DepartmentListView.as_view(), name="department-list"),
    path("plans/", PlanListView.as_view(), name="plan-list"),
    path("plans/<int:pk>/", PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/tree/", PlanTreeView.as_view(), name="plan-tree"),
    path("milestones/", MilestoneListView.as_view(), name="milestone-list"),
    path("notifications/", NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/read-all/", NotificationReadAllView.as_view(), name="notification-read-all"
    ),
    path(
        "notifications/unread-count/",
        NotificationUnreadCountView.as_view(),
        name="notification-unread-count",
    ),
    path("notifications/<int:pk>/read/", NotificationReadView.as_view(), name="notification-read"),
]
