"""Demo steps other apps add to seed_demo (tasks_app imports no other app of ours):
indicators_app registers its observations here at ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tasks_app.models import Plan

DemoStep = Callable[..., int]  # (*, plan: Plan, today: dt.date) -> rows created

_STEPS: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> DemoStep:
    if step not in _STEPS:
        _STEPS.append(step)
    return step


def run_demo_steps(*, plan: Plan, today: dt.date) -> int:
    return sum(step(plan=plan, today=today) for step in _STEPS)
