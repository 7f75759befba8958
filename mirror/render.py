"""Jinja2 rendering of the mirrored pages (templates in ``mirror/templates/``).

Invariants: rendering is a pure function of (document, site chrome); volatile values (the
MakeTime meta, the view counter, the API traceId) are left as ``@@…@@`` placeholders that the
server fills per request, so rendered pages can be cached per site state.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from mirror.content import AQYGZJ, WWW, Document

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAKETIME = "@@MAKETIME@@"
VIEWS = "@@VIEWS@@"
TRACE = "@@TRACEID@@"
API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
UNITBUILD_JS = "/cms_files/default/script/AuthorizedRead/unitbuild.js"
PAGE_JS = "/cms_files/default/script/ajax/page/page.js"
TABLE_SEP_RE = re.compile(r"^[\s|:\-]+$")


@dataclass(frozen=True)
class Chrome:
    """Per-host page furniture: names, navigation, footer, asset folder."""

    host: str
    site_name: str
    short_name: str
    nav: tuple[tuple[str, str], ...]
    footer: tuple[str, ...]
    tpl_dir: str
    meta_charset: bool  # aqygzj pages declare no charset anywhere (header nor meta)


CHROME = {
    WWW: Chrome(
        host=WWW,
        site_name="中华人民共和国商务部",
        short_name="商务部",
        nav=(
            ("首页", "/"),
            ("政务公开", "/zwgk/zcfb/index.html"),
            ("新闻发布", "/xwfb/rcxwfb/index.html"),
            ("发言人谈话", "/xwfb/xwfyrth/index.html"),
            ("政策发布", "/zcfb/index.html"),
            ("公告", "/zcfb/blgg/gg/2025/index.html"),
            ("互动交流", "/hdjl/index.html"),
        ),
        footer=(
            "主办单位：中华人民共和国商务部　承办：商务部办公厅",
            "网站地图 | 使用帮助 | 联系我们",
            "本网站由商务部电子商务和信息化司负责运行维护",
        ),
        tpl_dir="/cms_files/webshangwubu/tplobject/defaultSet/4e2c9b0d7a1f4c8e9b3d5a6f7c8e9d0a",
        meta_charset=True,
    ),
    AQYGZJ: Chrome(
        host=AQYGZJ,
        site_name="中华人民共和国商务部产业安全与进出口管制局",
        short_name="产业安全与进出口管制局",
        nav=(
            ("首页", "/"),
            ("法律政策", "/flzc/gzjgfxwj/index.html"),
            ("综合信息", "/zhxx/index.html"),
            ("工作动态", "/gzdt/index.html"),
        ),
        footer=(
            "关于我们 | 联系方式 | 网站地图",
            "主办单位：商务部产业安全与进出口管制局",
        ),
        tpl_dir="/cms_files/aqygzj/tplobject/defaultSet/9a8b7c6d5e4f40312a1b2c3d4e5f6071",
        meta_charset=False,
    ),
}

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _table(rows: list[str]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse">']
    for row in rows:
        if TABLE_SEP_RE.match(row):
            continue
        cells = [c.strip() for c in row.strip().removeprefix("|").removesuffix("|").split(" | ")]
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def body_html(doc: Document) -> Markup:
    """Body paragraphs, tables, annex links and signature as the article's inner HTML.

    Every non-blank line is one ``<p style="text-indent:2em">``; consecutive lines starting
    with ``| `` form one table. No ``<div>`` is emitted (crawlers cut the body at ``</div>``).
    """
    parts: list[str] = []
    table: list[str] = []
    for raw in doc.body.strip().splitlines():
        line = raw.strip()
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            parts.append(_table(table))
            table = []
        if line:
            parts.append(f'<p style="text-indent:2em">{html.escape(line)}</p>')
    if table:
        parts.append(_table(table))
    for i, annex in enumerate(doc.annexes):
        prefix = "附件：" if i == 0 else ""
        style = "text-indent:2em" if i == 0 else "text-indent:5em"
        parts.append(
            f'<p style="{style}">{prefix}<a href="{html.escape(annex.path)}">'
            f"{html.escape(annex.label)}</a></p>"
        )
    if doc.signature:
        lines = "<br>".join(html.escape(s) for s in doc.signature)
        parts.append(f'<p style="text-align:right">{lines}</p>')
    return Markup("\n".join(parts))


def description(doc: Document) -> str:
    text = re.sub(r"\s+", "", doc.body.replace("|", " "))
    return text[:120]


def script_id(page_id: str) -> str:
    """A stable 32-hex id for a column's unitbuild ``<script>`` tag."""
    return hashlib.md5(f"script-{page_id}".encode()).hexdigest()


def render(template: str, host: str, **context) -> str:
    return ENV.get_template(template).render(chrome=CHROME[host], **context)
