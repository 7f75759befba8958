"""Publication, entry-into-force and suspension dates."""

import pytest
from hypothesis import given, settings

from parsers import parse_text
from parsers.dates import (
    SUSPEND_RE,
    dateline,
    effective_dates,
    next_sentence,
    parse_date,
    previous_sentence,
    publish_date,
    sentence_span,
    sentences,
    signature_date,
    suspending_spans,
    suspension_windows,
)
from tests.parsers.conftest import corpus_searches, texts_of


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2025年10月09日", "2025-10-09"),
        ("2025年10月9日", "2025-10-09"),
        ("2025 年 10 月 9 日", "2025-10-09"),
        ("20251009", "2025-10-09"),
        ("2025-10-9", "2025-10-09"),
        ("2025/10/09", "2025-10-09"),
        ("2025-10-09 15:30", "2025-10-09"),
        ("二〇二五年十月九日", "2025-10-09"),
        ("二〇二五年十二月三十一日", "2025-12-31"),
        ("October 9, 2025", "2025-10-09"),
        ("9 Oct 2025", "2025-10-09"),
        ("2025年2月30日", None),
        ("20251399", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw: str | None, iso: str | None) -> None:
    assert parse_date(raw) == iso


def test_publish_date_order_header_meta_signature() -> None:
    sig = "正文。\n商务部\n2025年10月8日\n"
    assert (
        publish_date({"发文日期": "2025年10月09日"}, {"PubDate": "2025-10-07 10:00"}, sig)
        == "2025-10-09"
    )
    assert publish_date({"发布日期": "2025-10-9"}, {}, sig) == "2025-10-09"
    assert publish_date({}, {"PubDate": "2025-10-07 10:00"}, sig) == "2025-10-07"
    assert publish_date({}, {}, sig) == "2025-10-08"
    assert publish_date({}, {}, "没有日期。") is None


def test_signature_date_only_from_a_line_of_its_own() -> None:
    assert signature_date("本公告自2025年11月8日起实施。\n商务部") is None
    assert signature_date("正文\n商务部\n二〇二五年十月九日\n") == "2025-10-09"


def test_signature_before_the_promulgated_rules_or_the_annex() -> None:
    rules = "商务部令2021年第1号\n现予公布，自公布之日起施行。\n部长 王文涛\n2021年1月9日\n" + (
        "第一条 为……制定本办法。\n" * 8
    )
    assert signature_date(rules) == "2021-01-09"
    annex = "本公告自公布之日起正式实施。\n商务部\n2025年12月10日\n附件\n" + "1. 示例公司\n" * 8
    assert signature_date(annex) == "2025-12-10"
    # a date alone under a sentence is no signature
    assert signature_date("正文说明如下：\n2021年1月9日\n" + "其他内容。\n" * 8) is None


def test_news_dateline_opens_a_line_with_a_clock_time() -> None:
    assert dateline("标题\n2026年02月24日 18:05\n记者／综合报导\n") == "2026-02-24"
    assert dateline("标题\n2025-11-07 21:40 联合报／ 综合报导\n正文") == "2025-11-07"
    assert dateline("标题\n2025年10月9日，商务部发布公告。\n") is None  # a date in a sentence
    assert dateline("一\n二\n三\n四\n2025-11-07 21:40\n") is None  # too far down
    sig = "正文。\n商务部\n2025年10月8日\n"
    assert publish_date({}, {}, "标题\n2025-10-07 09:00\n" + sig) == "2025-10-07"
    assert publish_date({}, {}, sig, stamp="2025-10-06 20:15:33") == "2025-10-06"
    assert publish_date({}, {"PubDate": "2025-10-05"}, sig, stamp="2025-10-06") == "2025-10-05"


