"""Golden files: each fixture document beside the exact record the parser must produce.

Regenerate after an intended parser change with ``REGWATCH_REGEN_GOLDEN=1 pytest tests/parsers``
and review the diff before committing.
"""

from __future__ import annotations

import json
import os

import pytest

from parsers import parse_file
from tests.parsers.conftest import FIXTURES, GOLDEN

CASES = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in {".html", ".txt"})
REGEN = os.environ.get("REGWATCH_REGEN_GOLDEN") == "1"


def record_for(name: str) -> dict:
    return parse_file((FIXTURES / name).read_bytes(), name).to_dict()


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, validate) -> None:
    got = record_for(name)
    validate(got)
    path = GOLDEN / f"{name}.json"
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got == expected


@pytest.mark.parametrize("name", CASES)
def test_spans_hold_their_facts(name: str) -> None:
    rec = record_for(name)
    text = rec["text"]
    for n in rec["numbers"]:
        assert text[slice(*n["span"])] == n["text"]
    for e in rec["effective"]:
        evidence = text[slice(*e["span"])]
        if e["basis"] == "fixed":
            assert str(int(e["date"][8:])) in evidence
        else:
            assert any(w in evidence for w in ("公布", "发布", "發布", "即日", "promulgation"))
    for s in rec["suspensions"]:
        evidence = text[slice(*s["span"])]
        assert "暂停" in evidence or "暫停" in evidence
        assert str(s["target"]["seq"]) in evidence
        assert s["until"] is None or s["until"][:4] in evidence
    for r in rec["references"]:
        assert str(r["target"]["seq"]) in text[slice(*r["span"])]


def facts(name: str) -> dict:
    rec = record_for(name)
    return {
        "kind": rec["kind"],
        "language": rec["language"],
        "own": [(n["year"], n["seq"], n["type"], n["issuers"]) for n in rec["numbers"]],
        "publish_date": rec["publish_date"],
        "effective": [(e["date"], e["basis"]) for e in rec["effective"]],
    }


# Hand-checked facts per fixture, so a careless golden regeneration still fails loudly.
EXPECTED_FACTS = {
    "mofcom_58.html": (
        "announcement",
        "zh-Hans",
        [(2025, 58, "公告", ["商务部", "海关总署"])],
        "2025-10-09",
        [("2025-11-08", "fixed")],
    ),
    "gbk_62.html": (
        "announcement",
        "zh-Hans",
        [(2025, 62, "公告", ["商务部"])],
        "2025-10-09",
        [("2025-10-09", "on_publication")],
    ),
    "hant_70.txt": (
        "announcement",
        "zh-Hant",
        [(2025, 70, "公告", ["商务部", "海关总署"])],
        "2025-11-07",
        [("2025-11-07", "on_publication")],
    ),
    "uel_10.txt": (
        "entity_list",
        "zh-Hans",
        [(2025, 10, "公告", ["不可靠实体清单工作机制"])],
        "2025-10-09",
        [("2025-10-09", "on_publication")],
    ),
    "order_2024_1.txt": (
        "announcement",
        "zh-Hans",
        [(2024, 1, "令", ["商务部"])],
        "2024-03-15",
        [("2024-04-14", "relative")],
    ),
    "english_61.html": (
        "announcement",
        "en",
        [(2025, 61, "公告", ["商务部"])],
        "2025-10-09",
        [("2025-12-01", "fixed"), ("2025-10-09", "on_publication")],
    ),
    "mofcom_news.html": ("qa", "zh-Hans", [], "2025-10-09", []),
    # the 2025-12-01 date there belongs to announcement 61, not to the article
    "news_guancha.txt": ("news", "zh-Hans", [], None, []),
    "waf_412.html": ("other", "en", [], None, []),
    "portal_shell.html": ("other", "zh-Hans", [], None, []),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FACTS))
def test_hand_checked_facts(name: str) -> None:
    kind, lang, own, published, effective = EXPECTED_FACTS[name]
    assert facts(name) == {
        "kind": kind,
        "language": lang,
        "own": own,
        "publish_date": published,
        "effective": effective,
    }


def test_suspension_announcement_targets_six_documents() -> None:
    rec = record_for("hant_70.txt")
    assert [s["target"]["seq"] for s in rec["suspensions"]] == [55, 56, 57, 58, 61, 62]
    assert {(s["from"], s["until"]) for s in rec["suspensions"]} == {("2025-11-07", "2026-11-10")}
    assert rec["suspensions"][4]["target"]["issuers"] == ["商务部"]
    relations = {r["target"]["seq"]: r["relation"] for r in rec["references"]}
    assert relations == {
        55: "suspends",
        56: "suspends",
        57: "suspends",
        58: "suspends",
        61: "suspends",
        62: "suspends",
        18: "cites",
    }


def test_order_repeals_and_cites() -> None:
    rec = record_for("order_2024_1.txt")
    got = [
        (r["target"]["type"], r["target"]["year"], r["target"]["seq"], r["relation"])
        for r in rec["references"]
    ]
    assert got == [("令", 2018, 3, "repeals"), ("公告", 2023, 31, "cites")]
    assert "中华人民共和国出口管制法" in rec["legal_basis"]


def test_waf_and_shell_records_say_why_they_are_empty() -> None:
    assert record_for("waf_412.html")["warnings"] == ["page_type waf: no document content"]
    assert record_for("portal_shell.html")["warnings"] == [
        "page_type portal_shell: no document content"
    ]
