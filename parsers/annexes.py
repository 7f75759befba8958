"""Annex (附件) bytes → plain text, safe against hostile files.

MOFCOM announcements attach control lists as DOCX, XLSX, PDF and legacy .doc/.wps/.xls. This
module turns those bytes into text the record parsers can read: one line per paragraph, a table
or spreadsheet row as ``cell | cell | cell``, a ``[工作表 名称]`` line before each sheet and a
``[第N页]`` line before each page of a multi-page PDF.

Invariants:
- ``annex_text`` never raises and does no I/O: no files, no network, no subprocess.
- Format comes from magic bytes first (zip, ``%PDF``, OLE, RTF, HTML), the extension second.
- Every limit in ``AnnexLimits`` is enforced *before* the work it bounds: a zip member's declared
  size and compression ratio are checked before it is opened, and it is then read in chunks that
  stop at the limit, because headers can lie. Hitting a limit is never silent: the warning names
  the annex, the limit and what was kept.
- XML parts are parsed without DTDs, entity expansion or network access; a part that declares
  a DTD is refused outright (no legitimate OOXML part has one).
- Legacy binary formats are not converted here (that needs LibreOffice, see
  ``regwatch.convert``); they come back ``ok=False`` with a warning saying so.
- The text is not normalised (the caller does that); empty lines are dropped.
"""

from __future__ import annotations

import codecs
import email
import io
import posixpath
import re
import warnings as pywarnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree
from pypdf import PasswordType, PdfReader

from parsers.blocks import element_text
from parsers.encoding import decode_html
from parsers.page import (
    BAD_CHARS_RE,
    JS_CHALLENGE_RE,
    WAF_MARKERS,
    WAF_MAX_TEXT,
    XML_DECL_RE,
)

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
PDF_MAGIC = b"%PDF-"
PDF_MAGIC_WINDOW = 1024  # readers accept junk before %PDF within the first KB
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
RTF_MAGIC = b"{\\rtf"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: Word's "single file web page" (.mht) saved under a .doc name: MIME with a text/html part.
MHT_SNIFF_RE = re.compile(rb"\A\s*MIME-Version:.{0,2000}?multipart/related", re.I | re.S)
HTML_SNIFF_RE = re.compile(rb"<(!doctype\s+html|html|body|table|p)\b", re.IGNORECASE)
#: A DTD in any XML part is refused: it is the door for entity-expansion and XXE attacks.
DOCTYPE_RE = re.compile(
    b"|".join(re.escape("<!DOCTYPE".encode(enc)) for enc in ("ascii", "utf-16-le", "utf-16-be")),
    re.IGNORECASE,
)
EXT_FORMATS = {
    "docx": "docx",
    "docm": "docx",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "pdf": "pdf",
    "txt": "txt",
    "csv": "txt",
    "htm": "html",
    "html": "html",
    "shtml": "html",
    "doc": "doc",
    "wps": "wps",
    "rtf": "doc",
    "xls": "xls",
    "et": "xls",
}
LEGACY_FORMATS = frozenset({"doc", "wps", "xls"})
LEGACY_WORD_WARNING = "legacy Word/WPS format: not converted (install LibreOffice to convert)"
LEGACY_EXCEL_WARNING = "legacy Excel format: not converted (install LibreOffice to convert)"
CELL_SEP = " | "
READ_CHUNK = 1 << 16
#: Members smaller than this are not ratio-checked: they cannot hurt, and small repetitive
#: parts (empty styles, blank sheets) legitimately compress far beyond any sane ratio.
RATIO_MIN_SIZE = 1_000_000
SAFE_XML = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
}

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
OFFICE_DOCUMENT_REL = "/officeDocument"


