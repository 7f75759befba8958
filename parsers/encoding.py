"""Bytes → text for fetched pages, with the reason the encoding was chosen.

Order of evidence: byte-order mark; ``charset`` in the Content-Type header; ``<meta charset>`` or
``http-equiv`` in the first 2 KB; strict UTF-8; GB18030; finally UTF-8 with replacement
characters. A declared charset is used only if the body decodes strictly with it, otherwise the
next step is tried and the reason says so. GB2312/GBK labels are read as GB18030 (a superset).
aqygzj.mofcom.gov.cn sends no charset at all; its bodies are UTF-8, which the strict-UTF-8 step
catches. Invariant: ``decode_html`` never raises.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Labels that GB18030 decodes correctly (it is a superset of each).
GB_ALIASES = frozenset({"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "hz-gb-2312"})
CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
META_SNIFF_BYTES = 2048


@dataclass(frozen=True)
class Decoded:
    """A decoded body.

    Attributes:
        text: The decoded text (BOM removed).
        encoding: Python codec name actually used.
        reason: Human-readable evidence for the choice, e.g. ``"charset gbk in Content-Type"``.
    """

    text: str
    encoding: str
    reason: str


def normalize_label(label: str) -> str | None:
    """Map a charset label to a Python codec name, GB family → ``gb18030``; None if unknown."""
    low = label.strip().strip("\"'").lower()
    if low in GB_ALIASES:
        return "gb18030"
    try:
        name = codecs.lookup(low).name
    except LookupError:
        return None
    return "gb18030" if name in {"gbk", "gb2312", "hz"} else name


def _try(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared(body: bytes, content_type: str | None) -> Iterator[tuple[str, str]]:
    """Declared charsets in order of authority, each with where it was found.

    A generator: the ``<meta>`` is only looked for when the header's charset did not decode.
    """
    if content_type:
        m = CHARSET_RE.search(content_type.encode("latin-1", "replace"))
        if m:
            yield (m.group(1).decode("ascii", "replace"), "Content-Type")
    m = META_CHARSET_RE.search(body[:META_SNIFF_BYTES])
    if m:
        yield (m.group(1).decode("ascii", "replace"), "<meta> in the first 2 KB")


def decode_html(body: bytes, content_type: str | None) -> Decoded:
    """Decode an HTTP body to text.

    Args:
        body: Raw response bytes.
        content_type: The Content-Type header value, or None when absent.

    Returns:
        The decoded text with the codec used and the reason it was chosen.
    """
    body = bytes(body or b"")
    for bom, enc in BOMS:
        if body.startswith(bom):
            bom_text = body[len(bom) :].decode(enc, errors="replace")
            return Decoded(bom_text, enc, f"byte-order mark ({enc})")
    notes: list[str] = []
    for label, where in _declared(body, content_type):
        codec = normalize_label(label)
        if codec is None:
            notes.append(f"unknown charset {label!r} in {where}")
            continue
        text = _try(body, codec)
        if text is not None:
            return Decoded(text, codec, f"charset {label.lower()} in {where}")
        notes.append(f"charset {label.lower()} in {where} does not decode the body")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    text = _try(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", f"valid UTF-8, no usable declaration{suffix}")
    text = _try(body, "gb18030")
    if text is not None:
        return Decoded(text, "gb18030", f"not UTF-8, decodes as GB18030{suffix}")
    return Decoded(
        body.decode("utf-8", errors="replace"),
        "utf-8",
        f"undecodable bytes replaced, read as UTF-8 as a last resort{suffix}",
    )
