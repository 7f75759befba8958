"""Entity-list decisions: inline and numbered lists, lists, actions, countries, spans."""

from hypothesis import given, settings

from parsers import parse_text
from parsers.entities import (
    LIST_RE,
    SENTENCE_RE,
    _action,
    _basis_only,
    decisions,
    find_entities,
)
from tests.parsers.conftest import corpus_searches, texts_of


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


def test_a_country_at_the_start_of_a_name_stays_in_the_name() -> None:
    text = "决定将以下2家美国实体列入出口管制管控名单：美国光子公司（American Photonics）、Echodyne。\n"
    assert rows(text) == [
        ("美国光子公司", "American Photonics", "US", "control_list", "add"),
        (None, "Echodyne", "US", "control_list", "add"),
    ]


def test_chinese_names_may_hold_latin_letters() -> None:
    text = (
        "决定将以下实体列入不可靠实体清单：\n1. Exelis公司（Exelis Inc.）\n2. 甲公司（Alpha LLC）\n"
    )
    assert [r[:2] for r in rows(text)] == [("Exelis公司", "Exelis Inc."), ("甲公司", "Alpha LLC")]


def test_a_colon_after_a_later_clause_does_not_open_the_list() -> None:
    text = (
        "工作机制决定，将甲公司（Alpha Inc.）、Beta公司（Beta LLC）等2家外国实体及其分支机构"
        "列入不可靠实体清单，并采取以下处理措施：\n一、禁止其从事进出口活动。\n"
    )
    assert [r[:2] for r in rows(text)] == [("甲公司", "Alpha Inc."), ("Beta公司", "Beta LLC")]


def test_measures_on_an_already_listed_entity() -> None:
    text = (
        "一、对已列入不可靠实体清单的美国实体甲防务公司（Alpha Defense Inc.）追加以下处理措施："
        "禁止其高级管理人员入境；禁止中国境内的组织、个人与其开展有关交易。\n"
        "二、将美国实体乙公司（Beta LLC）列入不可靠实体清单。\n"
    )
    assert rows(text) == [
        ("甲防务公司", "Alpha Defense Inc.", "US", "unreliable_entity", "measure"),
        ("乙公司", "Beta LLC", "US", "unreliable_entity", "add"),
    ]


def test_removal_of_an_entity_named_before_the_pronoun() -> None:
    text = (
        "经审查，列入出口管制管控名单的美国实体甲航空公司（Alpha Avionics Corp.）已提交说明，"
        "商务部决定将其移出出口管制管控名单。\n"
        "该附件所列乙公司（Beta Inc.）等其他实体继续适用原有措施。\n"
    )
    (e,) = find_entities(text)
    assert (e.name_zh, e.name_en, e.country, e.list, e.action) == (
        "甲航空公司",
        "Alpha Avionics Corp.",
        "US",
        "control_list",
        "remove",
    )
    assert text[e.span[0] : e.span[1]] == "甲航空公司（Alpha Avionics Corp.）"


def test_traditional_copy_gives_the_same_entities_written_as_the_document_writes_them() -> None:
    hans = (
        "不可靠实体清单工作机制公告〔2025〕10号\n关于将贝宜系统股份有限公司等2家外国实体列入不可靠实体清单的公告\n"
        "不可靠实体清单工作机制决定，将以下2家外国实体列入不可靠实体清单：\n"
        "1. 贝宜系统股份有限公司（BAE Systems, Inc.）\n2. 哈利法克斯国际安全论坛（Halifax Forum）\n"
    )
    hant = (
        "不可靠實體清單工作機制公告〔2025〕10號\n關於將貝宜系統股份有限公司等2家外國實體列入不可靠實體清單的公告\n"
        "不可靠實體清單工作機制決定，將以下2家外國實體列入不可靠實體清單：\n"
        "1. 貝宜系統股份有限公司（BAE Systems, Inc.）\n2. 哈利法克斯國際安全論壇（Halifax Forum）\n"
    )
    got = {
        text: [
            (e["name_zh"], e["name_en"], e["list"], e["action"])
            for e in parse_text(text).to_dict()["entities"]
        ]
        for text in (hans, hant)
    }
    assert [(zh, *rest) for zh, *rest in got[hant]] == [
        ("貝宜系統股份有限公司", "BAE Systems, Inc.", "unreliable_entity", "add"),
        ("哈利法克斯國際安全論壇", "Halifax Forum", "unreliable_entity", "add"),
    ]
    assert [row[1:] for row in got[hant]] == [row[1:] for row in got[hans]]


def test_names_without_english_need_an_organisation_word() -> None:
    text = (
        "商务部决定将以下3家日本实体列入出口管制管控名单：示例技术株式会社、样例重工合同会社、"
        "甲银行。\n"
    )
    assert rows(text) == [
        ("示例技术株式会社", None, "JP", "control_list", "add"),
        ("样例重工合同会社", None, "JP", "control_list", "add"),
        ("甲银行", None, "JP", "control_list", "add"),
    ]
    assert rows("商务部决定将甲、乙列入出口管制管控名单。\n") == []  # no organisation word


def _named_sentences(search: str) -> list[tuple[tuple[int, int], str]]:
    """(sentence, first list name) of each deciding sentence, each sentence searched alone."""
    out = []
    for a, b in (m.span() for m in SENTENCE_RE.finditer(search)):
        lst = LIST_RE.search(search[a:b])
        if lst and _action(search[a:b]) and not _basis_only(search[a:b]):
            out.append(((a, b), lst.group()))
    return out


def _decided(search: str) -> list[tuple[tuple[int, int], str]]:
    return [(d.span, LIST_RE.search(search, *d.span).group()) for d in decisions(search)]


LIST_PIECES = [
    *("不可靠实体清单", "管控名单", "出口管制关注名单", "Watch List", "control list"),
    *("列入", "移出", "决定将", "甲公司（A Inc.）", "根据", "、", "。", "\n", "x"),
]


@settings(max_examples=200, deadline=None)
@given(texts_of(LIST_PIECES, 25))
def test_one_scan_reads_the_sentences_a_search_per_sentence_reads(text: str) -> None:
    assert _decided(text) == _named_sentences(text)


def test_one_scan_reads_the_corpus_decisions() -> None:
    for name, search in corpus_searches():
        assert _decided(search) == _named_sentences(search), name