def eff(text: str, published: str | None = "2025-10-09") -> list[tuple]:
    out = []
    for e in effective_dates(text, published):
        out.append((e.date, e.basis, e.applies_to, text[e.span[0] : e.span[1]]))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "本公告自2025年11月8日起正式实施。",
            [("2025-11-08", "fixed", "all", "自2025年11月8日起正式实施")],
        ),
        (
            "本规定于2025年12月1日起施行。",
            [("2025-12-01", "fixed", "all", "于2025年12月1日起施行")],
        ),
        (
            "本公告自2025年4月10日12时01分起正式实施。",
            [("2025-04-10", "fixed", "all", "自2025年4月10日12时01分起正式实施")],
        ),
        ("本公告自公布之日起实施。", [("2025-10-09", "on_publication", "all", "自公布之日起实施")]),
        ("本公告自发布之日起施行。", [("2025-10-09", "on_publication", "all", "自发布之日起施行")]),
        ("本决定即日起执行。", [("2025-10-09", "on_publication", "all", "即日起执行")]),
        (
            "本办法自公布之日起30日后施行。",
            [("2025-11-08", "relative", "all", "自公布之日起30日后施行")],
        ),
        (
            "本办法自公布之日起三十日后施行。",
            [("2025-11-08", "relative", "all", "自公布之日起三十日后施行")],
        ),
        (
            "This announcement shall take effect on December 1, 2025.",
            [("2025-12-01", "fixed", "all", "take effect on December 1, 2025")],
        ),
        (
            "It shall come into force as of the date of promulgation.",
            [
                (
                    "2025-10-09",
                    "on_publication",
                    "all",
                    "come into force as of the date of promulgation",
                )
            ],
        ),
        ("商务部公告2025年第18号自2025年4月4日起实施。", []),
        ("自2025年11月7日起暂停实施。", []),
    ],
)
def test_effective_statements(text: str, expected: list[tuple]) -> None:
    assert eff(text) == expected


def test_relative_and_on_publication_without_publish_date_have_no_date() -> None:
    assert eff("本办法自公布之日起30日后施行。本公告自公布之日起实施。", None) == [
        (None, "relative", "all", "自公布之日起30日后施行"),
        (None, "on_publication", "all", "自公布之日起实施"),
    ]


def test_several_effective_statements_in_order() -> None:
    text = "一、第一项自2025年12月1日起实施。\n二、其余条款自公布之日起实施。"
    assert [(d, b) for d, b, _, _ in eff(text)] == [
        ("2025-12-01", "fixed"),
        ("2025-10-09", "on_publication"),
    ]


def test_suspension_window_stated_and_default_start() -> None:
    text = "一、上述措施自2025年11月10日起暂停实施至2026年11月10日。\n二、另一措施暂停执行，2026年1月1日止。"
    got = [
        (w.start, w.until, text[w.span[0] : w.span[1]][:6])
        for w in suspension_windows(text, "2025-11-07")
    ]
    assert got == [
        ("2025-11-10", "2026-11-10", "一、上述措施"),
        ("2025-11-07", "2026-01-01", "二、另一措施"),
    ]


def test_suspension_targets_from_previous_sentence() -> None:
    rec = parse_text(
        "商务部公告2025年第90号\n商务部公告2025年第61号规定的措施。该措施自即日起暂停实施至2026年11月10日。"
    ).to_dict()
    assert [(s["target"]["seq"], s["from"], s["until"]) for s in rec["suspensions"]] == [
        (61, None, "2026-11-10")
    ]


def _suspending_by_sentence(search: str) -> set[tuple[int, int]]:
    return {(a, b) for a, b in sentences(search) if SUSPEND_RE.search(search[a:b])}


SUSPEND_PIECES = [
    *("暂停实施", "暂停", "执行", "suspend", "Suspended", "ſuspend", "asuspend"),
    *"a 。；;！？!?\n，",
]


@settings(max_examples=300, deadline=None)
@given(texts_of(SUSPEND_PIECES))
def test_one_scan_finds_the_suspension_sentences(text: str) -> None:
    assert suspending_spans(text) == _suspending_by_sentence(text)


def test_one_scan_finds_the_suspension_sentences_of_the_corpus() -> None:
    for name, search in corpus_searches():
        assert suspending_spans(search) == _suspending_by_sentence(search), name


SENTENCE_PIECES = [
    "。",
    "；",
    ";",
    "！",
    "?",
    "\n",
    " ",
    "  ",
    "自",
    "起实施",
    "2025年",
    "Ab",
    "\u3000",
]


@settings(max_examples=400, deadline=None)
@given(texts_of(SENTENCE_PIECES, 14))
def test_sentences_found_around_a_position_are_the_split_ones(text: str) -> None:
    """``sentence_span``, ``next_sentence`` and ``previous_sentence`` read the text around a
    position only; they must give what splitting the whole text gives."""
    spans = sentences(text)
    for pos in range(len(text)):
        holding = [(a, b) for a, b in spans if a <= pos < b]
        assert sentence_span(text, pos) == (holding[0] if holding else None)
    ends = {end for _, end in spans}
    for pos in range(len(text) + 1):
        if pos and text[pos - 1] not in "。；;！？!?\n" and pos not in ends:
            continue  # both are asked where a sentence ends or may start
        later = [s for s in spans if s[0] >= pos]
        assert next_sentence(text, pos) == (later[0] if later else None)
        earlier = [s for s in spans if s[1] <= pos]
        assert previous_sentence(text, pos) == (earlier[-1] if earlier else None)
