"""Property tests: random and mutated documents never make a parser fail, and every span holds
the fact it claims.

Mutations start from the golden corpus (real layouts) and delete, duplicate, shuffle or
truncate lines, insert noise, and convert to full-width or traditional characters. Examples are
few and bounded in size, so a run stays short; a pattern that backtracks without end would show
as the suite's timeout, not as a timing assertion here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import opencc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import canonical_url, decode_html, extract_page, parse_file, parse_text
from parsers.blocks import SPACE_RE, squash, squash_lines
from parsers.normalize import search_copy
from parsers.thresholds import NUMBER, PERCENT_WORD, UNITS, parse_number
from tests.parsers.conftest import all_spans

CORPUS = Path(__file__).parent / "corpus"
#: Characters that exercise the patterns: numbers, dates, issuers, brackets, markup.
ALPHABET = st.sampled_from(
    [
        *list(
            "商务部海关总署公告令第年月日号號〔〕（）【】《》、，。；：0123456789０１２〇一二三十暂停实施至自起废止修改根据"
        ),
        "\n",
        " ",
        "<br>",
        "&amp;",
        "<p>",
        "</div>",
        "Announcement No. ",
        " of ",
        "2025",
        "發布",
        "\u3000",
    ]
)
#: Pieces that start facts: codes, HS labels, operators and units, list verbs, dates.
NOISE = st.sampled_from(
    [
        "3A 001",
        "3C901。a。1",
        "1E902 .b",
        "（参考税则号列：8507 6000）",
        "大于等于",
        "≥",
        "五十微米以下",
        "超过百分之九十",
        "百分之五十以上",
        "及以上",
        "Wh/kg",
        "%",
        "列入不可靠实体清单：",
        "甲公司（Alpha Inc.）、",
        "移出",
        "自2025年11月8日起正式实施",
        "暂停实施",
        "第61号、第62号",
        "（一）",
        "1.",
        "a.",
        "【保留】",
        " | ",
        "<br>",
        "&nbsp;",
    ]
)
TEXTS = st.lists(ALPHABET, max_size=80).map("".join) | st.text(max_size=200)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CORPUS_RUNS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Longest mutated document (characters): keeps every example quick.
MAX_CHARS = 12_000
CN_NUMERAL = re.compile(NUMBER)
#: What copies put inside a control code (``3A 001``, ``3C901。a。1``): ignored when comparing.
CODE_NOISE_RE = re.compile(r"[\s.。．·]")


@cache
def corpus_documents() -> tuple[tuple[str, str], ...]:
    """(file name, text) of every corpus document."""
    return tuple(
        (p.name, p.read_text(encoding="utf-8"))
        for p in sorted(CORPUS.iterdir())
        if p.suffix in {".txt", ".html"}
    )


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def full_width(text: str) -> str:
    """ASCII letters, digits and symbols as their full-width forms, spaces as U+3000."""
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text
    )


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text): a corpus document after a few random edits."""
    name, text = draw(st.sampled_from(corpus_documents()))
    lines = text.split("\n")
    for op in draw(st.lists(st.sampled_from(MUTATIONS), max_size=4)):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "shuffle":
            lines = draw(st.permutations(lines))
        elif op == "noise":
            at = draw(st.integers(0, len(lines[i])))
            piece = draw(NOISE | st.text(max_size=8))
            lines[i] = lines[i][:at] + piece + lines[i][at:]
        elif op == "truncate":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
        elif op == "full_width":
            lines[i] = full_width(lines[i])
        elif op == "traditional":
            lines = _s2t().convert("\n".join(lines)).split("\n")
    return name, "\n".join(lines)[:MAX_CHARS]


MUTATIONS = (
    "delete",
    "duplicate",
    "swap",
    "shuffle",
    "noise",
    "truncate",
    "full_width",
    "traditional",
)


def _written_units(unit: str) -> list[str]:
    words = [PERCENT_WORD] if unit == "%" else []
    return words + [written for written, canonical in UNITS.items() if canonical == unit]


def _holds_value(evidence: str, *values: float | None) -> bool:
    """Some number written in ``evidence`` (digits or Chinese numerals) equals each value."""
    found = {parse_number(m.group()) for m in CN_NUMERAL.finditer(evidence)}
    return all(v is None or float(v) in found for v in values)


