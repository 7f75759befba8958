"""Property tests: no input makes a parser raise, and spans always lie inside text."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import canonical_url, decode_html, extract_page, parse_file, parse_text
from tests.parsers.conftest import all_spans

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
TEXTS = st.lists(ALPHABET, max_size=80).map("".join) | st.text(max_size=200)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(record: dict) -> None:
    text = record["text"]
    for where, (start, end) in all_spans(record):
        assert 0 <= start <= end <= len(text), where
    for number in record["numbers"]:
        assert text[number["span"][0] : number["span"][1]] == number["text"]


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
