"""Annex bytes → text: real DOCX/XLSX/PDF built in-test, and hostile files that must be refused."""

from __future__ import annotations

import codecs
import io
import struct
import time
import tracemalloc
import zipfile
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from mirror.annexes import build_annex
from parsers import annexes
from parsers.annexes import AnnexLimits, AnnexText, annex_text, detect_format, human_size

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
FORMATS = {"docx", "xlsx", "pdf", "txt", "html", "doc", "wps", "xls", "unknown"}
HEADER = ["序号", "管制编码", "物项名称", "参考税则号列"]
ROWS = [
    ["1", "1C902.a", "人造金刚石微粉", "71051020"],
    ["2", "1C903", "人造金刚石单晶", "71049110"],
    ["3", "3B903", "直流等离子体喷射化学气相沉积设备", "84198990"],
]
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ builders


def _zip(files: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buf.getvalue()


def _para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _table(rows: list[list[str]]) -> str:
    trs = "".join(
        "<w:tr>" + "".join(f"<w:tc>{_para(c)}</w:tc>" for c in row) + "</w:tr>" for row in rows
    )
    return f"<w:tbl><w:tblPr/>{trs}</w:tbl>"


def docx(body: str, document: str | bytes | None = None, extra: dict | None = None) -> bytes:
    """A minimal real DOCX whose word/document.xml has ``body`` (or is ``document``)."""
    if document is None:
        document = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:document xmlns:w="{W_NS}"><w:body>{body}<w:sectPr/></w:body></w:document>'
        )
    return _zip(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types/>',
            "_rels/.rels": (
                f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
                f'Type="{R_NS}/officeDocument" Target="word/document.xml"/></Relationships>'
            ),
            "word/document.xml": document,
            **(extra or {}),
        }
    )


def _cell(ref: str, value: str | int) -> str:
    if isinstance(value, int):  # a shared-string index
        return f'<c r="{ref}" t="s"><v>{value}</v></c>'
    if value.replace(".", "").isdigit():
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def _sheet(rows: list[list[str | int]]) -> str:
    xml_rows = "".join(
        f'<row r="{r}">'
        + "".join(_cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row) if v != "")
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    return f'<worksheet xmlns="{S_NS}"><sheetData>{xml_rows}</sheetData></worksheet>'


def xlsx(sheets: dict[str, list[list[str | int]]], shared: list[str] | None = None) -> bytes:
    """A minimal real XLSX; an int cell is an index into ``shared``."""
    names = list(sheets)
    files: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types/>',
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
            f'Type="{R_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{S_NS}" xmlns:r="{R_NS}"><sheets>'
            + "".join(
                f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, n in enumerate(names, start=1)
            )
            + "</sheets></workbook>"
        ),
        # Sheets deliberately stored in reverse file order: the rels, not names, decide.
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_NS}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{R_NS}/worksheet" '
                f'Target="worksheets/sheet{len(names) - i + 1}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Relationships>"
        ),
    }
    for i, name in enumerate(names, start=1):
        files[f"xl/worksheets/sheet{len(names) - i + 1}.xml"] = _sheet(sheets[name])
    if shared is not None:
        sis = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
        files["xl/sharedStrings.xml"] = f'<sst xmlns="{S_NS}">{sis}</sst>'
    return _zip(files)


