"""Fixtures for the 督查督办 loop tests: the task world of tests.api.tasks_support, plus a
site address for links."""

from __future__ import annotations

import pytest

SITE = "https://dc.example.gov.cn"


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:
    settings.PLANTRACKER = {**settings.PLANTRACKER, "SITE_URL": SITE}
