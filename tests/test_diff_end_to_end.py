"""The diff layer end to end: the CLI crawls the mirror through its site states and the change
events, the control list as of chosen days and the comparisons come out exactly as the facts say.

States (``mirror/CONTENT.md``): 1 = 6 Nov 2025 (the 9 October package), 2 = 7 Nov 2025
(announcement 70 suspends 55–58, 61, 62; aqygzj republishes 70), 3 = 58 corrected, 4 = an aqygzj
news item delisted, 5 = 11 Nov 2026 (the suspension window has ended). Each crawl runs with
``--today`` set to the state's day, as the demo does.
"""

from __future__ import annotations

from collections import Counter

import pytest

pytestmark = pytest.mark.slow

PACKAGE = (55, 56, 57, 58, 61, 62)


def _key(seq: int) -> str:
    return f"商务部/公告/2025/{seq}"


def _crawl(cli, mirror, state: int, *extra: str) -> list[dict]:
    """Switch the mirror, crawl it for that day and return the new change events."""
    before = len(cli("changes", "--json").json())
    mirror.set_state(state)
    result = cli("--today", mirror.day, "run", "--no-progress", *extra)
    assert result.returncode == 0, result.stderr
    if "parsed 0 version(s)" not in result.stderr:
        # a parse pass names the parsers it runs (the checkout's sources: no build on the path)
        assert "stored version(s); parsers: interpreted from " in result.stderr
    return cli("changes", "--json").json()[before:]


def _not_routine(events: list[dict]) -> list[tuple]:
    """Events other than new documents and their items, as (kind, instrument, cause)."""
    return [
        (e["kind"], e["instrument"], e["cause"])
        for e in events
        if e["kind"] not in ("document_added", "item_added", "entity_listed")
    ]


def test_walk_through_the_site_states(cli, mirror) -> None:
    first = _crawl(cli, mirror, 1)
    added = {e["instrument"] for e in first if e["kind"] == "document_added"}
    assert {_key(s) for s in PACKAGE} <= added
    assert _not_routine(first) == []
    listed = [e for e in first if e["kind"] == "entity_listed"]
    assert len(listed) == 14
    assert {e["instrument"] for e in listed} == {"不可靠实体清单工作机制/公告/2025/10"}
    items_55 = [
        e["subject"] for e in first if e["kind"] == "item_added" and e["instrument"] == _key(55)
    ]
    assert items_55[:2] == ["2C902.a", "2C902.b"]

    second = _crawl(cli, mirror, 2)
    assert Counter(e["kind"] for e in second) == {"document_added": 3, "measure_suspended": 6}
    assert [e["instrument"] for e in second if e["kind"] == "document_added"].count(_key(70)) == 1
    suspended = [e for e in second if e["kind"] == "measure_suspended"]
    assert sorted(e["instrument"] for e in suspended) == sorted(_key(s) for s in PACKAGE)
    assert {e["cause"] for e in suspended} == {"content"}
    assert {(e["after"]["since"], e["after"]["until"]) for e in suspended} == {
        ("2025-11-07", "2026-11-10")
    }
    assert all(
        "暂停实施" in e["summary_zh"] and "No. 70 of 2025" in e["summary_en"] for e in suspended
    )

    third = _crawl(cli, mirror, 3, "--revisit", "all")
    assert _not_routine(third) == [
        ("document_changed", _key(58), "content"),
        ("item_changed", _key(58), "content"),
    ]
    changed = third[-1]
    assert (changed["before"]["code"], changed["after"]["code"]) == ("3C902.b.2", "3C901.b.2")
    assert "3C901.b.2" in third[0]["details"]["text_diff"]

    fourth = _crawl(cli, mirror, 4, "--revisit", "all")
    assert [(e["kind"], e["cause"]) for e in fourth] == [("document_delisted", "site")]

    fifth = _crawl(cli, mirror, 5)
    resumed = [e for e in fifth if e["kind"] == "measure_resumed"]
    assert sorted(e["instrument"] for e in resumed) == sorted(_key(s) for s in PACKAGE)
    assert {(e["cause"], e["effective_on"]) for e in resumed} == {("time", "2026-11-11")}
    assert Counter(e["kind"] for e in fifth) == {"measure_resumed": 6, "document_added": 2}

    replay = cli("--today", "2026-11-11", "process")
    assert replay.returncode == 0, replay.stderr
    assert "0 change event(s)" in replay.stderr
    events = cli("changes", "--json").json()
    assert len({e["id"] for e in events}) == len(events)


