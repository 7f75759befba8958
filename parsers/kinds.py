"""Document kind (announcement / entity_list / news / qa / notice / other) and language.

Heuristics on title, own numbers and text; each decision rests on a marker that is stated in
the text or URL. Invariant: pure; ``kind`` always returns one of ``KINDS`` and ``language`` one
of ``LANGUAGES``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsers.anchors import Words
from parsers.normalize import has_latin, may_say, to_simplified

KINDS = ("announcement", "entity_list", "news", "qa", "notice", "other")
LANGUAGES = ("zh-Hans", "zh-Hant", "en")
_QA_ZH = r"答记者问|新闻发言人|发言人|政策解读|答问|问答|解读|例行新闻发布会"
QA_RE = re.compile(rf"{_QA_ZH}|spokesperson|Q\s?&\s?A|press conference", re.IGNORECASE)
_ENTITY_LIST_ZH = r"不可靠实体清单|出口管制管控名单|管控名单|关注名单"
ENTITY_LIST_RE = re.compile(
    rf"{_ENTITY_LIST_ZH}|Unreliable Entity List|control list|watch list", re.IGNORECASE
)
_LISTING_ZH = r"列入|移出|纳入|移除"
LISTING_RE = re.compile(rf"{_LISTING_ZH}|added to|removed from", re.IGNORECASE)
QA = Words(_QA_ZH, QA_RE, ("spokesperson", "&", "press conference"))
ENTITY_LIST = Words(_ENTITY_LIST_ZH, ENTITY_LIST_RE, ("list",))
LISTING = Words(_LISTING_ZH, LISTING_RE, ("added to", "removed from"))
NOTICE_RE = re.compile(r"通知|通告|Notice")
NEWS_HOSTS = (
    "guancha.cn",
    "news.cn",
    "xinhuanet.com",
    "udn.com",
    "chinadaily.com.cn",
    "people.com.cn",
)
#: News words: an agency, a reporter, a report, an editor's line.
_NEWS_WORDS_ZH = r"新华社|记者|观察者网|据.{0,12}报[道导]|综合报[道导]|编辑：|责任编辑"
EN_NEWS_WORDS = ("reporter", "reported")
#: A wire dateline opening a paragraph: ``BEIJING —``; a wire agency: ``Beijing (Reuters) -``.
WIRE_DATELINE_RE = re.compile(r"^[A-Z]{3,}(?: [A-Z]{2,})* ?[—–]", re.MULTILINE)
WIRE_AGENCY_RE = re.compile(r"\((?:Reuters|AFP|AP|Xinhua|Bloomberg)\)")
WIRE_DASHES = ("—", "–")
NEWS_SUBDOMAINS = tuple("." + h for h in NEWS_HOSTS)
#: A news host anywhere in a URL, in any letter case.
NEWS_HOST_IN_RE = re.compile("|".join(re.escape(h) for h in NEWS_HOSTS), re.IGNORECASE)
#: What makes a text read as news (with a wire lead, （中央社台北9日电） / 新华社北京10月9日电):
#: the definition ``_reads_as_news`` asks part by part.
NEWS_RE = re.compile(
    rf"{_NEWS_WORDS_ZH}|[0-9一二三四五六七八九十]{{1,3}}日电[）)]|{'|'.join(EN_NEWS_WORDS)}"
    rf"|(?-i:{WIRE_DATELINE_RE.pattern}|{WIRE_AGENCY_RE.pattern})",
    re.IGNORECASE | re.MULTILINE,
)
#: ``NEWS_RE``'s Chinese parts, a wire lead found from its 日电 (then a numeral before it will
#: do), and its English words.
ZH_NEWS_RE = re.compile(rf"{_NEWS_WORDS_ZH}|日电(?<=[0-9一二三四五六七八九十]日电)[）)]")
EN_NEWS_RE = re.compile("|".join(EN_NEWS_WORDS), re.IGNORECASE)
#: Runs of CJK unified ideographs (basic block and extension A, as ``normalize.is_han``): joined,
#: they are the Han characters, one match per run, not per character (``[…][…]*``, not
#: ``[…]+``: a class first lets the engine skip to it).
HAN_RUN_RE = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf][\u4e00-\u9fff\u3400-\u4dbf]*")
#: Latin letters are counted as the ASCII letters ``str.encode`` keeps and ``translate`` drops.
ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: ``language`` reads the start of a text only.
LANGUAGE_SAMPLE = 5000
#: At least ten Han characters (the class of ``HAN_RUN_RE``) from the start: one pass, no
#: backtracking (possessive runs of other characters).
TEN_HAN_RE = re.compile(r"(?:[^\u4e00-\u9fff\u3400-\u4dbf]*+[\u4e00-\u9fff\u3400-\u4dbf]){10}")
#: Share of Han characters that must change under t2s to call a text traditional.
TRADITIONAL_SHARE = 0.03
TRADITIONAL_MIN = 3


def language(text: str, url: str | None = None, inert: bool = False) -> str:
    """``zh-Hant`` when enough characters are traditional, ``en`` when Han is scarce, else ``zh-Hans``.

    ``inert``: the caller found ``normalize.t2s_inert(text)``; then the Han characters of the
    sample convert to themselves, and ten of them make the text simplified Chinese.
    """
    if inert and TEN_HAN_RE.match(text, 0, LANGUAGE_SAMPLE):
        return "zh-Hans"
    sample = text[:LANGUAGE_SAMPLE]
    joined = "".join(HAN_RUN_RE.findall(sample))
    if len(joined) < 10:  # the letters count only where Han is scarce
        ascii_part = sample.encode("ascii", "ignore")
        latin = len(ascii_part) - len(ascii_part.translate(None, ASCII_LETTERS))
        if latin > 3 * max(len(joined), 1):
            return "en"
        if not joined:
            return "en" if latin else "zh-Hans"
    simplified = to_simplified(joined)
    if simplified == joined:
        return "zh-Hans"
    changed = sum(1 for a, b in zip(joined, simplified, strict=False) if a != b)
    if changed >= TRADITIONAL_MIN and changed / len(joined) >= TRADITIONAL_SHARE:
        return "zh-Hant"
    return "zh-Hans"


def _is_news_url(url: str | None) -> bool:
    if not url or NEWS_HOST_IN_RE.search(url) is None:
        return False  # a host (lower-cased from the URL) cannot be or end in one of them
    host = urlsplit(url).hostname or ""
    return host in NEWS_HOSTS or host.endswith(NEWS_SUBDOMAINS)


def kind(
    search: str,
    title: str | None,
    own_types: list[str],
    url: str | None = None,
    column: str | None = None,
    title_simplified: str | None = None,
) -> str:
    """Classify a document.

    Args:
        search: The simplified search copy of the text.
        title: The document title (simplified or not).
        own_types: Types (公告/令/通知/…) of the document's own numbers.
        url: Page URL, if known (news hosts decide ``news``).
        column: MOFCOM meta ColumnName, if known.
        title_simplified: ``to_simplified(title)``, when the caller has it already.

    Returns:
        One of ``KINDS``.
    """
    title_s = to_simplified(title or "") if title_simplified is None else title_simplified
    if _is_news_url(url):
        return "news"
    # without a letter in the search copy its parts need only the Chinese words
    latin = has_latin(search)
    if QA.found(title_s, document=False) or (not own_types and QA.found(search, 200, latin=latin)):
        return "qa"
    if "公告" in own_types or "令" in own_types or "决定" in own_types:
        # the title and the start of the text (no word reaches across the line between them)
        head = ENTITY_LIST.found(title_s, document=False) or ENTITY_LIST.found(
            search, 300, latin=latin
        )
        if head and LISTING.found(search, latin=latin):
            return "entity_list"
        return "announcement"
    if "通知" in own_types or NOTICE_RE.search(title_s):
        return "notice"
    if column and ("新闻" in column or "要闻" in column):
        return "news"
    if _reads_as_news(search, latin):
        return "news"
    return "other"


def _reads_as_news(search: str, latin: bool) -> bool:
    """``NEWS_RE.search(search)``, part by part; ``latin``: ``normalize.has_latin(search)``."""
    if ZH_NEWS_RE.search(search) is not None:
        return True
    if not latin:  # every other part needs a letter
        return False
    if may_say(search, EN_NEWS_WORDS) and EN_NEWS_RE.search(search) is not None:
        return True
    if (WIRE_DASHES[0] in search or WIRE_DASHES[1] in search) and WIRE_DATELINE_RE.search(search):
        return True
    return WIRE_AGENCY_RE.search(search) is not None
