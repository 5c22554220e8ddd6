"""Writes of indicators_app: plan import sync, observations, verification, judgements."""

from indicators_app.services.judgements import indicator_judge
from indicators_app.services.observations import (
    ObservationResult,
    observation_correct,
    observation_create,
    observation_verify,
)
from indicators_app.services.sync import indicators_sync

__all__ = [
    "ObservationResult",
    "indicator_judge",
    "indicators_sync",
    "observation_correct",
    "observation_create",
    "observation_verify",
]
