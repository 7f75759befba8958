"""Parser test helpers: the contract schema and a validator that also checks spans."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from hypothesis import strategies as st

from parsers.normalize import normalize_text, search_copy

SCHEMA_PATH = Path(
    os.environ.get(
        "REGWATCH_SCHEMA", Path(__file__).parents[2].parent / "shared/contract/document.schema.json"
    )
)
FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
CORPUS = Path(__file__).parent / "corpus"


@cache
def corpus_searches() -> tuple[tuple[str, str], ...]:
    """(file name, simplified search copy) of every plain-text corpus document."""
    return tuple(
        (p.name, search_copy(normalize_text(p.read_text(encoding="utf-8"))))
        for p in sorted(CORPUS.glob("*.txt"))
    )


def corpus_ranges(per_text: int = 100) -> list[tuple[str, int, int]]:
    """(search copy, start, stop): every line of every corpus text, and random ranges of it."""
    rng = random.Random(5)
    out = []
    for _, search in corpus_searches():
        pos = 0
        for line in search.split("\n"):
            out.append((search, pos, pos + len(line)))
            pos += len(line) + 1
        for _ in range(per_text):
            out.append((search, *sorted(rng.sample(range(len(search) + 1), 2))))
    return out


def texts_of(pieces: Iterable[str], max_size: int = 30) -> st.SearchStrategy[str]:
    """Texts made of ``pieces`` (a pattern's words, separators, near misses) in any order."""
    return st.lists(st.sampled_from(list(pieces)), max_size=max_size).map("".join)


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
