"""Document numbers in every written form, and own-number vs reference decisions."""

import pytest
from hypothesis import given, settings

from parsers import parse_text
from parsers.normalize import normalize_text, search_copy
from parsers.numbers import NUMBER_RE, _numbers_in, cn_to_int, find_numbers
from tests.parsers.conftest import corpus_searches, texts_of


def numbers(raw: str) -> list[tuple]:
    text = normalize_text(raw).rstrip("\n")
    found = find_numbers(text, search_copy(text))
    for m in found:
        assert text[m.span[0] : m.span[1]] == m.text
    return [(m.text, m.issuers, m.type, m.year, m.seq) for m in found]


MOF, GAC = "商务部", "海关总署"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "商务部 海关总署公告2025年第58号",
            ("商务部 海关总署公告2025年第58号", (MOF, GAC), "公告", 2025, 58),
        ),
        (
            "商务部、海关总署公告2025年第55号",
            ("商务部、海关总署公告2025年第55号", (MOF, GAC), "公告", 2025, 55),
        ),
        (
            "商务部海关总署公告2025年第56号",
            ("商务部海关总署公告2025年第56号", (MOF, GAC), "公告", 2025, 56),
        ),
        ("见商务部公告2025第62号。", ("商务部公告2025第62号", (MOF,), "公告", 2025, 62)),
        (
            "【发布文号】商务部 海关总署公告2025年第58\n",
            ("商务部 海关总署公告2025年第58", (MOF, GAC), "公告", 2025, 58),
        ),
        (
            "不可靠实体清单工作机制公告〔2025〕10号",
            (
                "不可靠实体清单工作机制公告〔2025〕10号",
                ("不可靠实体清单工作机制",),
                "公告",
                2025,
                10,
            ),
        ),
        (
            "不可靠實體清單工作機制〔2025〕10號",
            ("不可靠實體清單工作機制〔2025〕10號", ("不可靠实体清单工作机制",), None, 2025, 10),
        ),
        ("公告（2025）第70號", ("公告（2025）第70號", (), "公告", 2025, 70)),
        ("商務部公告第61號", ("商務部公告第61號", (MOF,), "公告", None, 61)),
        (
            "《商務部公告 2025 年第 61 號》",
            ("商務部公告 2025 年第 61 號", (MOF,), "公告", 2025, 61),
        ),
        ("商务部公告２０２５年第６１号", ("商务部公告2025年第61号", (MOF,), "公告", 2025, 61)),
        ("商务部公告二〇二五年第一号", ("商务部公告二〇二五年第一号", (MOF,), "公告", 2025, 1)),
        ("商务部令2024年第1号", ("商务部令2024年第1号", (MOF,), "令", 2024, 1)),
        (
            "中华人民共和国商务部令2024年第1号",
            ("中华人民共和国商务部令2024年第1号", (MOF,), "令", 2024, 1),
        ),
        ("依照61号公告办理", ("61号公告", (), "公告", None, 61)),
        ("依照2025年第18号公告", ("2025年第18号公告", (), "公告", 2025, 18)),
        ("Announcement No. 61 of 2025", ("Announcement No. 61 of 2025", (), "公告", 2025, 61)),
        (
            "MOFCOM Announcement [2025] No. 61",
            ("MOFCOM Announcement [2025] No. 61", (MOF,), "公告", 2025, 61),
        ),
        (
            "MOFCOM and GAC Announcement No. 58 of 2025",
            ("MOFCOM and GAC Announcement No. 58 of 2025", (MOF, GAC), "公告", 2025, 58),
        ),
        ("see Announcement 70/2025.", ("Announcement 70/2025", (), "公告", 2025, 70)),
        ("MOFCOM Order No. 1 of 2024", ("MOFCOM Order No. 1 of 2024", (MOF,), "令", 2024, 1)),
    ],
)
def test_single_number_forms(raw: str, expected: tuple) -> None:
    assert numbers(raw) == [expected]


