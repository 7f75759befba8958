"""Facts and their diff: keys, what counts as a change, what does not (pure)."""

from __future__ import annotations

from db.facts import diff_facts, facts_hash, facts_of, instrument_key, keyed_items, number_key
from tests.db import records as R


def kinds(drafts) -> list[tuple[str, str | None]]:
    return [(d.kind, d.subject) for d in drafts]


def test_keys_follow_the_number_series() -> None:
    assert instrument_key(R.record(58)) == "商务部/公告/2025/58"
    assert instrument_key(R.record(61, issuers=("商务部",))) == "商务部/公告/2025/61"
    uel = R.record(10, issuers=("不可靠实体清单工作机制",))
    assert instrument_key(uel) == "不可靠实体清单工作机制/公告/2025/10"
    assert instrument_key(R.record(None, kind="news")) is None
    assert (
        number_key({"issuers": None, "type": None, "year": 2025, "seq": 55})
        == "商务部/公告/2025/55"
    )
    assert number_key({"year": None, "seq": 55}) is None


def test_spans_and_volatile_fields_do_not_count() -> None:
    a = R.record(58, items=R.battery_items())
    b = R.edited(a, url="https://elsewhere", warnings=["x"], summary_en="other")
    b["items"][0]["span"] = [100, 200]
    assert facts_hash(facts_of(a)) == facts_hash(facts_of(b))
    assert diff_facts(facts_of(a), facts_of(b)) == []


def test_new_instrument_lists_its_items_and_entities() -> None:
    rec = R.record(58, items=R.battery_items(), entities=[R.entity("甲公司", "Alpha Inc.")])
    assert kinds(diff_facts(None, facts_of(rec))) == [
        ("document_added", "公告"),
        ("item_added", "3A001"),
        ("item_added", "3B901.a.1"),
        ("entity_listed", "甲公司（Alpha Inc.）"),
    ]


def test_threshold_edit_is_a_threshold_change_of_that_item() -> None:
    old = R.record(58, items=R.battery_items())
    items = R.battery_items()
    items[0]["thresholds"] = [R.threshold(">=", 250, "Wh/kg", "重量能量密度")]
    drafts = diff_facts(facts_of(old), facts_of(R.edited(old, items=items, text="新正文")))
    assert kinds(drafts) == [("document_changed", "公告"), ("threshold_changed", "3A001")]
    assert drafts[0].details["fields"] == ["text_sha256", "items"]
    assert drafts[1].before[0]["value"] == 300 and drafts[1].after[0]["value"] == 250


def test_code_correction_is_an_item_change_not_remove_and_add() -> None:
    old = R.record(58, items=[R.item("3C902.b.2", "混合负极材料", clause="一(三)2")])
    new = R.edited(old, items=[R.item("3C901.b.2", "混合负极材料", clause="一(三)2")])
    drafts = diff_facts(facts_of(old), facts_of(new))
    assert kinds(drafts) == [("document_changed", "公告"), ("item_changed", "3C901.b.2")]
    assert drafts[1].details == {"fields": ["code"]}


def test_items_removed_and_added() -> None:
    old = R.record(58, items=R.battery_items())
    new = R.edited(old, items=[R.battery_items()[0], R.item("3B901.a.2", "叠片机")])
    assert kinds(diff_facts(facts_of(old), facts_of(new)))[1:] == [
        ("item_removed", "3B901.a.1"),
        ("item_added", "3B901.a.2"),
    ]


def test_repeated_codes_get_their_own_keys() -> None:
    items = [R.item("1C909.a", "金属钬"), R.item("1C909.a", "含钬的合金")]
    assert list(keyed_items(items)) == ["1C909.a", "1C909.a#2"]


def test_entity_delisting_and_edits() -> None:
    old = R.record(
        10, kind="entity_list", entities=[R.entity("甲", "Alpha"), R.entity("乙", "Beta")]
    )
    new = R.edited(old, entities=[R.entity("甲", "Alpha")])
    assert kinds(diff_facts(facts_of(old), facts_of(new)))[1:] == [
        ("entity_delisted", "乙（Beta）")
    ]
    removal = R.record(11, kind="entity_list", entities=[R.entity("甲", "Alpha", action="remove")])
    assert kinds(diff_facts(None, facts_of(removal)))[1:] == [("entity_delisted", "甲（Alpha）")]
