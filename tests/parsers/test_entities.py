"""Entity-list decisions: inline and numbered lists, lists, actions, countries, spans."""

from parsers.entities import find_entities


def rows(text: str) -> list[tuple]:
    return [(e.name_zh, e.name_en, e.country, e.list, e.action) for e in find_entities(text)]


def test_inline_list_with_country_from_the_sentence() -> None:
    text = (
        "根据《中华人民共和国出口管制法》等有关规定，决定将以下3家美国实体列入出口管制管控名单："
        "通用原子航空系统公司（General Atomics Aeronautical Systems, Inc.）、"
        "通用动力陆地系统公司（General Dynamics Land Systems）、Recorded Future, Inc.。\n"
    )
    assert rows(text) == [
        (
            "通用原子航空系统公司",
            "General Atomics Aeronautical Systems, Inc.",
            "US",
            "control_list",
            "add",
        ),
        ("通用动力陆地系统公司", "General Dynamics Land Systems", "US", "control_list", "add"),
        (None, "Recorded Future, Inc.", "US", "control_list", "add"),
    ]


def test_inline_before_the_verb() -> None:
    text = "工作机制决定将甲防务公司（Alpha Defense Corp.）、乙系统公司（Beta Systems LLC）列入不可靠实体清单。\n"
    assert [r[:2] for r in rows(text)] == [
        ("甲防务公司", "Alpha Defense Corp."),
        ("乙系统公司", "Beta Systems LLC"),
    ]
    assert {r[3:] for r in rows(text)} == {("unreliable_entity", "add")}


def test_numbered_annex_with_address_lines() -> None:
    text = (
        "商务部决定将下列实体列入关注名单（见附件）。\n"
        "附件\n关注名单\n"
        "1. 甲研究所（Alpha Research Institute）\n地 址：德国柏林某街1号\n"
        "2. 乙大学（Beta University）\n常用名称：乙大\n地址：日本东京某区2号\n"
    )
    assert rows(text) == [
        ("甲研究所", "Alpha Research Institute", "DE", "watch_list", "add"),
        ("乙大学", "Beta University", "JP", "watch_list", "add"),
    ]


def test_removal() -> None:
    text = "经审查，决定将丙科技公司（Gamma Tech Ltd.）移出出口管制管控名单。\n"
    assert rows(text) == [("丙科技公司", "Gamma Tech Ltd.", None, "control_list", "remove")]


def test_legal_basis_sentence_alone_decides_nothing() -> None:
    assert rows("根据《不可靠实体清单规定》第二条的规定，制定本办法。\n") == []


def test_no_entities_in_ordinary_text() -> None:
    assert rows("商务部新闻发言人表示，中方愿与各方加强沟通。\n") == []


def test_spans_cover_the_name() -> None:
    text = "决定将甲防务公司（Alpha Defense Corp.）列入不可靠实体清单。\n"
    (e,) = find_entities(text)
    assert text[e.span[0] : e.span[1]].startswith("甲防务公司")
    assert "Alpha Defense Corp." in text[e.span[0] : e.span[1]]