def text_pdf(pages: list[str]) -> bytes:
    """A minimal hand-built PDF with one line of ASCII text per page."""
    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
    ]
    font = 3 + 2 * n
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 50 800 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
            f"<< /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for num, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (num, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _encrypted(pdf: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def zip_bomb(member: str, size: int, extra: dict[str, str] | None = None) -> bytes:
    """A zip whose ``member`` inflates to ``size`` zero bytes, streamed (never held in memory)."""
    buf = io.BytesIO()
    zeros = b"\0" * (1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, content in (extra or {}).items():
            zf.writestr(name, content)
        with zf.open(member, "w", force_zip64=True) as fh:
            left = size
            while left:
                fh.write(zeros[: min(left, len(zeros))])
                left -= min(left, len(zeros))
    return buf.getvalue()


def lines(result: AnnexText) -> list[str]:
    return result.text.split("\n")


# ------------------------------------------------------------------ DOCX


def test_docx_paragraphs_and_table_rows() -> None:
    body = (
        _para("附件") + '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>'
        "<w:r><w:t>两用物项</w:t></w:r><w:r><w:t>出口管制清单</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>一、</w:t><w:tab/><w:t>超硬材料</w:t><w:br/><w:t>（第二行）</w:t></w:r></w:p>"
        + _table([HEADER, *ROWS])
        + "<w:p><w:del><w:r><w:delText>已删除</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>本公告自公布之日起正式实施。</w:t></w:r></w:ins></w:p>"
    )
    result = annex_text(docx(body), "附件1.docx")
    assert result.ok and result.format == "docx" and result.warnings == ()
    assert lines(result) == [
        "附件",
        "两用物项出口管制清单",
        "一、 超硬材料",
        "（第二行）",
        "序号 | 管制编码 | 物项名称 | 参考税则号列",
        "1 | 1C902.a | 人造金刚石微粉 | 71051020",
        "2 | 1C903 | 人造金刚石单晶 | 71049110",
        "3 | 3B903 | 直流等离子体喷射化学气相沉积设备 | 84198990",
        "本公告自公布之日起正式实施。",
    ]


def test_docx_table_cells_keep_columns_and_flatten_inner_paragraphs() -> None:
    multi = f"<w:tc>{_para('人造金刚石')}{_para('微粉')}</w:tc>"
    nested = f"<w:tc>{_table([['a', 'b']])}</w:tc>"
    table = (
        f"<w:tbl><w:tr><w:tc>{_para('1')}</w:tc><w:tc><w:p/></w:tc>{multi}{nested}</w:tr></w:tbl>"
    )
    content = (
        "<w:sdt><w:sdtContent>" + _para("内容控件中的段落") + "</w:sdtContent></w:sdt>" + table
    )
    result = annex_text(docx(content), "附件.docx")
    assert lines(result) == ["内容控件中的段落", "1 |  | 人造金刚石 微粉 | a b"]


def test_docx_from_the_mirror_and_found_through_rels() -> None:
    data, _ = build_annex("cms_files/附件2.docx", "附件2", "附件2\n管制物项清单\n1 | 1C902.a")
    result = annex_text(data, "附件2.docx")
    assert result.ok and lines(result) == ["附件2", "管制物项清单", "1 | 1C902.a"]
    moved = _zip(
        {
            "_rels/.rels": (
                f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
                f'Type="{R_NS}/officeDocument" Target="/word/document2.xml"/></Relationships>'
            ),
            "word/document2.xml": f'<w:document xmlns:w="{W_NS}"><w:body>{_para("正文")}</w:body></w:document>',
        }
    )
    assert annex_text(moved, "a.docx").text == "正文"


def test_docx_max_chars_truncates_with_warning() -> None:
    body = "".join(_para(f"第{i}段：对下列物项实施出口管制。") for i in range(100))
    result = annex_text(docx(body), "长.docx", AnnexLimits(max_chars=60))
    assert result.ok and len(result.text) <= 60
    assert result.text.startswith("第0段")
    assert any("exceeds 60 characters" in w for w in result.warnings)


# ------------------------------------------------------------------ XLSX


def test_xlsx_shared_inline_numbers_and_sheets() -> None:
    shared = ["序号", "管制编码", "物项名称", "参考税则号列", "人造金刚石微粉"]
    data = xlsx(
        {
            "管制清单": [[0, 1, 2, 3], ["1", "1C902.a", 4, "71051020"], ["", "", "", ""]],
            "说明": [["2", "", "备注：空单元格被跳过", "3.5"]],
        },
        shared=shared,
    )
    result = annex_text(data, "附件1.xlsx")
    assert result.ok and result.format == "xlsx" and result.warnings == ()
    assert lines(result) == [
        "[工作表 管制清单]",
        "序号 | 管制编码 | 物项名称 | 参考税则号列",
        "1 | 1C902.a | 人造金刚石微粉 | 71051020",
        "[工作表 说明]",
        "2 | 备注：空单元格被跳过 | 3.5",
    ]


def test_xlsx_from_the_mirror() -> None:
    data, _ = build_annex("附件.xlsx", "附件", "序号 | 管制编码\n1 | 1C902.a")
    assert lines(annex_text(data, "附件.xlsx")) == [
        "[工作表 Sheet1]",
        "序号 | 管制编码",
        "1 | 1C902.a",
    ]


def test_xlsx_max_rows_keeps_the_first_rows() -> None:
    rows: list[list[str | int]] = [[str(i), f"1C{i:03d}"] for i in range(50)]
    result = annex_text(xlsx({"S": rows}), "大.xlsx", AnnexLimits(max_rows=10))
    assert lines(result)[1:] == [f"{i} | 1C{i:03d}" for i in range(10)]
    assert result.ok
    assert any("more than 10 spreadsheet rows, first 10 kept" in w for w in result.warnings)


def test_xlsx_bad_shared_string_index_warns() -> None:
    result = annex_text(xlsx({"S": [["1", 7]]}, shared=["甲"]), "a.xlsx")
    assert result.text.endswith("1")
    assert any("outside the shared strings" in w for w in result.warnings)


# ------------------------------------------------------------------ PDF, text, HTML


def test_pdf_from_the_mirror() -> None:
    data, _ = build_annex("annex-1.pdf", "附件1", "附件1\n1C902.a 71051020")
    result = annex_text(data, "附件1.pdf")
    assert result.ok and result.format == "pdf"
    assert "1C902.a 71051020" in result.text


def test_pdf_pages_are_marked_and_limited() -> None:
    data = text_pdf([f"Page {i} 1C90{i}" for i in range(1, 5)])
    result = annex_text(data, "附件.pdf", AnnexLimits(max_pages=2))
    assert lines(result) == ["[第1页]", "Page 1 1C901", "[第2页]", "Page 2 1C902"]
    assert any("4 PDF pages exceed limit 2, first 2 kept" in w for w in result.warnings)


def test_pdf_over_default_page_limit_from_blank_pages() -> None:
    writer = PdfWriter()
    for _ in range(AnnexLimits().max_pages + 5):
        writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    result = annex_text(buf.getvalue(), "blank.pdf")
    assert not result.ok
    assert any("305 PDF pages exceed limit 300" in w for w in result.warnings)
    assert any("no extractable text" in w for w in result.warnings)


def test_encrypted_pdf() -> None:
    plain = text_pdf(["Secret 1C902.a"])
    locked = annex_text(_encrypted(plain, "secret"), "locked.pdf")
    assert not locked.ok and locked.format == "pdf"
    assert any("encrypted with a password" in w for w in locked.warnings)
    # Owner-password-only PDFs (print/copy restrictions) open with the empty user password.
    restricted = annex_text(_encrypted(plain, ""), "restricted.pdf")
    assert restricted.ok and "Secret 1C902.a" in restricted.text


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n" + bytes(range(256)) * 20,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
        text_pdf(["Cut short"])[:120],
    ],
)
def test_garbage_pdf_is_refused_not_raised(data: bytes) -> None:
    result = annex_text(data, "bad.pdf")
    assert not result.ok and result.format == "pdf"
    assert result.warnings and result.warnings[-1].startswith("annex bad.pdf")


