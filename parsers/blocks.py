"""Render an lxml element as plain text lines, the way a reader sees the page.

Rules: block elements (p, div, li, h1–h6, …) start new lines; ``<br>`` is a line break; a table
row becomes one line of cells joined by `` | ``; script/style/nav/footer and the MOFCOM article
toolbar are skipped; whitespace inside a line collapses to one space (a source-code line break
between two Chinese characters disappears, it was never a word gap); empty lines are dropped.
Invariant: pure, no I/O; the output never contains ``\\r``, tabs or blank lines.
"""

from __future__ import annotations

import re

from lxml import etree

SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "nav",
        "footer",
        "iframe",
        "button",
        "form",
        "select",
        "template",
        "head",
        "svg",
    }
)
SKIP_CLASSES = frozenset(
    {
        "article-tool",
        "footer",
        "nav",
        "navbar",
        "breadcrumb",
        "share",
        "bdsharebuttonbox",
        "header",
        "top",
        "foot",
    }
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "center",
        "hr",
        "address",
        "figure",
        "figcaption",
        "main",
        "aside",
        "body",
        "html",
    }
)
CELL_TAGS = frozenset({"td", "th"})
CELL_SEP = " | "
NEWLINE = "\n"
CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
#: A line break in the HTML source between two CJK characters is not a space.
CJK_BREAK_RE = re.compile(rf"(?<=[{CJK}])[ \t\r\f\v\xa0]*\n\s*(?=[{CJK}])")
#: What ``squash`` collapses (its definition; ``squash`` computes the same without a regex).
SPACE_RE = re.compile(r"[\s\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
#: All text below an element, as ``lxml.html``'s ``text_content()`` (for any element class).
TEXT_CONTENT = etree.XPath("string()", smart_strings=False)


def squash(text: str) -> str:
    """Collapse all whitespace (incl. NBSP and ideographic space) to single spaces; strip.

    The same as ``SPACE_RE.sub(" ", text).strip()``: ``str.split`` splits on exactly the
    characters ``\\s`` matches, and the two zero-width ones are made spaces first.
    """
    if not text:
        return ""
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    return " ".join(text.split())


def classes(el: etree._Element) -> set[str]:
    """The element's class tokens (empty for comments and processing instructions)."""
    if not isinstance(el.tag, str):
        return set()
    return set((el.get("class") or "").split())


def _inline(text: str | None) -> str:
    if not text:
        return ""
    if "\n" not in text:
        return text.replace("\r", " ")
    if text.isspace() and "\u3000" not in text:  # indentation between tags: no CJK to join
        return text.replace("\n", " ").replace("\r", " ")
    return CJK_BREAK_RE.sub("", text).replace("\n", " ").replace("\r", " ")


def _row_text(tr: etree._Element) -> str:
    cells = []
    for cell in tr:
        if isinstance(cell.tag, str) and cell.tag.lower() in CELL_TAGS:
            cells.append(squash(element_text(cell).replace(NEWLINE, " ")))
    return CELL_SEP.join(cells)


def _walk(el: etree._Element, out: list[str]) -> None:
    # the hottest loop of page extraction: checks inlined, empty strings not appended
    tag = el.tag
    if not isinstance(tag, str) or not tag or tag in SKIP_TAGS:
        return
    names = el.get("class")
    if names is not None and not SKIP_CLASSES.isdisjoint(names.split()):
        return
    tag = tag.lower()
    if tag == "br":
        out.append(NEWLINE)
        return
    if tag == "tr":
        out.extend((NEWLINE, _row_text(el), NEWLINE))
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append(NEWLINE)
    text = el.text
    if text:
        out.append(text.replace("\r", " ") if "\n" not in text else _inline(text))
    for child in el:
        _walk(child, out)
        text = child.tail
        if text:
            out.append(text.replace("\r", " ") if "\n" not in text else _inline(text))
    if block:
        out.append(NEWLINE)


def element_text(el: etree._Element) -> str:
    """Plain text of ``el``: one line per block, rows as ``a | b``, no empty lines."""
    out: list[str] = []
    try:
        _walk(el, out)
    except RecursionError:
        out = [TEXT_CONTENT(el)]
    return squash_lines("".join(out))


def squash_lines(text: str) -> str:
    """``squash`` applied to every line, empty lines dropped.

    Line by line with ``str.split`` (what ``squash`` does): one regex substitution over the
    whole text cost four times as much, for the same result.
    """
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    lines = []
    for line in text.split(NEWLINE):
        squashed = " ".join(line.split()) if line else ""
        if squashed:
            lines.append(squashed)
    return NEWLINE.join(lines)