@dataclass(frozen=True)
class AnnexText:
    """Text extracted from one annex file.

    Attributes:
        text: Plain text, one line per paragraph; table rows as ``a | b | c``.
        format: ``docx``, ``xlsx``, ``pdf``, ``txt``, ``html``, ``doc``, ``wps``, ``xls`` or
            ``unknown``.
        ok: False when nothing usable was extracted (refused, unsupported, empty, broken).
        warnings: Actionable sentences naming the annex, e.g. a limit that was hit.
    """

    text: str
    format: str
    ok: bool
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnexLimits:
    """Ceilings that keep a hostile annex from exhausting memory or time.

    Attributes:
        max_bytes: Largest input accepted.
        max_uncompressed: Total bytes read out of a zip container's members.
        max_ratio: Largest uncompressed/compressed ratio of one zip member.
        max_pages: PDF pages read; later pages are dropped with a warning.
        max_chars: Characters of output text; the rest is dropped with a warning.
        max_rows: Spreadsheet rows emitted across all sheets.
    """

    max_bytes: int = 20_000_000
    max_uncompressed: int = 50_000_000
    max_ratio: int = 200
    max_pages: int = 300
    max_chars: int = 2_000_000
    max_rows: int = 100_000


class _Refused(Exception):
    """The annex is refused as a whole; the message says why."""


def human_size(n: int) -> str:
    """Format a byte count with decimal units: ``2.1 GB``, ``50 MB``, ``512 B``."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} B"


class _Lines:
    """Output lines with a character ceiling; ``add`` returns False once it is full."""

    def __init__(self, max_chars: int) -> None:
        self.lines: list[str] = []
        self.chars = 0
        self.max_chars = max_chars
        self.full = False

    def add(self, text: str) -> bool:
        for line in text.split("\n"):
            line = line.strip()
            if not line:
                continue
            if self.full:
                return False
            room = self.max_chars - self.chars
            if len(line) + 1 > room:
                self.full = True
                line = line[: max(room - 1, 0)]
                if not line:
                    return False
            self.lines.append(line)
            self.chars += len(line) + 1
        return not self.full

    def text(self) -> str:
        return "\n".join(self.lines)


# ---------------------------------------------------------------- zip containers


class _Package:
    """A zip container whose members are read under the size, ratio and total limits."""

    def __init__(self, data: bytes, limits: AnnexLimits) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.limits = limits
        self.read_bytes = 0
        # OOXML part names are case-insensitive; some producers write xl/SharedStrings.xml.
        self.members = {info.filename.lower(): info for info in self.zip.infolist()}

    def has(self, name: str) -> bool:
        return name.lower() in self.members

    def read(self, name: str) -> bytes | None:
        """The member's bytes, or None when absent. Raises ``_Refused`` over a limit."""
        info = self.members.get(name.lower())
        if info is None:
            return None
        self._check(info)
        left = self.limits.max_uncompressed - self.read_bytes
        chunks: list[bytes] = []
        got = 0
        with self.zip.open(info) as fh:
            while chunk := fh.read(READ_CHUNK):
                got += len(chunk)
                if got > left or got > info.file_size:
                    raise _Refused(
                        f"member {info.filename} expands beyond its declared size or the "
                        f"{human_size(self.limits.max_uncompressed)} limit "
                        "(possible decompression bomb)"
                    )
                chunks.append(chunk)
        self.read_bytes += got
        return b"".join(chunks)

    def _check(self, info: zipfile.ZipInfo) -> None:
        limit = self.limits.max_uncompressed
        size = f"uncompressed size {human_size(info.file_size)} of {info.filename}"
        if info.file_size > limit - self.read_bytes:
            total = self.read_bytes + info.file_size
            over = (
                f"would bring the total read to {human_size(total)}, over"
                if self.read_bytes
                else "exceeds"
            )
            raise _Refused(f"{size} {over} limit {human_size(limit)} (possible decompression bomb)")
        if info.flag_bits & 0x1:
            raise _Refused(f"member {info.filename} is encrypted (password-protected zip)")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_MIN_SIZE and ratio > self.limits.max_ratio:
            raise _Refused(
                f"member {info.filename} compression ratio {ratio:.0f}:1 exceeds limit "
                f"{self.limits.max_ratio}:1 (possible decompression bomb)"
            )

    def xml(self, name: str) -> bytes | None:
        """Like ``read``, but refuses a part that declares a DTD."""
        data = self.read(name)
        if data is not None and DOCTYPE_RE.search(data):
            raise _Refused(
                f"XML part {name} declares a DTD (possible entity-expansion attack); "
                "OOXML parts never need one"
            )
        return data

    def main_part(self) -> str | None:
        """The officeDocument part named by ``_rels/.rels``, else a conventional name."""
        rels = self.xml("_rels/.rels") if self.has("_rels/.rels") else None
        if rels:
            for rel in _iter_end(rels, PKG_REL):
                if (rel.get("Type") or "").endswith(OFFICE_DOCUMENT_REL):
                    target = (rel.get("Target") or "").lstrip("/")
                    if self.has(target):
                        return target
        for name in ("word/document.xml", "xl/workbook.xml"):
            if self.has(name):
                return name
        return None