def check_threshold(search: str, t: dict, where: str) -> None:
    """``search``: the simplified copy of the record text (units are listed in simplified)."""
    evidence = search[t["span"][0] : t["span"][1]]
    assert _holds_value(evidence, t["value"], t["value_max"]), (where, evidence, t)
    if t["unit"] is not None:
        low = evidence.lower()
        assert any(w.lower() in low for w in _written_units(t["unit"])), (where, evidence, t)


def check(record: dict) -> None:
    """Every span lies inside ``text`` and points at the fact it claims."""
    text = record["text"]
    search = search_copy(text)
    for where, (start, end) in all_spans(record):
        assert 0 <= start <= end <= len(text), where
    for number in record["numbers"]:
        assert text[number["span"][0] : number["span"][1]] == number["text"]
    for i, item in enumerate(record["items"]):
        evidence = text[item["span"][0] : item["span"][1]]
        if item["code"]:
            compact = CODE_NOISE_RE.sub("", evidence)
            assert CODE_NOISE_RE.sub("", item["code"]) in compact, (i, evidence, item["code"])
        for t in item["thresholds"]:
            check_threshold(search, t, f"items[{i}]")
    for t in record["thresholds"]:
        check_threshold(search, t, "thresholds")
    for e in record["entities"]:
        evidence = text[e["span"][0] : e["span"][1]]
        for name in (e["name_zh"], e["name_en"]):
            assert name is None or name in evidence, (name, evidence)
    failures = [w for w in record["warnings"] if " failed: " in w]
    assert failures == []  # an extractor that raised is a bug even though it was caught


@FAST
@given(TEXTS)
def test_parse_text_never_raises_and_spans_fit(text: str) -> None:
    check(parse_text(text).to_dict())


@FAST
@given(TEXTS)
def test_extract_and_parse_html_never_raise(text: str) -> None:
    html = f'<div class="art-title">{text[:20]}</div><div ergodic="article">{text}</div>'
    page = extract_page(html, "https://www.mofcom.gov.cn/a/b.html")
    assert page.page_type in {"article", "portal_shell", "waf", "list", "unknown"}


@FAST
@given(st.binary(max_size=300), st.sampled_from(["a.html", "a.txt", "a.pdf", "", "x"]))
def test_bytes_never_raise(data: bytes, name: str) -> None:
    decode_html(data, "text/html; charset=gbk")
    check(parse_file(data, name).to_dict())


@FAST
@given(st.text(max_size=100))
def test_canonical_url_never_raises(url: str) -> None:
    assert isinstance(canonical_url(url), str)


@CORPUS_RUNS
@given(mutated())
def test_mutated_corpus_documents_parse_and_spans_hold_their_facts(doc: tuple[str, str]) -> None:
    name, text = doc
    check(parse_file(text.encode("utf-8"), name).to_dict())


@CORPUS_RUNS
@given(mutated(), NOISE)
def test_mutated_documents_as_plain_text_with_a_title(doc: tuple[str, str], title: str) -> None:
    check(parse_text(doc[1], title=title).to_dict())


def test_every_corpus_document_holds_its_facts_at_its_spans() -> None:
    for name, text in corpus_documents():
        check(parse_file(text.encode("utf-8"), name).to_dict())


@FAST
@given(
    st.text(
        alphabet=st.sampled_from(list("ab \n\t\r\xa0\u3000\u2002\u200b\ufeff\x85\u2028\x1c中")),
        max_size=60,
    )
)
def test_squash_lines_is_squash_on_every_line(text: str) -> None:
    by_line = (squash(line) for line in text.split("\n"))
    assert squash_lines(text) == "\n".join(line for line in by_line if line)


@FAST
@given(
    st.text(
        alphabet=st.sampled_from(list("ab \n\t\r\xa0\u3000\u2002\u200b\ufeff\x85\u2028\x1c中")),
        max_size=60,
    )
    | st.text(max_size=60)
)
def test_squash_is_its_regex_definition(text: str) -> None:
    assert squash(text) == SPACE_RE.sub(" ", text).strip()