def test_continuation_list_inherits_issuers_type_and_year() -> None:
    got = numbers("商务部 海关总署公告2025年第55号、第56号和第57号及商务部公告2025年第61号")
    assert [(g[1], g[3], g[4]) for g in got] == [
        ((MOF, GAC), 2025, 55),
        ((MOF, GAC), 2025, 56),
        ((MOF, GAC), 2025, 57),
        ((MOF,), 2025, 61),
    ]
    assert got[1][0] == "第56号"


@pytest.mark.parametrize(
    "raw",
    [
        "2025年第一批名单",
        "附件第1号",
        "第3号令牌",
        "2025年10月9日",
        "商务部公告2025年第58批",
        "第一季度",
        "No. 5",
    ],
)
def test_things_that_are_not_numbers(raw: str) -> None:
    assert numbers(raw) == []


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("61", 61),
        ("六十一", 61),
        ("十", 10),
        ("十五", 15),
        ("二〇二五", 2025),
        ("一百零五", 105),
        ("一", 1),
        ("", None),
        ("abc", None),
    ],
)
def test_cn_to_int(raw: str, value: int | None) -> None:
    assert cn_to_int(raw) == value


def relations(body: str) -> list[tuple]:
    rec = parse_text("商务部公告2025年第80号\n" + body).to_dict()
    assert [n["seq"] for n in rec["numbers"]] == [80]
    return [(r["target"]["year"], r["target"]["seq"], r["relation"]) for r in rec["references"]]


@pytest.mark.parametrize(
    ("body", "relation"),
    [
        ("商务部公告2024年第3号规定的措施自即日起暂停实施。", "suspends"),
        ("商务部公告2024年第3号同时废止。", "repeals"),
        ("对商务部公告2024年第3号作如下修改。", "amends"),
        ("本公告代替商务部公告2024年第3号。", "supersedes"),
        ("根据商务部公告2024年第3号，现就实施有关事项公告如下。", "implements"),
        ("商务部公告2024年第3号已对此作出规定。", "cites"),
        ("商务部公告2024年第3号附件第1项相应删除。", "amends"),
        (
            "根据《中华人民共和国出口管制法》和《某某物项管理办法》（商务部公告2024年第3号）有关规定。",
            "implements",
        ),
    ],
)
def test_relation_comes_from_the_sentence(body: str, relation: str) -> None:
    assert relations(body) == [(2024, 3, relation)]


def test_short_reference_takes_the_documents_year() -> None:
    assert relations("按照第18号公告执行。") == [(2025, 18, "implements")]
    assert relations("参见61号公告。") == [(2025, 61, "cites")]


def test_mentions_of_the_own_number_are_not_references() -> None:
    assert relations("商务部公告2025年第80号自发布之日起实施。") == []


def test_own_number_from_header_line_wins_over_title() -> None:
    rec = parse_text("发布文号：商务部公告2025年第61号\n根据商务部公告2025年第18号制定。").to_dict()
    assert [n["seq"] for n in rec["numbers"]] == [61]
    assert [r["target"]["seq"] for r in rec["references"]] == [18]


def test_qa_title_mentioning_a_number_has_no_own_number() -> None:
    rec = parse_text("商务部新闻发言人就商务部公告2025年第61号答记者问\n问：请介绍情况。").to_dict()
    assert rec["numbers"] == []
    assert rec["kind"] == "qa"
    assert [r["target"]["seq"] for r in rec["references"]] == [61]


def test_own_number_without_year_takes_publication_year_with_warning() -> None:
    rec = parse_text("商务部公告第61号\n正文。\n商务部\n2025年10月9日").to_dict()
    assert [(n["year"], n["seq"]) for n in rec["numbers"]] == [(2025, 61)]
    assert any("inferred" in w for w in rec["warnings"])