def _iter_end(xml: bytes, tag: str | None = None) -> Iterator[etree._Element]:
    """Elements of ``tag`` (all when None) as they end, parsed with the safe options."""
    events = etree.iterparse(io.BytesIO(xml), events=("end",), tag=tag, **SAFE_XML)  # type: ignore[call-overload]
    for _event, el in events:
        yield el


def _free(el: etree._Element) -> None:
    """Drop a processed element and its earlier siblings so streaming stays flat in memory."""
    el.clear()
    parent = el.getparent()
    while parent is not None and el.getprevious() is not None:
        del parent[0]


# ---------------------------------------------------------------- DOCX


def _run_text(p: etree._Element) -> str:
    """Text of a paragraph: ``w:t`` runs, ``w:tab`` as a space, ``w:br``/``w:cr`` as newlines."""
    parts: list[str] = []
    for el in p.iter():
        tag = el.tag
        if tag == W + "t":
            parts.append(el.text or "")
        elif tag == W + "tab" and el.getparent() is not None and el.getparent().tag == W + "r":
            parts.append(" ")  # a w:tab under w:pPr/w:tabs is a tab stop, not text
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        elif tag == W + "p" and el is not p:
            parts.append("\n")  # a text box paragraph inside this one
    return "".join(parts)


def _in_text_box(p: etree._Element, tc: etree._Element) -> bool:
    """Whether paragraph ``p`` sits inside another paragraph (a text box) within cell ``tc``."""
    for ancestor in p.iterancestors():
        if ancestor is tc:
            return False
        if ancestor.tag == W + "p":
            return True
    return False


def _cell_text(tc: etree._Element) -> str:
    """A table cell on one line: its paragraphs (nested tables included) joined by spaces."""
    texts = []
    for p in tc.iter(W + "p"):
        if _in_text_box(p, tc):
            continue  # already part of its host paragraph's text
        texts.append(" ".join(_run_text(p).split()))
    return " ".join(t for t in texts if t)


def _table_lines(tbl: etree._Element) -> Iterator[str]:
    for tr in tbl.iter(W + "tr"):
        if next(tr.iterancestors(W + "tbl"), None) is not tbl:
            continue  # a nested table's rows live inside an outer cell
        cells = [
            _cell_text(tc) for tc in tr.iter(W + "tc") if next(tc.iterancestors(W + "tr")) is tr
        ]
        if any(cells):
            yield CELL_SEP.join(cells)


def _block_lines(el: etree._Element) -> Iterator[str]:
    """Lines of one body-level element: paragraph, table, or a wrapper such as ``w:sdt``."""
    if el.tag == W + "p":
        yield _run_text(el)
    elif el.tag == W + "tbl":
        yield from _table_lines(el)
    else:
        for child in el:
            yield from _block_lines(child)


def _docx(pkg: _Package, part: str, out: _Lines, note: Callable[[str], None]) -> None:
    xml = pkg.xml(part)
    if xml is None:
        raise _Refused(f"main document part {part} is missing")
    for el in _iter_end(xml):
        parent = el.getparent()
        if parent is None or parent.tag != W + "body":
            continue
        for fallback in list(el.iter(MC_FALLBACK)):
            fallback.getparent().remove(fallback)  # same content as mc:Choice, drawn again
        for line in _block_lines(el):
            if not out.add(line):
                return
        _free(el)


# ---------------------------------------------------------------- XLSX


