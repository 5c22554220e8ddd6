"""Fixtures for the rollup tests (defined in tests.rollups.support)."""

from tests.rollups.support import mini  # noqa: F401
