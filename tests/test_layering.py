"""Dependencies point one way (docs/architecture.md): an AST check of every import.

- tasks_app imports no other app of ours (indicators_app, the console, bench): what it
  needs of them comes through registries (reminder providers, plan import steps, rollup
  metric sources) they fill at ready();
- plantracker's generic plumbing (api/, errors, etags) imports neither app;
- DRF lives at the edge: only `api/` packages (and the URL/settings wiring) import it, so
  services raise domain errors (plantracker/errors.py), never DRF's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DRF_PACKAGES = ("rest_framework", "drf_spectacular", "drf_standardized_errors", "django_filters")


def _modules() -> list[Path]:
    found = []
    for top in ("tasks_app", "indicators_app", "plantracker"):
        found += [p for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts]
    return sorted(found)


def imported_names(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (function-level too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def forbidden_imports(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    rules: list[tuple[str, ...]] = []
    if rel.startswith("tasks_app/"):
        rules.append(("indicators_app", "plantracker.console", "bench"))
    if rel.startswith("indicators_app/"):
        rules.append(("plantracker.console", "bench"))
    if rel.startswith("plantracker/api/") or rel in {
        "plantracker/errors.py",
        "plantracker/etags.py",
    }:
        rules.append(("tasks_app", "indicators_app", "plantracker.console"))
    edge = "/api/" in f"/{rel}" or rel in {"plantracker/api_urls.py"} or "/settings/" in rel
    if not edge:
        rules.append(DRF_PACKAGES)
    names = imported_names(path)
    return sorted(n for n in names for rule in rules if _under(n, *rule))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_point_one_way(path: Path) -> None:
    assert forbidden_imports(path) == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The rule itself: a tasks_app service importing indicators_app or DRF is caught."""
    fake = ROOT / "tasks_app" / "workflow" / "services" / "_layering_probe.py"
    fake.write_text(
        "def f():\n    from indicators_app.models import Indicator\n"
        "from rest_framework.exceptions import ValidationError\n"
    )
    try:
        assert forbidden_imports(fake) == [
            "indicators_app.models",
            "indicators_app.models.Indicator",
            "rest_framework.exceptions",
            "rest_framework.exceptions.ValidationError",
        ]
    finally:
        fake.unlink()