def test_control_list_as_of_chosen_days(cli, mirror) -> None:
    _crawl(cli, mirror, 1)
    _crawl(cli, mirror, 2)
    rows = cli("controls", "--as-of", "2025-11-20", "--json").json()
    by_instrument: dict[str, set[tuple]] = {}
    for r in rows:
        by_instrument.setdefault(r["instrument_key"], set()).add(
            (r["status"], r["status_by"], r["until"])
        )
    suspended = {("suspended", "商务部 海关总署公告2025年第70号", "2026-11-10")}
    for seq in (55, 56, 57, 58):
        assert by_instrument[_key(seq)] == suspended, seq
    assert by_instrument[_key(18)] == {("in_force", "商务部 海关总署公告2025年第18号", None)}
    battery = next(r for r in rows if r["code"] == "3A001")
    assert battery["hs_codes"] == ["85076000"]
    assert battery["thresholds"][0]["value"] == 300 and battery["thresholds"][0]["unit"] == "Wh/kg"
    assert battery["url"].startswith("https://www.mofcom.gov.cn/")

    before = {
        r["item_key"]: r["status"]
        for r in cli("controls", "--as-of", "2025-11-06", "--json").json()
    }
    assert {before[k] for k in before if k.startswith(_key(58) + "|")} == {"pending"}
    assert not any(k.startswith(_key(70)) for k in before)

    diffs = cli("controls", "--compare", "2025-11-06", "2026-11-11", "--json").json()
    changed_58 = [d for d in diffs if d["key"].startswith(_key(58) + "|")]
    assert changed_58 and {d["change"] for d in changed_58} == {"changed"}
    assert all(
        d["before"].startswith("pending") and d["after"].startswith("in_force") for d in changed_58
    )
    csv = cli("controls", "--as-of", "2025-11-20", "--csv", "--code", "3A")
    assert csv.stdout.splitlines()[0].startswith("code,name,hs_codes,status")
    assert all(line.startswith("3A") for line in csv.stdout.splitlines()[1:])


def test_diff_command_shows_the_clause_of_the_correction(cli, mirror) -> None:
    _crawl(cli, mirror, 1)
    _crawl(cli, mirror, 3, "--revisit", "all")
    docs = cli("list", "--json", "-n", "200").json()
    doc_58 = next(d for d in docs if d["number"] and "第58" in d["number"])
    out = cli("diff", str(doc_58["id"]))
    assert out.returncode == 0, out.stderr
    assert "-2. 3C902.b.2" in out.stdout and "+2. 3C901.b.2" in out.stdout
    assert "clause 一(三)" in out.stdout
    assert cli("diff", "999999").returncode == 1


def test_entity_lists_as_of_chosen_days(cli, mirror) -> None:
    _crawl(cli, mirror, 1)
    assert cli("entities", "--as-of", "2025-10-08", "--json").json() == []
    rows = cli("entities", "--as-of", "2025-11-20", "--list", "unreliable_entity", "--json").json()
    assert len(rows) == 14
    assert {(r["status"], r["instrument"]) for r in rows} == {
        ("in_force", "不可靠实体清单工作机制公告〔2025〕10号")
    }
    names = {r["name_en"] for r in rows}
    assert {"Dedrone by Axon", "TechInsights Inc.", "Recorded Future, Inc."} <= names
    diffs = cli("entities", "--compare", "2025-10-08", "2025-10-09", "--json").json()
    assert len(diffs) == 14 and {d["change"] for d in diffs} == {"added"}
