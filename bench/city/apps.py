"""App configuration for the city generator (management command only, no models)."""

from django.apps import AppConfig


class CityConfig(AppConfig):
    name = "bench.city"
    label = "bench_city"
