"""What other apps add to a plan import, registered at their AppConfig.ready().

tasks_app imports no other app (dependencies point one way): indicators_app registers
`indicators_sync` here, and the importer calls every registered step, in registration
order, inside its transaction, after the plan's tasks and their children are written.

A step is `step(*, plan, parsed, enrichment, departments, result) -> None`; it reports
what it added or changed on `result` (an ImportResult) and raises EnrichmentError (or
another ValueError the importer reports) to refuse the import.
"""

from __future__ import annotations

from collections.abc import Callable

ImportStep = Callable[..., None]

_steps: dict[str, ImportStep] = {}


def register_import_step(step: ImportStep) -> ImportStep:
    """Add a step (idempotent by qualified name); usable as a decorator."""
    _steps[f"{step.__module__}.{step.__qualname__}"] = step
    return step


def import_steps() -> list[ImportStep]:
    return list(_steps.values())
