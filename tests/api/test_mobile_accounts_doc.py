"""docs/mobile-accounts-push.md's examples are what the server sends (the checks of
tests/api/test_mobile_doc.py): every JSON block preceded by `<!-- schema: Name -->`
validates against that component of the served schema, and every `METHOD /api/v1/...`
request line names an operation of the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openapi_schema_validator import OAS30Validator

from tests.openapi import served_schema

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "mobile-accounts-push.md"
EXAMPLE = re.compile(r"<!-- schema: (\w+) -->\s*```json\n(.*?)```", re.S)
REQUEST = re.compile(r"^(GET|POST|PATCH|PUT|DELETE) (/api/v1/\S*)$", re.M)


def _resolved(schema: dict, name: str) -> dict:
    """The component with the document's components alongside, for $ref resolution."""
    return {**schema["components"]["schemas"][name], "components": schema["components"]}


def test_every_example_matches_its_schema_component() -> None:
    schema = served_schema()
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert len(examples) >= 9
    for name, body in examples:
        OAS30Validator(_resolved(schema, name)).validate(json.loads(body))


def test_every_request_line_is_an_operation() -> None:
    paths = served_schema()["paths"]
    requests = REQUEST.findall(DOC.read_text(encoding="utf-8"))
    assert len(requests) >= 5
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
