"""Parser test helpers: the contract schema and a validator that also checks spans."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

SCHEMA_PATH = Path(
    os.environ.get(
        "REGWATCH_SCHEMA", Path(__file__).parents[2].parent / "shared/contract/document.schema.json"
    )
)
FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"


def all_spans(record: dict) -> list[tuple[str, list[int]]]:
    """Every (field, span) in a record dict, nested ones included."""
    found: list[tuple[str, list[int]]] = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k == "span":
                    found.append((where, v))
                else:
                    walk(v, f"{where}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i}]")

    walk({k: v for k, v in record.items() if k != "text"}, "")
    return found


@pytest.fixture(scope="session")
def validate():
    """Validate a record dict against the contract and check every span lies inside text."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)

    def check(record: dict) -> None:
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
        for where, (start, end) in all_spans(record):
            assert 0 <= start <= end <= len(record["text"]), (where, start, end)

    return check
