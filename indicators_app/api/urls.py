"""Routes of indicators_app's API (included at /api/v1/).

indicators/, indicators/{id}/ and indicators/{id}/observations/ are in the contract;
series/, observations/{oid}/verify/ and judgement/ are additive.
"""

from django.urls import path

from indicators_app.api import views

urlpatterns = [
    path("indicators/", views.IndicatorListView.as_view(), name="indicator-list"),
    path("indicators/<int:pk>/", views.IndicatorDetailView.as_view(), name="indicator-detail"),
    path(
        "indicators/<int:pk>/observations/",
        views.ObservationListCreateView.as_view(),
        name="indicator-observations",
    ),
    path(
        "indicators/<int:pk>/observations/<int:oid>/verify/",
        views.ObservationVerifyView.as_view(),
        name="observation-verify",
    ),
    path(
        "indicators/<int:pk>/series/", views.IndicatorSeriesView.as_view(), name="indicator-series"
    ),
    path(
        "indicators/<int:pk>/judgement/", views.JudgementView.as_view(), name="indicator-judgement"
    ),
]
