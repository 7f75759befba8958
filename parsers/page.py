"""HTML article page → ``Page``: the parts of a MOFCOM-style page that matter, and a stable hash.

The page anatomy (SITE_NOTES §1.4): ``<meta name=…>`` set, ``div.art-title``, an optional
``div.art-con-gonggao`` block with 【发布单位】【发布文号】【发文日期】 lines, the body in
``div[ergodic=article]`` (fallback ``div.art-con`` that is not the gonggao block), then page
chrome (``section.article-tool``, nav, footer).

Invariants:
- ``extract_page`` never raises; on total failure it returns ``page_type="unknown"`` with
  whatever could be extracted and a warning.
- ``stable_hash`` covers title, header, body text and annex URLs only — never MakeTime, view
  counters, trace ids or chrome — so re-rendering a page does not create a new version.
"""

from __future__ import annotations

import hashlib
import json.encoder
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from urllib.parse import urljoin, urlsplit

from lxml import etree

from parsers.blocks import SKIP_CLASSES, SKIP_TAGS, TEXT_CONTENT, classes, element_text, squash
from parsers.normalize import search_copy

PAGE_TYPES = ("article", "portal_shell", "waf", "list", "unknown")
ANNEX_EXTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".rar")
ANNEX_PATH_MARKERS = ("/cms_files/", "/document/download")
ANNEX_MARKER_RE = re.compile("|".join(re.escape(m) for m in ANNEX_PATH_MARKERS))
#: Anywhere in a lower-cased href: what an annex's path ends with or holds (``_maybe_annex``).
ANNEX_HINT_RE = re.compile("|".join(re.escape(m) for m in (*ANNEX_EXTS, *ANNEX_PATH_MARKERS)))
HEADER_LABELS = ("发布单位", "发布文号", "发文日期", "发布日期")
DATE_LABELS = ("发文日期", "发布日期", "成文日期")
#: 【发布文号】商务部公告2025年第61号 — the value runs to the next 【 or line end.
BRACKET_HEADER_RE = re.compile(
    r"【\s*(发布单位|发布文号|发文日期|发布日期|成文日期|发布机构)\s*】\s*([^【\n]*)"
)
#: 发文日期：2025年10月9日 — colon variant seen in one crawler's regex.
COLON_HEADER_RE = re.compile(
    r"^\s*(发布单位|发布文号|发文日期|发布日期)\s*[：:]\s*(\S[^\n]*)$", re.MULTILINE
)
WAF_MARKERS = (
    "访问被拒绝",
    "安全验证",
    "拒绝访问",
    "您的访问请求可能对网站造成安全威胁",
    "请开启JavaScript",
    "Access Denied",
    "Request Rejected",
    "The requested URL was rejected",
    "Precondition Failed",
    "__jsl_clearance",
    "acw_sc__v2",
    "_waf_",
    "WZWS",
)
JS_CHALLENGE_RE = re.compile(r"document\.cookie\s*=.{0,400}?(location|reload)", re.DOTALL)
TINY_PAGE_CHARS = 600
#: Where a page's opening and closing tags are looked for (characters from each end).
TRUNCATION_WINDOW = 4096
HTML_OPEN_RE = re.compile(r"<html", re.IGNORECASE)
HTML_CLOSE_RE = re.compile(r"</html>|</body>", re.IGNORECASE)
WAF_MAX_TEXT = 2000
XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
BAD_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: The control characters of ``BAD_CHARS_RE`` as bytes (see ``_has_bad_chars``).
BAD_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
#: A JSON string literal, as ``json.dumps(text, ensure_ascii=False)`` writes it.
JSON_STR = json.encoder.encode_basestring
DATE_ROW_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Elements that may show a page's publication time in news layouts: a class or id names it
#: (script and style elements among them are dropped in Python). Reached through the attributes
#: (``//@class[…]/..``): libxml2 tests a few attribute nodes instead of every element with four
#: predicates (the ``//*[…]`` form cost five times as much on a news page).
DATELINE_XPATH = etree.XPath(
    "//@class[contains(., 'time') or contains(., 'date')]/.."
    " | //@id[contains(., 'time') or contains(., 'date')]/.."
)
DATELINE_NOT = ("script", "style")
#: ``2025-10-09 20:15:33`` / ``发布时间：2025年10月09日 18:05`` — a date opening the element's text.
DATELINE_TEXT_RE = re.compile(
    r"^(?:[^\d\n]{0,8}[：:]\s*)?(\d{4}(?:-\d{1,2}-\d{1,2}|年\d{1,2}月\d{1,2}日)(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)


@dataclass(frozen=True)
class Annex:
    """A link to an attachment: ``url`` is absolute when the page URL was given."""

    url: str
    label: str


@dataclass(frozen=True)
class Page:
    """What an article page says, without its chrome.

    Attributes:
        page_type: "article" | "truncated" | "portal_shell" | "waf" | "list" | "unknown".
        title: ``div.art-title``, else meta ArticleTitle, else ``<title>``.
        meta: The ``<meta name=…>`` set (first value per name).
        header: Labels of the 【…】 block without brackets → values as written.
        body_text: Body paragraphs joined by newlines; table rows as ``cell | cell``.
        annexes: Attachment links in page order, deduplicated by URL.
        stable_hash: sha256 hex of ``stable_json()``.
        warnings: What went wrong while extracting (reviewable, never fatal).
        dateline: The date and time a page shows beside its title (news layouts:
            ``<div class="time">2025-10-09 20:15:33</div>``), as written; not in the hash.
            Looked for only on pages without a PubDate meta or a date header line, which
            give the publication date first.
    """

    page_type: str
    title: str | None
    meta: dict[str, str] = field(default_factory=dict, hash=False)
    header: dict[str, str] = field(default_factory=dict, hash=False)
    body_text: str = ""
    annexes: tuple[Annex, ...] = ()
    stable_hash: str = ""
    url: str | None = None
    warnings: tuple[str, ...] = ()
    dateline: str | None = None

    def stable_text(self) -> str:
        """The text the hash covers: title, header lines (``label：value``), body."""
        return stable_text(self.title, self.header, self.body_text)


def stable_text(title: str | None, header: dict[str, str], body_text: str) -> str:
    """Title, then one ``label：value`` line per header entry, then the body."""
    lines = [title or ""]
    lines += [f"{k}：{v}" for k, v in header.items()]
    lines.append(body_text)
    return "\n".join(line for line in lines if line)


def stable_hash(
    title: str | None, header: dict[str, str], body_text: str, annexes: tuple[Annex, ...]
) -> str:
    """sha256 hex over a canonical JSON of the fields that define the document's content.

    The JSON is ``{"annexes": [urls], "body": …, "header": {…}, "title": …}`` with sorted keys,
    no spaces and non-ASCII kept, written with the ``json`` module's own string encoder: the
    text ``json.dumps(…, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` gives,
    without building an encoder for each page.
    """
    header_json = ",".join([f"{JSON_STR(k)}:{JSON_STR(v)}" for k, v in sorted(header.items())])
    blob = "".join(
        (
            '{"annexes":[',
            ",".join([JSON_STR(a.url) for a in annexes]),
            '],"body":',
            JSON_STR(body_text),
            ',"header":{',
            header_json,
            '},"title":',
            JSON_STR(title or ""),
            "}",
        )
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


#: ``lxml.html``'s parser options without its element classes: the tree is the same, and
#: plain elements skip a Python class lookup for every element the extraction touches.
#: No ID table: nothing looks elements up by id, and libxml2 skips hashing every id attribute.
HTML_PARSER = etree.HTMLParser(collect_ids=False)


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# XPath expressions are compiled once: ``root.xpath(str)`` compiles its argument on every call,
# which cost more than evaluating it on a MOFCOM page. The article parts (meta, titles, bodies,
# header blocks, links) are found by ``_scan`` instead; these are the rarer pages' questions.
#: Bodies of other site templates, tried in this order when the MOFCOM selectors find nothing:
#: (attribute, value, div only). An ``id`` rule wants the value itself, a ``class`` rule the
#: class token (XPath's ``contains(concat(' ', normalize-space(@class), ' '), ' artCon ')``);
#: ``tests/parsers/test_page.py`` holds them to the XPath forms they replace.
FALLBACK_BODY_RULES = (
    ("id", "zoom", False),
    ("class", "artCon", False),
    ("class", "all-txt", False),
    ("id", "detail", False),
    ("class", "bd", True),
)
#: Every element any fallback rule may pick, in document order, found in one pass through the
#: attributes (five ``//*[…]`` scans of every element cost ten times as much).
FALLBACK_CANDIDATES_XPATH = etree.XPath(
    "//@id[. = 'zoom' or . = 'detail']/.."
    " | //@class[contains(., 'artCon') or contains(., 'all-txt') or contains(., 'bd')]/.."
)
LIST_MARKER_XPATH = etree.XPath(f"//ul[{_has_class('txtList_01')}] | //*[@querydata]")
LIST_ROW_XPATH = etree.XPath("//li[a[@href]]")
CHROME_XPATH = etree.XPath("//nav | //footer | //header | //*[@class or @id][.//a]")
#: What XPath's ``normalize-space`` splits a class list on (str.split would split on more).
XPATH_SPACE_RE = re.compile(r"[ \t\n\r]+")
ART_TITLE, ART_CON, GONGGAO = "art-title", "art-con", "art-con-gonggao"
ART_PREFIX = "art-"  # in each of them


def _maybe_annex(hrefs: str) -> bool:
    """Whether a link (or any of several, joined) could pass ``_is_annex`` or make it raise.

    The path of an annex holds one of ``ANNEX_EXTS`` or ``ANNEX_PATH_MARKERS`` in lower case;
    lower-casing the whole href finds what lower-casing its path would. A non-ASCII href
    (``urlsplit`` may refuse its host, ``str.lower`` may change its length) and one with a
    character ``urlsplit`` deletes (tab, newline) or a bracket (a host it may refuse) always
    count.
    """
    if not hrefs.isascii() or "\t" in hrefs or "\n" in hrefs or "\r" in hrefs:
        return True
    if "[" in hrefs or "]" in hrefs:
        return True
    return ANNEX_HINT_RE.search(hrefs.lower()) is not None


@dataclass
class _Parts:
    """The elements and values an article page is read from, in document order.

    A few passes over the tree with lxml's tag filter find them all; an XPath scan per
    question cost more than the questions themselves. Each list is what the XPath beside it
    would select.
    """

    meta: dict[str, str]  # //meta[@name]: stripped name → squashed content, first one wins
    #: //a[@href] whose href could name an annex (``_maybe_annex``)
    links: list[etree._Element]
    #: //div[@class] with ``art-`` in it (all ``with_class`` is asked about), each with
    #: `` class `` (spaces around, XPath whitespace made spaces): `` name `` is in it exactly
    #: when name is one of its normalize-space tokens
    divs: list[tuple[etree._Element, str]]
    ergodic: etree._Element | None  # (//div[@ergodic='article'])[1]
    tops: tuple[etree._Element, ...]  # the root and any top-level nodes after it

    def with_class(self, name: str) -> list[etree._Element]:
        """``//div[contains(concat(' ', normalize-space(@class), ' '), ' name ')]``, for a
        ``name`` holding ``art-`` (the only divs kept)."""
        token = f" {name} "
        return [el for el, names in self.divs if token in names]

    def titles(self) -> list[etree._Element]:
        """//title (asked only when neither the art-title div nor the meta gives a title)."""
        return [el for top in self.tops for el in top.iter("title")]


def _scan(root: etree._Element) -> _Parts:
    # a broken page can leave a second top-level element after the root; XPath's // sees it
    tops = (root, *root.itersiblings(etree.Element))
    get = etree._Element.get
    # one pass per tag, each collecting what it needs in a comprehension: lxml filters the
    # tags in C, and no Python branch runs per element
    meta: dict[str, str] = {}
    for name, content in [(get(el, "name"), get(el, "content")) for el in _every(tops, "meta")]:
        if name:
            name = name.strip()
            if name and name not in meta:
                meta[name] = squash(content) if content else ""
    divs = [(el, get(el, "class"), get(el, "ergodic")) for el in _every(tops, "div")]
    ergodic = next((el for el, _, mark in divs if mark == "article"), None)
    arts = [(el, _spaced(names)) for el, names, _ in divs if names and ART_PREFIX in names]
    links = [(el, href) for el in _every(tops, "a") if (href := get(el, "href"))]
    # one test on all hrefs at once: most pages link no attachment
    if links and _maybe_annex("\0".join([href for _, href in links])):
        anchors = [el for el, href in links if _maybe_annex(href)]
    else:
        anchors = []
    return _Parts(meta, anchors, arts, ergodic, tops)


def _every(tops: tuple[etree._Element, ...], tag: str) -> Iterator[etree._Element]:
    """``//tag`` in document order (the page's root, then any elements after it)."""
    if len(tops) == 1:
        return tops[0].iter(tag)
    return chain.from_iterable(top.iter(tag) for top in tops)


def _spaced(names: str) -> str:
    """`` class `` with spaces around and XPath whitespace made spaces: `` name `` is in it
    exactly when name is one of its ``normalize-space`` tokens."""
    if "\t" in names or "\n" in names or "\r" in names:
        names = XPATH_SPACE_RE.sub(" ", names)
    return f" {names} "


def _first_text(elements: list[etree._Element]) -> str | None:
    for el in elements:
        text = squash(element_text(el).replace("\n", " "))
        if text:
            return text
    return None


def _header_of(text: str, labels: str) -> dict[str, str]:
    """Header entries found on ``labels`` (``text`` or its same-length simplified copy)."""
    header: dict[str, str] = {}
    for rule in (BRACKET_HEADER_RE, COLON_HEADER_RE):
        for m in rule.finditer(labels):
            header.setdefault(m.group(1), squash(text[m.start(2) : m.end(2)]))
        if header:
            break
    return {k: v for k, v in header.items() if v}


def parse_header(text: str) -> dict[str, str]:
    """Read 【label】value (or ``label：value``) lines; labels without brackets, values stripped.

    Labels are matched on the simplified copy when the text itself has none (a traditional
    copy writes 【發佈文號】); the label keys are simplified, the values stay as written.
    A text without 【 or a colon has no header in either form: OpenCC's traditional →
    simplified tables map CJK characters to CJK characters only, so the copy has none either.
    """
    if "【" not in text and "：" not in text and ":" not in text:
        return {}
    return _header_of(text, text) or _header_of(text, search_copy(text))


def _dateline(root: etree._Element) -> str | None:
    """The first date shown in a time/date element outside the page chrome, as written."""
    for el in DATELINE_XPATH(root):
        if el.tag in DATELINE_NOT or _skipped(el):
            continue
        m = DATELINE_TEXT_RE.match(squash(element_text(el).replace("\n", " ")))
        if m:
            return m.group(1)
    return None


def _art_con_bodies(parts: _Parts) -> list[etree._Element]:
    """``div.art-con`` that is not the gonggao block, holds none and sits in no other art-con."""
    art_con = parts.with_class(ART_CON)
    if not art_con:
        return []
    holders = {a for g in parts.with_class(GONGGAO) for a in g.iterancestors("div")}
    outer = set(art_con)
    return [
        el
        for el, names in parts.divs
        if f" {ART_CON} " in names
        and f" {GONGGAO} " not in names
        and el not in holders
        and not any(a in outer for a in el.iterancestors("div"))
    ]


def _body_elements(root: etree._Element, parts: _Parts) -> list[etree._Element]:
    if parts.ergodic is not None:
        return [parts.ergodic]
    found = _art_con_bodies(parts)
    if found:
        return found
    return _fallback_body(root)


def _fallback_body(root: etree._Element) -> list[etree._Element]:
    """The first element the first matching ``FALLBACK_BODY_RULES`` rule picks, as a list."""
    candidates = FALLBACK_CANDIDATES_XPATH(root)
    for attr, value, div_only in FALLBACK_BODY_RULES:
        for el in candidates:
            found = el.get(attr)
            if found is None or (div_only and el.tag != "div"):
                continue
            if found == value if attr == "id" else f" {value} " in _spaced(found):
                return [el]
    return []


def _header_text(parts: _Parts, body_text: str) -> str:
    blocks = parts.with_class(GONGGAO)
    if blocks:
        return "\n".join(element_text(b) for b in blocks)
    others = [el for el in parts.with_class(ART_CON) if el.get("ergodic") != "article"]
    text = "\n".join(element_text(b) for b in others)
    if any(label in text for label in HEADER_LABELS):
        return text
    return "\n".join(body_text.split("\n", 6)[:6])


def _skipped(el: etree._Element) -> bool:
    return any(a.tag in SKIP_TAGS or classes(a) & SKIP_CLASSES for a in el.iterancestors())


def _is_annex(href: str) -> bool:
    path = urlsplit(href).path if "://" in href else href.split("?", 1)[0].split("#", 1)[0]
    path = path.lower()
    return path.endswith(ANNEX_EXTS) or ANNEX_MARKER_RE.search(path) is not None


def _annexes(parts: _Parts, url: str | None) -> tuple[Annex, ...]:
    seen: dict[str, Annex] = {}
    for a in parts.links:  # the other links fail ``_is_annex`` without raising
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")) or not _is_annex(href):
            continue
        if _skipped(a):
            continue
        full = urljoin(url, href) if url else href
        label = squash(element_text(a).replace("\n", " ")) or squash(a.get("title") or "")
        if not label:
            label = full.rsplit("/", 1)[-1]
        seen.setdefault(full, Annex(full, label))
    return tuple(seen.values())


def _looks_waf(html: str, visible: str) -> bool:
    if len(visible) > WAF_MAX_TEXT:
        return False
    low = html.lower()  # once, not once per marker
    if any(m.lower() in low for m in WAF_MARKERS):
        return True
    return bool(JS_CHALLENGE_RE.search(html))


def _looks_list(root: etree._Element) -> bool:
    if LIST_MARKER_XPATH(root):
        return True
    rows = LIST_ROW_XPATH(root)
    dated = [r for r in rows if DATE_ROW_RE.search(TEXT_CONTENT(r) or "")]
    return len(dated) >= 5


def _has_chrome(root: etree._Element, meta: dict[str, str]) -> bool:
    if "SiteName" in meta or "ColumnName" in meta:
        return True
    return bool(CHROME_XPATH(root))


def _looks_truncated(html: str) -> bool:
    """An HTML document that stops before both ``</body>`` and ``</html>``."""
    if not HTML_OPEN_RE.search(html, 0, TRUNCATION_WINDOW):
        return False
    start = max(0, len(html) - TRUNCATION_WINDOW)
    # a whole page nearly always ends with one of them: try its last closing tag first (the
    # regex reads the window from its start)
    last = html.rfind("</", start)
    if last >= 0 and html[last : last + 7].lower() in ("</html>", "</body>"):
        return False
    return not HTML_CLOSE_RE.search(html, start)


def _has_bad_chars(html: str) -> bool:
    """Whether ``BAD_CHARS_RE`` finds anything: the control characters are among the ones
    Latin-1 keeps, and deleting bytes is a C loop (the regex scanned a page at 2.7 ns/char)."""
    low = html.encode("latin-1", "ignore")
    return len(low.translate(None, BAD_CONTROL_BYTES)) != len(low) or (
        "\ufffe" in html or "\uffff" in html
    )


def _parse(html: str) -> etree._Element | None:
    declaration = XML_DECL_RE.match(html)  # ^ without MULTILINE: only ever at the start
    cleaned = html[declaration.end() :] if declaration else html
    if _has_bad_chars(cleaned):
        cleaned = BAD_CHARS_RE.sub("", cleaned)
    if not cleaned or cleaned.isspace():
        return None
    try:
        return etree.fromstring(cleaned, HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None


def _classify(
    html: str, root: etree._Element, meta: dict[str, str], titles: tuple[bool, bool], body: str
) -> str:
    """``titles`` = (has div.art-title, has meta ArticleTitle)."""
    if _looks_truncated(html):
        # A cut page must never pass for an article (a partial version) or for the portal
        # shell (which would read as a delisting): it is its own outcome, fetched again later.
        return "truncated"
    if (body and (any(titles) or len(body) > 40)) or titles[0]:
        return "article"
    # the page's whole visible text is only needed to tell a WAF answer from other pages
    if _looks_waf(html, squash(element_text(root))):
        return "waf"
    if _looks_list(root):
        return "list"
    if _has_chrome(root, meta):
        return "portal_shell"
    if len(html.strip()) < TINY_PAGE_CHARS:
        return "waf"
    return "unknown"


def extract_page(html: str, url: str | None = None) -> Page:
    """Extract title, meta, header block, body text and annexes from an article page.

    Args:
        html: The decoded page (see ``decode_html``).
        url: The page URL; when given, annex URLs are made absolute against it.

    Returns:
        A frozen ``Page``; never raises.
    """
    html = html if isinstance(html, str) else ""
    warnings: list[str] = []
    root = _parse(html)
    if root is None:
        warnings.append("empty or unparsable HTML")
        return Page(
            "unknown",
            None,
            url=url,
            stable_hash=stable_hash(None, {}, "", ()),
            warnings=tuple(warnings),
        )
    title = meta_title = None
    meta: dict[str, str] = {}
    header: dict[str, str] = {}
    body = ""
    annexes: tuple[Annex, ...] = ()
    page_type = "unknown"
    stamp = None
    try:
        parts = _scan(root)
        meta = parts.meta
        art_title = _first_text(parts.with_class(ART_TITLE))
        meta_title = meta.get("ArticleTitle") or None
        title = art_title or meta_title or _first_text(parts.titles())
        body = "\n".join(t for t in (element_text(el) for el in _body_elements(root, parts)) if t)
        header = parse_header(_header_text(parts, body))
        annexes = _annexes(parts, url)
        if not (meta.get("PubDate") or any(k in header for k in DATE_LABELS)):
            stamp = _dateline(root)  # the parser reads a page stamp only after these
        page_type = _classify(html, root, meta, (bool(art_title), bool(meta_title)), body)
        if page_type == "article" and not body:
            warnings.append("article title but no body text (iframe or script content?)")
    except Exception as exc:  # one bad page must not stop a crawl
        warnings.append(f"extraction failed: {type(exc).__name__}: {exc}")
        page_type = "unknown"
    if page_type not in ("article", "unknown", "truncated"):  # a cut page keeps what arrived
        header, body, annexes = {}, "", ()
    digest = stable_hash(title, header, body, annexes)
    return Page(page_type, title, meta, header, body, annexes, digest, url, tuple(warnings), stamp)
