"""The benchmark's city generator (`manage.py generate_city`), installed only by bench
and test settings (`bench.settings`, `plantracker.settings.test`), never in production."""
