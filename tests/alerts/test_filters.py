"""Filters on change events: each facet includes and excludes; validation names the problem."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from alerts.errors import SubscriptionError
from alerts.events import EventView, InstrumentView
from alerts.filters import Filters
from tests.alerts.factory import ITEM_3A001, ITEM_3C901, facts

UEL_ENTITY = {
    "name_zh": "斯凯迪奥公司",
    "name_en": "Skydio Inc.",
    "country": "US",
    "list": "unreliable_entity",
    "action": "add",
}


def _event(kind: str = "document_added", **kw: Any) -> EventView:
    inst = InstrumentView(
        id=1,
        key="商务部/公告/2025/58",
        number_text="商务部 海关总署公告2025年第58号",
        issuers=("商务部", "海关总署"),
        kind=kw.pop("doc_kind", "announcement"),
        title=kw.pop("title", "公布对锂电池和人造石墨负极材料相关物项实施出口管制的决定"),
        publish_date=date(2025, 10, 9),
        facts=kw.pop("facts", facts(items=[ITEM_3A001, ITEM_3C901], elements=["Li"])),
        urls=(),
    )
    values: dict[str, Any] = {
        "id": 1,
        "kind": kind,
        "cause": "content",
        "run_id": 1,
        "detected_at": datetime(2025, 11, 7, tzinfo=UTC),
        "effective_on": None,
        "subject": None,
        "before": None,
        "after": None,
        "details": {},
        "summary_zh": "新公告",
        "summary_en": "New announcement",
        "instrument": inst,
    }
    values.update(kw)
    return EventView(**values)


def _match(event: EventView, **filters: Any) -> bool:
    return Filters.from_dict(filters).matches(event)


def test_empty_filter_matches_everything() -> None:
    assert Filters().matches(_event()) and Filters.from_dict(None).matches(_event("entity_listed"))


def test_event_and_document_kinds() -> None:
    assert _match(_event("item_added"), event_kinds=["item_added", "item_removed"])
    assert not _match(_event("document_changed"), event_kinds=["item_added"])
    assert _match(_event(doc_kind="entity_list"), doc_kinds=["entity_list"])
    assert not _match(_event(doc_kind="news"), doc_kinds=["announcement"])


def test_issuers_match_a_part_of_a_name_in_either_script() -> None:
    assert _match(_event(), issuers=["海关总署"])
    assert _match(_event(), issuers=["海關總署"])  # traditional
    assert not _match(_event(), issuers=["工业和信息化部"])


def test_code_prefixes_match_the_event_item_or_the_document_items() -> None:
    removed = _event(
        "item_removed",
        subject="1C902",
        before={"code": "1C902", "name": "x"},
        facts=facts(items=[]),
    )
    assert _match(removed, codes=["1C"]) and _match(removed, codes=["1"])
    assert not _match(removed, codes=["3A"])
    assert _match(_event(), codes=["3c901"])  # a document that lists 3C901.a.1
    assert not _match(_event(facts=facts()), codes=["3A"])


def test_elements_by_symbol_or_chinese_name() -> None:
    assert _match(_event(), elements=["Li"]) and _match(_event(), elements=["锂"])
    assert not _match(_event(), elements=["Ga"])


def test_entity_lists() -> None:
    listed = _event(
        "entity_listed",
        after=UEL_ENTITY,
        details={"list": "unreliable_entity"},
        facts=facts(entities=[UEL_ENTITY]),
    )
    assert _match(listed, entity_lists=["unreliable_entity"])
    assert not _match(listed, entity_lists=["control_list"])
    assert not _match(_event(), entity_lists=["unreliable_entity"])


@pytest.mark.parametrize(
    ("keyword", "hit"),
    [
        ("锂电池", True),
        ("鋰電池", True),  # traditional
        ("人造石墨", True),  # inside the domain term 人造石墨负极材料
        ("Announcement", True),  # English, case-insensitive
        ("稀土", False),
        ("电池 稀土", False),  # every word of a keyword is needed
    ],
)
def test_keywords_on_jieba_tokens(keyword: str, hit: bool) -> None:
    assert _match(_event(), keywords=[keyword]) is hit


def test_keyword_never_matches_across_two_words() -> None:
    # 出口管制 + 制度 does not contain the word 管制度 although the characters follow each other
    event = _event(title="出口管制制度", facts=facts())
    assert not _match(event, keywords=["制制"])


def test_facets_combine_with_and() -> None:
    event = _event("item_added", subject="3A001", after=ITEM_3A001)
    assert _match(event, codes=["3A"], keywords=["锂电池"])
    assert not _match(event, codes=["3A"], keywords=["稀土"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kinds": ["x"]}, "unknown filter(s) kinds"),
        ({"event_kinds": ["document_eaten"]}, "unknown value(s) document_eaten"),
        ({"doc_kinds": ["memo"]}, "doc_kinds: unknown value(s) memo"),
        ({"elements": ["Xx"]}, "neither an element symbol nor name"),
        ({"codes": [3]}, "must be a list of strings"),
    ],
)
def test_validation(data: dict[str, Any], message: str) -> None:
    with pytest.raises(SubscriptionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Filters.from_dict(data)


def test_round_trip_keeps_only_set_facets() -> None:
    f = Filters.from_dict({"codes": ["3a", "3a"], "elements": ["镓"], "keywords": ["稀土"]})
    assert f.to_dict() == {"codes": ["3A"], "elements": ["Ga"], "keywords": ["稀土"]}
    assert Filters.from_dict(f.to_dict()) == f
    assert f.describe() == "codes=3A; elements=Ga; keywords=稀土"
