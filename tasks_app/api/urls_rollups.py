"""Routes of quarterly rollups."""

urlpatterns: list = []
