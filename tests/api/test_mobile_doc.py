"""The mobile pages' examples are what the server sends (docs/mobile.md,
docs/mobile-screens.md, docs/mobile-accounts-push.md): every JSON block preceded by
`<!-- schema: Name -->` validates against that component of the served schema, and every
`METHOD /api/v1/...` request line names an operation of the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openapi_schema_validator import OAS30Validator

from tests.openapi import served_schema

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs"
# page → (the components its examples must at least show, the fewest request lines)
PAGES = {
    "mobile.md": ({"Tombstone"}, 5),
    "mobile-screens.md": ({"MyWork", "ProgressReport", "Tombstone"}, 3),
    "mobile-accounts-push.md": ({"PushDevice", "Me"}, 5),
}
EXAMPLE = re.compile(r"<!-- schema: (\w+) -->\s*```json\n(.*?)```", re.S)
REQUEST = re.compile(r"^(GET|POST|PATCH|PUT|DELETE) (/api/v1/\S*)$", re.M)


def _resolved(schema: dict, name: str) -> dict:
    """The component with the document's components alongside, for $ref resolution."""
    return {**schema["components"]["schemas"][name], "components": schema["components"]}


@pytest.mark.parametrize("page", PAGES)
def test_every_example_matches_its_schema_component(page: str) -> None:
    schema = served_schema()
    examples = EXAMPLE.findall((DOCS / page).read_text(encoding="utf-8"))
    assert {name for name, _ in examples} >= PAGES[page][0]
    for name, body in examples:
        OAS30Validator(_resolved(schema, name)).validate(json.loads(body))


@pytest.mark.parametrize("page", PAGES)
def test_every_request_line_is_an_operation(page: str) -> None:
    paths = served_schema()["paths"]
    requests = REQUEST.findall((DOCS / page).read_text(encoding="utf-8"))
    assert len(requests) >= PAGES[page][1]
    for method, path in requests:
        concrete = path.split("?")[0]
        match = [
            template
            for template in paths
            if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), concrete)
        ]
        assert match and method.lower() in paths[match[0]], f"{method} {path}"


def test_a_wrong_example_would_fail() -> None:
    schema = served_schema()
    with pytest.raises(Exception, match="required"):
        OAS30Validator(_resolved(schema, "Tombstone")).validate({"id": 1})
    with pytest.raises(Exception, match="is not one of"):
        OAS30Validator(_resolved(schema, "PushDevice")).validate(
            {
                "id": 1,
                "platform": "symbian",
                "token": "t",
                "app_version": "",
                "is_active": True,
                "created_at": "2025-01-01T00:00:00Z",
                "last_seen_at": "2025-01-01T00:00:00Z",
            }
        )
