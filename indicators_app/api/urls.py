"""Routes of indicators_app's API."""

urlpatterns: list = []
