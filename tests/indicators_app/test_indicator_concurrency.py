"""Two reporters send a figure for the same period at once: one row, the other is a correction."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from indicators_app.models import Observation, ObservationRevision
from indicators_app.services import observation_create
from plantracker.errors import ValidationError
from tests.indicators_app.conftest import GDP

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_first_figures_for_one_period(indicator, reporter) -> None:
    gdp = indicator(GDP)
    users = [reporter(GDP, "dept_staff"), reporter(GDP, "dept_lead")]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def report(user, value: str) -> None:
        try:
            start.wait()
            result = observation_create(
                indicator=gdp, actor=user, period="2025-Q1", value=Decimal(value)
            )
            outcomes.append(result.outcome)
        except ValidationError as exc:
            outcomes.append(next(iter(exc.detail)))  # the field named
        finally:
            connection.close()

    threads = [
        threading.Thread(target=report, args=(user, value))
        for user, value in zip(users, ["5.0", "5.1"], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["created", "reason"]  # never an IntegrityError (a 500)
    assert Observation.objects.filter(indicator=gdp).count() == 1
    assert ObservationRevision.objects.count() == 0
