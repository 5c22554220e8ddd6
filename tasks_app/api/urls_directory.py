"""Routes for reading the organisation and plan, the caller, and the inbox."""

from django.urls import path

from .views_me import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
]