def test_news_only_cites_and_reports_no_dates_of_its_own() -> None:
    rec = parse_text(
        "陆暂停实施多项出口管制措施\n2025-11-07 21:40 联合报／ 综合报导\n"
        "大陆商务部7日发布公告（2025）第70号，宣布商务部公告2025年第61号自即日起暂停实施，"
        "至2026年11月10日。"
        "该公告自发布之日起实施。\n"
    ).to_dict()
    assert rec["kind"] == "news"
    got = [(r["target"]["year"], r["target"]["seq"], r["relation"]) for r in rec["references"]]
    assert got == [(2025, 70, "cites"), (2025, 61, "cites")]
    assert rec["suspensions"] == []
    assert rec["effective"] == []


def test_own_number_without_type_takes_the_type_the_title_names() -> None:
    rec = parse_text(
        "不可靠实体清单工作机制〔2025〕10号\n关于将某公司列入不可靠实体清单的公告\n正文。\n"
        "不可靠实体清单工作机制\n2025年10月9日\n"
    ).to_dict()
    assert [(n["seq"], n["type"]) for n in rec["numbers"]] == [(10, "公告")]
    rec = parse_text(
        "某机构〔2025〕10号\n公布对某物项实施管制的决定\n正文。\n2025年10月9日\n"
    ).to_dict()
    assert [n["type"] for n in rec["numbers"]] in ([], ["其他"])


def test_a_bare_number_takes_the_type_its_list_ends_with() -> None:
    got = [(m.seq, m.type) for m in find_numbers("商务部分别发布第21号和第22号公告，将")]
    assert got == [(21, "公告"), (22, "公告")]
    assert find_numbers("附件第1号和第2号。") == []  # no type word: no document


def test_english_number_lists_take_the_type_of_their_sentence() -> None:
    text = "Four announcements issued with Customs, No. 55, No. 56 and No. 58, cover materials."
    got = [(m.text, m.type, m.year, m.seq) for m in find_numbers(text)]
    assert got == [
        ("No. 55", "公告", None, 55),
        ("No. 56", "公告", None, 56),
        ("No. 58", "公告", None, 58),
    ]
    got = [(m.year, m.seq) for m in find_numbers("Announcements Nos. 55 and 56 of 2025 apply.")]
    assert got == [(2025, 55), (2025, 56)]
    assert find_numbers("Items No. 1 and No. 2 of the list.") == []


def test_state_council_orders_run_on_across_years() -> None:
    rec = parse_text(
        "商务部公告2025年第902号\n根据《中华人民共和国两用物项出口管制条例》（国务院令第792号）"
        "等法律法规有关规定，商务部决定如下。\n"
    ).to_dict()
    got = [(r["target"], r["relation"]) for r in rec["references"]]
    assert got == [({"issuers": ["国务院"], "type": "令", "year": None, "seq": 792}, "implements")]


def test_reference_year_from_the_other_mentions_when_the_text_gives_no_date() -> None:
    text = "Under Announcement No. 61 of 2025, exports need a licence. Announcements No. 55 and No. 56 follow."
    rec = parse_text(text).to_dict()
    got = [(r["target"]["year"], r["target"]["seq"]) for r in rec["references"]]
    assert got == [(2025, 61), (2025, 55), (2025, 56)]


#: Pieces of numbers and the prose around them: issuers, types, years, anchors, separators.
NUMBER_PIECES = [
    *"商务部海关总署国务院第号年令公告通知决定〔〕（）()【】[]、，和及 0123456789二〇五一十百两\n",
    *("中华人民共和国", "不可靠实体清单工作机制", "关于", "附件", "令牌"),
]


def _same_matches(text: str) -> bool:
    """``_numbers_in`` gives each ``NUMBER_RE.finditer`` match: its start, end and groups."""
    whole = [(m.start(), m.end(), m.groups()) for m in NUMBER_RE.finditer(text)]
    return list(_numbers_in(text)) == whole


@settings(max_examples=300, deadline=None)
@given(texts_of(NUMBER_PIECES, 40))
def test_the_anchored_scan_finds_what_the_whole_text_scan_finds(text: str) -> None:
    assert _same_matches(text)


def test_the_anchored_scan_on_the_corpus() -> None:
    for name, search in corpus_searches():
        assert _same_matches(search), name