def test_random_bytes_named_pdf() -> None:
    result = annex_text(bytes(range(256)) * 4, "附件.pdf")
    assert not result.ok and result.format == "unknown"
    assert "not a recognised format" in result.warnings[-1]


def test_text_and_gb18030() -> None:
    result = annex_text("序号\t管制编码\r\n1\t1C902.a\r\n".encode("gb18030"), "说明.txt")
    assert result.ok and result.format == "txt"
    assert lines(result) == ["序号\t管制编码", "1\t1C902.a"]


def test_utf16_text_with_bom() -> None:
    result = annex_text(codecs.BOM_UTF16_LE + "管制编码\r\n1C902.a".encode("utf-16-le"), "a.txt")
    assert (result.ok, result.format, lines(result)) == (True, "txt", ["管制编码", "1C902.a"])


def test_html_table_and_word_web_page_named_doc() -> None:
    html = "<html><body><p>附件</p><table><tr><td>1</td><td>1C902.a</td></tr></table></body></html>"
    result = annex_text(html.encode("utf-8"), "附件.doc")
    assert result.ok and result.format == "html" and result.warnings == ()
    assert lines(result) == ["附件", "1 | 1C902.a"]


def test_mht_named_doc_is_unwrapped() -> None:
    qp = "".join(f"={b:02X}" for b in "人造金刚石微粉".encode())
    mht = (
        'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="B"\r\n\r\n--B\r\n'
        'Content-Type: text/html; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"<html><body><p>{qp}</p></body></html>\r\n--B--\r\n"
    ).encode()
    result = annex_text(mht, "附件.doc")
    assert result.ok and result.text == "人造金刚石微粉"


