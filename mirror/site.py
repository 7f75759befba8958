"""One site state of the mirror: which documents are visible, and the response to every URL.

Invariants:
- A ``SiteState`` is built for one state number from the immutable documents and never changes;
  rendered pages are cached inside it (placeholders for volatile values are filled per request).
- Lists are newest first (``published`` descending, then id) and contain exactly the documents
  whose ``column`` or ``also_in`` names the list and whose ``states`` contain the state.
- Unknown ``…/art/YYYY/art_<hex>.html`` URLs (including delisted documents) answer 200 with the
  portal shell; any other unknown path answers 404 with a large HTML error page.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from mirror import jpaas
from mirror.annexes import build_annex
from mirror.content import AQYGZJ, WWW, Document
from mirror.render import (
    API_PATH,
    MAKETIME,
    PAGE_JS,
    TRACE,
    UNITBUILD_JS,
    VIEWS,
    body_html,
    description,
    render,
    script_id,
)

CST = timezone(timedelta(hours=8))
ART_RE = re.compile(r"^/(?:[\w\-]+/)+art/\d{4}/art_[0-9a-z]{32}\.html$")
GG_INDEX_RE = re.compile(r"^/zcfb/blgg/gg/(\d{4})/(?:index\.html)?$")
JSON_TYPE = "application/json; charset=UTF-8"
HTML_TYPES = {WWW: "text/html; charset=UTF-8", AQYGZJ: "text/html"}  # aqygzj sends no charset
NOT_FOUND_FILLER = 260  # CSS rules in the 404 page; makes it ~60 KB like the real error page
HOME_ROWS = 8
AQ_HOME_COLUMNS = (
    ("flzc/gzjgfxwj", "规章及规范性文件"),
    ("zhxx", "综合信息"),
    ("gzdt", "工作动态"),
)
WWW_HOME_COLUMNS = (
    ("zwgk/zcfb", "政策发布"),
    ("xwfb/rcxwfb", "日常新闻发布"),
    ("xwfb/xwfyrth", "新闻发言人谈话"),
)
STUB_JS = b"/* mirror stub: the real script builds the list from the JPaaS unit API */\n"
VIEW_COUNTER = itertools.count(1000)


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    href: str
    title: str
    text: str
    day: str
    category: str = ""


def _row(doc: Document, host: str, href: str | None = None) -> Row:
    href = href or (doc.path if doc.host == host else doc.url)
    return Row(href, doc.title, doc.shown_title, doc.day, doc.category)


class SiteState:
    """Every response of the mirrored hosts in one site state (thread-safe, cached)."""

    def __init__(self, documents: list[Document], state: int) -> None:
        self.state = state
        visible = [d for d in (doc.at_state(state) for doc in documents) if d is not None]
        visible.sort(key=lambda d: (d.published, d.id), reverse=True)
        self.documents = visible
        self.by_path = {(d.host, d.path): d for d in visible}
        self.lists: dict[tuple[str, str], list[Document]] = defaultdict(list)
        self.annexes: dict[tuple[str, str], tuple[str, str | None]] = {}
        for doc in visible:
            for name in doc.lists:
                self.lists[(doc.host, name)].append(doc)
            for annex in doc.annexes:
                self.annexes[(doc.host, annex.path)] = (annex.label, annex.content)
        self._cache: dict[tuple, bytes] = {}
        self._lock = threading.Lock()

    # ---- caching -------------------------------------------------------------------------

    def _cached(self, key: tuple, build) -> bytes:
        hit = self._cache.get(key)
        if hit is None:
            hit = build()
            with self._lock:
                if len(self._cache) > 20000:
                    self._cache.clear()
                self._cache[key] = hit
        return hit

    def _html(self, host: str, key: tuple, template: str, status: int = 200, **ctx) -> Response:
        body = self._cached((host, *key), lambda: render(template, host, **ctx).encode("utf-8"))
        return Response(status, HTML_TYPES[host], body)

    # ---- routing -------------------------------------------------------------------------

    def respond(self, host: str, path: str, query: str) -> Response:
        """The response of ``host`` to ``GET path?query`` in this state."""
        if path == API_PATH:
            return self.api(host, query)
        if path.startswith((UNITBUILD_JS, PAGE_JS)):
            return Response(200, "application/javascript; charset=UTF-8", STUB_JS)
        if ART_RE.match(path):
            return self.article(host, path)
        if (host, path) in self.annexes:
            label, content = self.annexes[(host, path)]
            body, ctype = build_annex(path, label, content)
            return Response(200, ctype, body)
        column = path.strip("/").removesuffix("index.html").strip("/")
        if (host, column) in jpaas.BY_COLUMN and path.endswith(("/", "/index.html")):
            return self.column_shell(jpaas.BY_COLUMN[(host, column)])
        if path in ("/", "/index.html"):
            return self.home(host)
        if host == WWW:
            match = GG_INDEX_RE.match(path)
            if match:
                return self.gg_index(match.group(1))
            if path in ("/zcfb/", "/zcfb/index.html"):
                return self.zcfb_index()
        if host == AQYGZJ and path in ("/gywm/", "/gywm/index.html"):
            return self._html(host, ("about",), "about.html")
        return self.not_found(host)

    def not_found(self, host: str) -> Response:
        return self._html(host, ("404",), "notfound.html", 404, filler=NOT_FOUND_FILLER)

    def portal_shell(self, host: str) -> Response:
        return self._html(host, ("portal",), "portal.html")

    def article(self, host: str, path: str) -> Response:
        doc = self.by_path.get((host, path))
        if doc is None:
            return self.portal_shell(host)
        encoding = "gbk" if doc.encoding in ("gbk", "gb2312", "gb18030") else "utf-8"
        key = ("art", host, path)
        body = self._cache.get(key)
        if body is None:
            page = render(
                "article.html",
                host,
                doc=doc,
                body=body_html(doc),
                keywords=doc.keywords or doc.column_name,
                description=description(doc),
                charset_meta="gb2312" if encoding == "gbk" else None,
            )
            body = self._cached(key, lambda: page.encode(encoding, "xmlcharrefreplace"))
        now = datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")
        body = body.replace(MAKETIME.encode(), now.encode()).replace(
            VIEWS.encode(), str(next(VIEW_COUNTER)).encode()
        )
        ctype = "text/html" if encoding == "gbk" else HTML_TYPES[host]
        return Response(200, ctype, body)

    def column_shell(self, col: jpaas.JpaasColumn) -> Response:
        return self._html(
            col.host,
            ("shell", col.column),
            "column.html",
            col=col,
            script_id=script_id(col.page_id),
            unitbuild_js=UNITBUILD_JS,
            page_js=PAGE_JS,
            api_path=API_PATH,
        )

    def api(self, host: str, query: str) -> Response:
        req = jpaas.parse_list_request(host, query)
        if req is None:
            return Response(200, JSON_TYPE, jpaas.FAILURE_BODY)
        key = ("api", host, req.column.page_id, req.page_no, req.page_size)
        body = self._cached(key, lambda: self._fragment_json(req).encode("utf-8"))
        body = body.replace(TRACE.encode(), secrets.token_hex(16).encode())
        return Response(200, JSON_TYPE, body)

    def _fragment_json(self, req: jpaas.ListRequest) -> str:
        col = req.column
        docs = self.lists.get((col.host, col.column), [])
        start = (req.page_no - 1) * req.page_size
        rows = [_row(d, col.host) for d in docs[start : start + req.page_size]]
        last_page = max(1, -(-len(docs) // req.page_size))
        window = range(max(1, req.page_no - 2), min(last_page, req.page_no + 2) + 1)
        fragment = render(
            "fragment.html",
            col.host,
            col=col,
            rows=rows,
            count=len(docs),
            page_no=req.page_no,
            page_size=req.page_size,
            last_page=last_page,
            pages=list(window),
            api_path=API_PATH,
        )
        return jpaas.envelope(fragment)

    def gg_index(self, year: str) -> Response:
        docs = self.lists.get((WWW, f"zcfb/blgg/gg/{year}"), [])
        rows = [_row(d, WWW) for d in docs]
        return self._html(WWW, ("gg", year), "static_list.html", name=f"{year}年公告", rows=rows)

    def zcfb_index(self) -> Response:
        docs = [
            d
            for d in self.documents
            if d.host == WWW and any(n == "zwgk/zcfb" or n.startswith("zcfb/") for n in d.lists)
        ]
        rows = [_row(d, WWW) for d in docs[:40]]
        year = docs[0].year if docs else "2025"
        return self._html(WWW, ("zcfb",), "zcfb_index.html", rows=rows, year=year)

    def home(self, host: str) -> Response:
        if host == AQYGZJ:
            return self._html(host, ("home",), "home_aqygzj.html", blocks=self._aq_blocks())
        blocks = [
            {
                "name": name,
                "href": f"/{col}/index.html",
                "rows": [_row(d, WWW) for d in self.lists.get((WWW, col), [])[:HOME_ROWS]],
            }
            for col, name in WWW_HOME_COLUMNS
        ]
        return self._html(host, ("home",), "home_www.html", blocks=blocks)

    def _aq_blocks(self) -> list[dict]:
        """aqygzj home: per column the latest rows, links alternating https/http/relative."""
        blocks = []
        counter = itertools.count()
        for col, name in AQ_HOME_COLUMNS:
            rows = []
            for doc in self.lists.get((AQYGZJ, col), [])[:HOME_ROWS]:
                style = next(counter) % 3
                href = (
                    f"https://{AQYGZJ}{doc.path}",
                    f"http://{AQYGZJ}{doc.path}",
                    doc.path,
                )[style]
                rows.append(_row(doc, AQYGZJ, href))
            blocks.append({"name": name, "href": f"/{col}/index.html", "rows": rows})
        # an undated row without a title attribute, as on the real home page
        blocks.append(
            {
                "name": "关于本局",
                "href": "/gywm/index.html",
                "rows": [Row("/gywm/index.html", "", "联系方式", "")],
            }
        )
        return blocks
