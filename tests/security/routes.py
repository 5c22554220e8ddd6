"""Every route of the URL conf with the HTTP methods its view answers.

The authorization matrix is checked against this list, so a route added to the URL conf
without a row in the matrix fails the test that compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    route: str  # the full pattern, e.g. "api/v1/tasks/<int:pk>/"
    name: str | None
    callback: Callable[..., Any]

    @property
    def methods(self) -> tuple[str, ...]:
        return view_methods(self.callback)


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield Route(prefix + str(pattern.pattern), name, pattern.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", ""))


def routes_under(prefix: str) -> list[Route]:
    return [r for r in all_routes() if r.route.startswith(prefix)]


def _declared_methods(func: Callable[..., Any]) -> tuple[str, ...] | None:
    """Methods named by Django's require_http_methods somewhere in the decorator chain."""
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, list | tuple) and value and all(m in METHODS for m in value):
                return tuple(value)
        func = getattr(func, "__wrapped__", None)
    return None


def view_methods(callback: Callable[..., Any]) -> tuple[str, ...]:
    """GET/POST/PUT/PATCH/DELETE the view implements (class views) or declares (functions)."""
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        allowed = getattr(view_class, "http_method_names", [m.lower() for m in METHODS])
        return tuple(m for m in METHODS if m.lower() in allowed and hasattr(view_class, m.lower()))
    return _declared_methods(callback) or ("GET",)
