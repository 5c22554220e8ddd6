"""Writes of indicators_app: plan import sync, observations, verification, judgements."""

from indicators_app.services.judgements import indicator_judge
from indicators_app.services.observations import (
    ObservationResult,
    observation_correct,
    observation_create,
    observation_verify,
)
from indicators_app.services.sync import (
    check_indicator_specs,
    indicator_db_state,
    indicator_file_state,
    indicators_apply,
)

__all__ = [
    "ObservationResult",
    "check_indicator_specs",
    "indicator_db_state",
    "indicator_file_state",
    "indicator_judge",
    "indicators_apply",
    "observation_correct",
    "observation_create",
    "observation_verify",
]
