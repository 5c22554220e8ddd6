"""Routes of tasks_app's API."""

from django.urls import path

from .views_me import MeView

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
]