def test_waf_page_instead_of_the_annex() -> None:
    page = "<html><body><h1>访问被拒绝</h1><p>您的访问请求可能对网站造成安全威胁</p></body></html>"
    result = annex_text(page.encode(), "附件1.pdf")
    assert not result.ok
    assert any("WAF" in w for w in result.warnings)


# ------------------------------------------------------------------ legacy, empty, odd


@pytest.mark.parametrize(
    ("name", "fmt", "says"),
    [
        ("附件.doc", "doc", "legacy Word/WPS format: not converted (install LibreOffice"),
        ("附件.wps", "wps", "legacy Word/WPS format"),
        ("附件.xls", "xls", "legacy Excel format"),
        ("附件.docx", "doc", "legacy Word/WPS format"),  # an encrypted OOXML file is OLE
    ],
)
def test_legacy_ole_files(name: str, fmt: str, says: str) -> None:
    data, _ = build_annex("x.doc", "附件", "附件")
    result = annex_text(data, name)
    assert (result.ok, result.format, result.text) == (False, fmt, "")
    assert any(says in w for w in result.warnings)


def test_empty_file() -> None:
    result = annex_text(b"", "附件1.docx")
    assert (result.ok, result.format) == (False, "docx")
    assert result.warnings == ("annex 附件1.docx refused: file is empty (0 bytes)",)


def test_input_over_max_bytes() -> None:
    result = annex_text(text_pdf(["x"]), "a.pdf", AnnexLimits(max_bytes=100))
    assert not result.ok and "exceeds limit 100 B" in result.warnings[-1]


def test_zip_that_is_not_an_office_document() -> None:
    data, _ = build_annex("附件.zip", "附件", "说明")
    result = annex_text(data, "附件.zip")
    assert not result.ok and result.format == "unknown"
    assert "not a Word or Excel document (members: readme.txt)" in result.warnings[-1]


def test_content_not_matching_name_is_warned() -> None:
    result = annex_text(docx(_para("正文")), "附件.pdf")
    assert result.ok and result.format == "docx"
    assert any("content is DOCX, not what the .pdf name says" in w for w in result.warnings)


def test_detect_format_magic_first() -> None:
    assert detect_format(b"PK\x03\x04rest", "a.pdf") == "zip"
    assert detect_format(b"junk%PDF-1.4", "a.docx") == "pdf"
    assert detect_format(b"{\\rtf1 hello}", "a.doc") == "doc"
    assert detect_format("纯文本".encode(), "noext") == "txt"
    assert detect_format(b"\x00\x01", "noext") == "unknown"


def test_human_size() -> None:
    assert [human_size(n) for n in (512, 50_000_000, 2_100_000_000, 1_500)] == [
        "512 B",
        "50 MB",
        "2.1 GB",
        "1.5 KB",
    ]


# ------------------------------------------------------------------ hostile zip containers


@pytest.fixture(scope="module")
def bomb_200mb() -> bytes:
    return zip_bomb("word/document.xml", 200_000_000)


