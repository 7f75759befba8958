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


def _inline(text: str) -> str:
    """A text node holding a line break: CJK breaks removed, the other breaks made spaces.

    (A carriage return stays: every later step treats it as the space it would become.)
    """
    if text.isspace() and "\u3000" not in text:  # indentation between tags: no CJK to join
        return " "
    return CJK_BREAK_RE.sub("", text).replace("\n", " ")


#: What an element is to the text walk (``_kind``).
SKIP, BREAK, ROW, BLOCK, INLINE = range(5)


def _kind(tag: object) -> int:
    if not isinstance(tag, str) or not tag or tag in SKIP_TAGS:  # comments, PIs: no text
        return SKIP
    tag = tag.lower()
    if tag == "br":
        return BREAK
    if tag == "tr":
        return ROW
    return BLOCK if tag in BLOCK_TAGS else INLINE


#: ``_kind`` of the tags pages use, looked up instead of computed for each element.
TAG_KINDS = {
    tag: _kind(tag)
    for tag in (
        *SKIP_TAGS,
        *BLOCK_TAGS,
        *CELL_TAGS,
        *("br", "tr", "span", "a", "b", "strong", "em", "i", "u", "font", "img", "sup", "sub"),
    )
}


def _row_text(tr: etree._Element) -> str:
    cells = []
    for cell in tr:
        if isinstance(cell.tag, str) and cell.tag.lower() in CELL_TAGS:
            cells.append(squash(element_text(cell).replace(NEWLINE, " ")))
    return CELL_SEP.join(cells)


def _walk(el: etree._Element, out: list[str]) -> None:
    """Append the text of ``el``'s children, each followed by its tail, to ``out``.

    The hottest loop of page extraction: checks inlined, empty strings not appended, childless
    children read without a call, and whitespace that follows a line break (which
    ``squash_lines`` would strip) not appended.
    """
    for child in el:
        tag = child.tag
        kind = TAG_KINDS.get(tag)
        if kind is None:
            kind = _kind(tag)
        if kind != SKIP:
            names = child.get("class")
            if names is None or SKIP_CLASSES.isdisjoint(names.split()):
                if kind == INLINE:
                    text = child.text
                    if text:
                        out.append(text if NEWLINE not in text else _inline(text))
                    if len(child):
                        _walk(child, out)
                else:
                    if kind == BLOCK:
                        out.append(NEWLINE)
                        text = child.text
                        if text and not text.isspace():
                            out.append(text if NEWLINE not in text else _inline(text))
                        if len(child):
                            _walk(child, out)
                        out.append(NEWLINE)
                    elif kind == BREAK:
                        out.append(NEWLINE)
                    else:
                        out += (NEWLINE, _row_text(child), NEWLINE)
                    text = child.tail
                    if text and not text.isspace():
                        out.append(text if NEWLINE not in text else _inline(text))
                    continue
        text = child.tail
        if text:
            out.append(text if NEWLINE not in text else _inline(text))


def element_text(el: etree._Element) -> str:
    """Plain text of ``el``: one line per block, rows as ``a | b``, no empty lines."""
    tag = el.tag
    kind = TAG_KINDS.get(tag)
    if kind is None:
        kind = _kind(tag)
    if kind in (SKIP, BREAK):
        return ""
    names = el.get("class")
    if names is not None and not SKIP_CLASSES.isdisjoint(names.split()):
        return ""
    if kind != ROW and not len(el):  # one text node, without a line break once inlined
        text = el.text
        return squash(text if NEWLINE not in text else _inline(text)) if text else ""
    out: list[str] = []
    try:
        if kind == ROW:
            out.append(_row_text(el))
        else:
            text = el.text
            if text and not text.isspace():  # leading whitespace: stripped anyway
                out.append(text if NEWLINE not in text else _inline(text))
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
