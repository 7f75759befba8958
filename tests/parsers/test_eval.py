"""The golden corpus as a ratchet: its size, contract-valid outputs, and per-field F1 floors.

``eval_floor.json`` holds the F1 that ``make eval`` reached per field and the macro average
(rounded down to 3 decimals). A parser change that makes any field worse fails here; a change
that makes one better should raise its floor in the same commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import opencc
import pytest

from parsers import parse_file
from parsers.normalize import to_simplified
from tests.parsers.evaluate import FIELDS, Case, cases, evaluate, macro_f1, parse_case, report

FLOOR_PATH = Path(__file__).parent / "eval_floor.json"
MIN_DOCUMENTS = 40
#: F1 values are ratios of integers; this only absorbs float noise, never a real drop.
EPSILON = 1e-9
CASES = cases()


@pytest.fixture(scope="module")
def floors() -> dict:
    return json.loads(FLOOR_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scores():
    return evaluate(CASES)


def test_corpus_is_big_enough_and_every_document_has_its_file() -> None:
    assert len(CASES) >= MIN_DOCUMENTS
    missing = [c.name for c in CASES if not c.path.is_file()]
    assert missing == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_parser_output_validates_against_the_contract(case: Case, validate) -> None:
    validate(parse_case(case))


def test_every_field_has_a_floor(floors: dict) -> None:
    assert set(floors["fields"]) == set(FIELDS)
    assert all(0.0 <= v <= 1.0 for v in [*floors["fields"].values(), floors["macro"]])


def test_no_field_drops_below_its_floor(scores, floors: dict) -> None:
    table = report(scores, len(CASES))
    below = {
        field: (round(scores[field].f1, 4), floor)
        for field, floor in floors["fields"].items()
        if scores[field].f1 + EPSILON < floor
    }
    assert below == {}, f"F1 below its floor (got, floor):\n{below}\n\n{table}"


def test_macro_f1_does_not_drop_below_its_floor(scores, floors: dict) -> None:
    assert macro_f1(scores) + EPSILON >= floors["macro"], report(scores, len(CASES))


def _facts(record: dict) -> dict[str, list]:
    """The measured facts; entity names compared in simplified characters (they are as written)."""
    out = {field: keys(record) for field, keys in FIELDS.items()}
    out["entities"] = [
        tuple(to_simplified(x) if isinstance(x, str) else x for x in key) for key in out["entities"]
    ]
    return out


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.expected["language"] == "zh-Hans"], ids=lambda c: c.name
)
def test_a_traditional_copy_gives_the_same_facts(case: Case) -> None:
    simplified = case.path.read_bytes()
    traditional = opencc.OpenCC("s2t").convert(simplified.decode("utf-8")).encode("utf-8")
    assert traditional != simplified
    hant = parse_file(traditional, case.path.name).to_dict()
    assert hant["language"] == "zh-Hant"
    assert _facts(hant) == _facts(parse_file(simplified, case.path.name).to_dict())
