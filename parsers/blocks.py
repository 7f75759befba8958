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
SPACE_RE = re.compile(r"[\s\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
#: ``SPACE_RE`` without the newline: what squash() does to each line, in one pass over many.
LINE_SPACE_RE = re.compile(r"(?:[^\S\n]|[\u200b\ufeff])+")


def squash(text: str) -> str:
    """Collapse all whitespace (incl. NBSP and ideographic space) to single spaces; strip."""
    return SPACE_RE.sub(" ", text or "").strip()


def classes(el: etree._Element) -> set[str]:
    """The element's class tokens (empty for comments and processing instructions)."""
    if not isinstance(el.tag, str):
        return set()
    return set((el.get("class") or "").split())


def _skip(el: etree._Element) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in SKIP_TAGS:
        return True
    names = el.get("class") if tag else None
    return names is not None and not SKIP_CLASSES.isdisjoint(names.split())


def _inline(text: str | None) -> str:
    if not text:
        return ""
    if "\n" not in text:
        return text.replace("\r", " ")
    return CJK_BREAK_RE.sub("", text).replace("\n", " ").replace("\r", " ")


def _row_text(tr: etree._Element) -> str:
    cells = []
    for cell in tr:
        if isinstance(cell.tag, str) and cell.tag.lower() in CELL_TAGS:
            cells.append(squash(element_text(cell).replace(NEWLINE, " ")))
    return CELL_SEP.join(cells)


def _walk(el: etree._Element, out: list[str]) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if not tag or _skip(el):
        return
    if tag == "br":
        out.append(NEWLINE)
        return
    if tag == "tr":
        out.extend((NEWLINE, _row_text(el), NEWLINE))
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append(NEWLINE)
    out.append(_inline(el.text))
    for child in el:
        _walk(child, out)
        out.append(_inline(child.tail))
    if block:
        out.append(NEWLINE)


def element_text(el: etree._Element) -> str:
    """Plain text of ``el``: one line per block, rows as ``a | b``, no empty lines."""
    out: list[str] = []
    try:
        _walk(el, out)
    except RecursionError:
        out = [el.text_content() if hasattr(el, "text_content") else ""]
    return squash_lines("".join(out))


def squash_lines(text: str) -> str:
    """``squash`` applied to every line, empty lines dropped — in one pass over the text."""
    lines = (line.strip() for line in LINE_SPACE_RE.sub(" ", text).split(NEWLINE))
    return NEWLINE.join(line for line in lines if line)
