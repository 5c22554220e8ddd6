"""What other apps add to a plan import, registered at their AppConfig.ready().

tasks_app imports no other app (dependencies point one way): indicators_app registers
`indicators_sync` here, and the importer calls every registered step, in registration
order, inside its transaction, after the plan's tasks and their children are written.

A step is `step(*, plan, parsed, enrichment, departments, result) -> None`; it reports
what it added or changed on `result` (an ImportResult) and raises EnrichmentError (or
another ValueError the importer reports) to refuse the import.

A check is `check(*, parsed, enrichment) -> Any`: the same refusals as its step, found
without writing, so `import_plan --dry-run` reports whatever the real import would refuse.
"""

from __future__ import annotations

from collections.abc import Callable

ImportStep = Callable[..., None]

_steps: dict[str, ImportStep] = {}
_checks: dict[str, ImportStep] = {}


def register_import_step(step: ImportStep) -> ImportStep:
    """Add a step (idempotent by qualified name); usable as a decorator."""
    _steps[f"{step.__module__}.{step.__qualname__}"] = step
    return step


def import_steps() -> list[ImportStep]:
    return list(_steps.values())


def register_import_check(check: ImportStep) -> ImportStep:
    """Add a dry-run check (idempotent by qualified name); usable as a decorator."""
    _checks[f"{check.__module__}.{check.__qualname__}"] = check
    return check


def import_checks() -> list[ImportStep]:
    return list(_checks.values())
