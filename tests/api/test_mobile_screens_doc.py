"""docs/mobile-screens.md's examples are what the server sends (the checks of
test_mobile_doc.py, on this page)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openapi_schema_validator import OAS30Validator

from tests.api.test_mobile_doc import EXAMPLE, REQUEST, _resolved
from tests.openapi import served_schema

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "mobile-screens.md"


def test_every_example_matches_its_schema_component() -> None:
    schema = served_schema()
    examples = EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert {name for name, _ in examples} >= {"MyWork", "ProgressReport", "Tombstone"}
    for name, body in examples:
        OAS30Validator(_resolved(schema, name)).validate(json.loads(body))


def test_every_request_line_is_an_operation() -> None:
    paths = served_schema()["paths"]
    requests = REQUEST.findall(DOC.read_text(encoding="utf-8"))
    assert len(requests) >= 3
    for method, path in requests:
        concrete = path.split("?")[0]
        match = [
            template
            for template in paths
            if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), concrete)
        ]
        assert match and method.lower() in paths[match[0]], f"{method} {path}"