def _si_text(si: etree._Element) -> str:
    """Text of a shared or inline string, without phonetic (``rPh``) runs."""
    return "".join(
        t.text or "" for t in si.iter(S + "t") if next(t.iterancestors(S + "rPh"), None) is None
    )


def _shared_strings(pkg: _Package, base: str) -> list[str]:
    xml = pkg.xml(posixpath.join(base, "sharedStrings.xml"))
    if xml is None:
        return []
    strings = []
    for si in _iter_end(xml, S + "si"):
        if si.getparent() is not None and si.getparent().tag == S + "sst":
            strings.append(_si_text(si))
            _free(si)
    return strings


def _resolve(base: str, target: str) -> str:
    """A relationship target as a zip member name (absolute ``/xl/…`` or relative)."""
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
    return posixpath.normpath(path)


def _sheets(pkg: _Package, workbook: str) -> list[tuple[str, str]]:
    """(sheet name, member name) in workbook order."""
    base = posixpath.dirname(workbook)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
    targets: dict[str, str] = {}
    rels = pkg.xml(rels_name)
    if rels:
        for rel in _iter_end(rels, PKG_REL):
            targets[rel.get("Id") or ""] = _resolve(base, rel.get("Target") or "")
    sheets = []
    for i, sheet in enumerate(_iter_end(pkg.xml(workbook) or b"", S + "sheet"), start=1):
        name = sheet.get("name") or f"Sheet{i}"
        member = targets.get(sheet.get(R_ID) or "", f"{base}/worksheets/sheet{i}.xml")
        sheets.append((name, member))
    return sheets


def _cell_value(c: etree._Element, shared: list[str], bad: list[str]) -> str:
    kind = c.get("t") or "n"
    if kind == "inlineStr":
        inline = c.find(S + "is")
        return _si_text(inline) if inline is not None else ""
    v = c.findtext(S + "v") or ""
    if kind == "s":
        try:
            return shared[int(v)]
        except (ValueError, IndexError):
            bad.append(c.get("r") or "?")
            return ""
    if kind == "b":
        return {"1": "TRUE", "0": "FALSE"}.get(v.strip(), v)
    return v  # numbers, dates (serials), formula strings and errors as written


def _xlsx(pkg: _Package, part: str, out: _Lines, note: Callable[[str], None]) -> None:
    limit = pkg.limits.max_rows
    shared = _shared_strings(pkg, posixpath.dirname(part))
    rows = 0
    bad: list[str] = []
    for name, member in _sheets(pkg, part):
        xml = pkg.xml(member)
        if xml is None:
            note(f"sheet {name!r}: part {member} is missing")
            continue
        heading: str | None = f"[工作表 {name}]"  # written before the sheet's first row
        for row in _iter_end(xml, S + "row"):
            values = [_cell_value(c, shared, bad) for c in row.iter(S + "c")]
            _free(row)
            values = [v.strip() for v in values if v.strip()]
            if not values:
                continue
            if rows >= limit:
                note(f"truncated: more than {limit} spreadsheet rows, first {limit} kept")
                return
            rows += 1
            if heading:
                out.add(heading)
                heading = None
            if not out.add(CELL_SEP.join(" ".join(v.split()) for v in values)):
                return
    if bad:
        note(f"{len(bad)} cells point outside the shared strings table (first: {bad[0]})")


