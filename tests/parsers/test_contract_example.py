"""The contract's own example: the parser must reproduce it from its text."""

import json

from parsers import parse_text
from tests.parsers.conftest import SCHEMA_PATH

EXAMPLE = SCHEMA_PATH.parent / "example-announcement.json"
FIELDS = (
    "kind",
    "language",
    "title",
    "numbers",
    "publish_date",
    "effective",
    "suspensions",
    "references",
    "legal_basis",
    "text",
    "schema_version",
)


def test_example_text_gives_example_record(validate) -> None:
    expected = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    got = parse_text(expected["text"]).to_dict()
    validate(got)
    for name in FIELDS:
        assert got[name] == expected[name], name
    assert got["summary_en"].startswith("MOFCOM/GAC Announcement No. 58 of 2025")
    assert "effective 2025-11-08" in got["summary_en"]
    assert got["warnings"] == []