def test_zip_bomb_is_refused_before_inflating(bomb_200mb: bytes) -> None:
    assert len(bomb_200mb) < 1_000_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = annex_text(bomb_200mb, "附件1.docx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < 5_000_000
    assert (result.ok, result.format, result.text) == (False, "docx", "")
    assert result.warnings == (
        "annex 附件1.docx refused: uncompressed size 200 MB of word/document.xml exceeds "
        "limit 50 MB (possible decompression bomb)",
    )


def test_zip_member_over_ratio_is_refused() -> None:
    # No workbook rels: the sheet is found by its conventional name.
    workbook = f'<workbook xmlns="{S_NS}"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>'
    data = zip_bomb("xl/worksheets/sheet1.xml", 10_000_000, {"xl/workbook.xml": workbook})
    result = annex_text(data, "附件.xlsx")
    assert not result.ok
    assert "compression ratio" in result.warnings[-1]
    assert "exceeds limit 200:1 (possible decompression bomb)" in result.warnings[-1]


def test_total_uncompressed_budget_across_members() -> None:
    rows: list[list[str | int]] = [[str(i), "人造金刚石微粉" * 5] for i in range(3000)]
    data = xlsx({"A": rows, "B": rows, "C": rows})
    assert annex_text(data, "a.xlsx").ok
    result = annex_text(data, "a.xlsx", AnnexLimits(max_uncompressed=500_000))
    assert not result.ok
    assert "would bring the total read to" in result.warnings[-1]
    assert "over limit 500 KB (possible decompression bomb)" in result.warnings[-1]


def _patch_central_sizes(data: bytes, member: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size the central directory declares for ``member``."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46 : pos + 46 + name_len]) == member:
            struct.pack_into("<I", out, pos + 24, size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def test_lying_size_header_is_not_trusted() -> None:
    body = "".join(_para(f"第{i}段") for i in range(20000))
    honest = docx(body)
    liar = _patch_central_sizes(honest, b"word/document.xml", 1000)
    result = annex_text(liar, "附件.docx")
    assert not result.ok
    assert result.warnings[-1].startswith("annex 附件.docx refused:")


@pytest.mark.parametrize("cut", [10, 100, 0.5, -30, -1])
def test_truncated_zip(cut: float) -> None:
    data = docx(_para("正文") * 50)
    end = int(len(data) * cut) if isinstance(cut, float) else cut
    result = annex_text(data[:end], "附件.docx")
    assert not result.ok
    assert "refused" in result.warnings[-1] or "failed" in result.warnings[-1]


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE w:document ['
    '<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + f']><w:document xmlns:w="{W_NS}"><w:body>'
    "<w:p><w:r><w:t>前&lol9;后</w:t></w:r></w:p></w:body></w:document>"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_docx_is_refused(encoding: str) -> None:
    document = BILLION_LAUGHS.replace('version="1.0"', f'version="1.0" encoding="{encoding}"')
    result = annex_text(docx("", document=document.encode(encoding)), "附件.docx")
    assert not result.ok
    assert "declares a DTD (possible entity-expansion attack)" in result.warnings[-1]


def test_entities_are_not_expanded_even_past_the_dtd_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(annexes, "DOCTYPE_RE", annexes.re.compile(b"(?!)"))
    started = time.perf_counter()
    result = annex_text(docx("", document=BILLION_LAUGHS), "附件.docx")
    assert time.perf_counter() - started < 2
    assert "lol" not in result.text and len(result.text) < 100


def test_external_entity_is_refused() -> None:
    document = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    result = annex_text(docx("", document=document), "附件.docx")
    assert not result.ok and "root:" not in result.text


def test_malformed_xml_keeps_text_before_the_error() -> None:
    document = f'<w:document xmlns:w="{W_NS}"><w:body>{_para("第一段")}{_para("第二段")}<w:p><w:r>'
    result = annex_text(docx("", document=document), "附件.docx")
    assert result.ok and lines(result) == ["第一段", "第二段"]
    assert any("malformed XML" in w for w in result.warnings)


def test_encrypted_zip_member() -> None:
    data = bytearray(docx(_para("正文")))
    pos = data.find(b"PK\x01\x02")
    while pos != -1:  # set the "encrypted" flag bit in every central directory entry
        data[pos + 8] |= 1
        pos = data.find(b"PK\x01\x02", pos + 4)
    result = annex_text(bytes(data), "附件.docx")
    assert not result.ok and "is encrypted (password-protected zip)" in result.warnings[-1]


# ------------------------------------------------------------------ properties


EXTENSIONS = ["docx", "xlsx", "pdf", "doc", "wps", "xls", "txt", "html", "zip", "", "rar"]
MAGICS = [b"", b"PK\x03\x04", b"%PDF-1.4\n", bytes.fromhex("d0cf11e0a1b11ae1"), b"<html>"]


@FAST
@given(
    magic=st.sampled_from(MAGICS),
    body=st.binary(max_size=2000),
    ext=st.sampled_from(EXTENSIONS),
)
def test_random_bytes_never_raise(magic: bytes, body: bytes, ext: str) -> None:
    result = annex_text(magic + body, f"附件.{ext}" if ext else "附件")
    assert isinstance(result, AnnexText)
    assert result.format in FORMATS
    assert result.ok == bool(result.text.strip())
    assert result.ok or result.warnings


VALID = {
    "docx": docx(_para("附件") + _table([HEADER, *ROWS])),
    "xlsx": xlsx({"S": [HEADER, *ROWS]}, shared=["甲"]),
    "pdf": text_pdf(["Page 1", "Page 2"]),
}


@FAST
@given(
    kind=st.sampled_from(sorted(VALID)),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
)
def test_corrupted_valid_files_never_raise(kind: str, flips: list[tuple[int, int]]) -> None:
    data = bytearray(VALID[kind])
    for pos, value in flips:
        data[pos % len(data)] = value
    result = annex_text(bytes(data), f"附件.{kind}")
    assert result.format in FORMATS
    assert result.ok or result.warnings