def _open_package(data: bytes, limits: AnnexLimits) -> tuple[_Package, str]:
    """The container and its format (``docx``/``xlsx``/``unknown``), judged by member names."""
    try:
        pkg = _Package(data, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _Refused(f"corrupt or truncated zip container ({exc})") from exc
    prefixes = {name.split("/", 1)[0] for name in pkg.members}
    fmt = "docx" if "word" in prefixes else "xlsx" if "xl" in prefixes else "unknown"
    return pkg, fmt


def _zip_text(pkg: _Package, fmt: str, note: Callable[[str], None]) -> str:
    """Text of a Word or Excel container, within the package's limits."""
    out = _Lines(pkg.limits.max_chars)
    try:
        part = pkg.main_part()
        if fmt == "unknown" or part is None:
            names = ", ".join(list(pkg.members)[:5])
            raise _Refused(f"zip archive is not a Word or Excel document (members: {names})")
        (_docx if fmt == "docx" else _xlsx)(pkg, part, out, note)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise _Refused(f"corrupt, encrypted or unsupported zip member ({exc})") from exc
    except etree.XMLSyntaxError as exc:
        if not out.lines:
            raise _Refused(f"malformed XML ({exc})") from exc
        note(f"malformed XML, text up to the error kept ({exc})")
    if out.full:
        note(f"truncated: text exceeds {pkg.limits.max_chars} characters, the start is kept")
    return out.text()


# ---------------------------------------------------------------- PDF


def _pdf_text(data: bytes, limits: AnnexLimits, note: Callable[[str], None]) -> str:
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore")  # pypdf warns about every malformed object
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise _Refused("PDF is encrypted with a password; no text extracted")
            total = len(reader.pages)
        except _Refused:
            raise
        except Exception as exc:  # pypdf raises many types on malformed input
            raise _Refused(f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
        return _pdf_pages(reader, total, limits, note)


def _pdf_pages(
    reader: PdfReader, total: int, limits: AnnexLimits, note: Callable[[str], None]
) -> str:
    out = _Lines(limits.max_chars)
    if total > limits.max_pages:
        note(
            f"truncated: {total} PDF pages exceed limit {limits.max_pages}, "
            f"first {limits.max_pages} kept"
        )
    failed: list[int] = []
    for number in range(1, min(total, limits.max_pages) + 1):
        try:
            text = reader.pages[number - 1].extract_text() or ""
        except Exception:  # one broken page must not lose the others
            failed.append(number)
            continue
        if total > 1 and text.strip():
            out.add(f"[第{number}页]")
        if not out.add(text):
            note(f"truncated: text exceeds {limits.max_chars} characters, the start is kept")
            break
    if failed:
        note(f"text extraction failed on PDF pages {', '.join(map(str, failed[:10]))}")
    if not out.lines and total and not failed:
        note("PDF has no extractable text (a scanned image? OCR is not available)")
    return out.text()


# ---------------------------------------------------------------- text, HTML, detection


def _unwrap_mht(data: bytes) -> tuple[bytes, str | None]:
    """The first text/html part of a MIME web archive and its Content-Type, else the input."""
    for part in email.message_from_bytes(data).walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload, part.get("Content-Type")
    return data, None


def _html_text(data: bytes) -> str:
    content_type = None
    if MHT_SNIFF_RE.match(data[:4096]):
        data, content_type = _unwrap_mht(data)
    html = BAD_CHARS_RE.sub("", XML_DECL_RE.sub("", decode_html(data, content_type).text))
    try:
        text = element_text(lxml.html.document_fromstring(html)) if html.strip() else ""
    except (etree.ParserError, ValueError):
        text = ""
    if len(text) <= WAF_MAX_TEXT and (
        any(m.lower() in html.lower() for m in WAF_MARKERS) or JS_CHALLENGE_RE.search(html)
    ):
        raise _Refused("content is an anti-bot (WAF) challenge page, not the annex")
    return text


def _plain_text(data: bytes, note: Callable[[str], None]) -> str:
    decoded = decode_html(data, None)
    if "last resort" in decoded.reason:
        note(f"not valid UTF-8 or GB18030, undecodable bytes replaced ({decoded.reason})")
    return decoded.text.replace("\r\n", "\n").replace("\r", "\n")


def extension_format(filename: str) -> str:
    """The format an annex's file name promises (``unknown`` when it promises none)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    return EXT_FORMATS.get(ext, "unknown")


def detect_format(data: bytes, filename: str) -> str:
    """The annex format from magic bytes first, then the extension.

    Returns ``zip`` for any zip container (its members decide docx/xlsx), a legacy format for
    OLE and RTF files, and ``unknown`` for binary content nothing recognises, including a file
    whose name promises DOCX/XLSX/PDF but whose bytes are neither that nor HTML.
    """
    ext = extension_format(filename)
    if data.startswith(ZIP_MAGICS):
        return "zip"
    if PDF_MAGIC in data[:PDF_MAGIC_WINDOW]:
        return "pdf"
    if data.startswith((OLE_MAGIC, RTF_MAGIC)):
        # An OLE file named .docx/.xlsx is usually a password-protected Office document.
        return ext if ext in LEGACY_FORMATS else "xls" if ext == "xlsx" else "doc"
    if MHT_SNIFF_RE.match(data[:4096]) or HTML_SNIFF_RE.search(data[:2048]):
        return "html"  # Word/Excel "save as web page" files often keep a .doc/.xls name
    if data.startswith(UTF16_BOMS):
        return ext if ext == "html" else "txt"  # Notepad's "Unicode" text is full of NULs
    if ext in ("docx", "xlsx", "pdf") or b"\x00" in data[:1024]:
        return "unknown"
    return ext if ext in ("txt", "html") else "txt"


def _extract(data: bytes, fmt: str, limits: AnnexLimits, note: Callable[[str], None]) -> str:
    if fmt == "pdf":
        return _pdf_text(data, limits, note)
    if fmt == "html":
        return _capped(_html_text(data), limits, note)
    if fmt == "txt":
        return _capped(_plain_text(data, note), limits, note)
    if fmt in LEGACY_FORMATS:
        note(LEGACY_EXCEL_WARNING if fmt == "xls" else LEGACY_WORD_WARNING)
        return ""
    raise _Refused(f"content is not a recognised format (starts {data[:8]!r})")


def _capped(text: str, limits: AnnexLimits, note: Callable[[str], None]) -> str:
    out = _Lines(limits.max_chars)
    out.add(text)
    if out.full:
        note(f"truncated: text exceeds {limits.max_chars} characters, the start is kept")
    return out.text()


def _check_name(filename: str, fmt: str, note: Callable[[str], None]) -> None:
    """Warn when the bytes are not what the file name promises."""
    promised = extension_format(filename)
    if promised in ("unknown", "txt", fmt) or fmt == "unknown" or {promised, fmt} <= LEGACY_FORMATS:
        return
    if promised in LEGACY_FORMATS and fmt in ("html", "docx", "xlsx"):
        return  # web-page or OOXML files saved under an old name are common and fine
    note(f"content is {fmt.upper()}, not what the .{filename.rsplit('.', 1)[-1]} name says")


def annex_text(data: bytes, filename: str, limits: AnnexLimits = AnnexLimits()) -> AnnexText:
    """Extract plain text from an annex file's bytes.

    Args:
        data: The file's bytes as downloaded.
        filename: The annex file name, used in warnings and as a format hint.
        limits: Size, ratio, page, row and character ceilings.

    Returns:
        The text, the detected format, whether anything usable was extracted, and warnings
        naming the annex. Never raises.
    """
    name = str(filename or "")
    notes: list[str] = []

    def note(message: str) -> None:
        sep = " " if message.startswith("truncated") else ": "
        notes.append(f"annex {name}{sep}{message}")

    fmt = "unknown"
    try:
        body = bytes(data or b"")
        fmt = detect_format(body, name) if body else extension_format(name)
        if not body:
            raise _Refused("file is empty (0 bytes)")
        if len(body) > limits.max_bytes:
            raise _Refused(
                f"file size {human_size(len(body))} exceeds limit {human_size(limits.max_bytes)}"
            )
        if fmt == "zip":
            pkg, fmt = _open_package(body, limits)
            _check_name(name, fmt, note)
            text = _zip_text(pkg, fmt, note)
        else:
            _check_name(name, fmt, note)
            text = _extract(body, fmt, limits, note)
    except _Refused as exc:
        notes.append(f"annex {name} refused: {exc}")
        return AnnexText("", "unknown" if fmt == "zip" else fmt, False, tuple(notes))
    except Exception as exc:  # never raise on input
        notes.append(f"annex {name}: extraction failed ({type(exc).__name__}: {exc})")
        return AnnexText("", "unknown" if fmt == "zip" else fmt, False, tuple(notes))
    ok = bool(text.strip())
    if not ok and not notes:
        notes.append(f"annex {name}: no text found")
    return AnnexText(text, fmt, ok, tuple(notes))
