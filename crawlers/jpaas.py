"""JPaaS navigation helpers (www.mofcom.gov.cn and aqygzj share the Hanweb "JPaaS" CMS).

Column pages are JS shells; the list comes from ``/api-gateway/jpaas-publish-server/front/page/
build/unit`` as a JSON envelope whose ``data.html`` is an HTML fragment (SITE_NOTES §1.2–1.3).
Everything here is a pure function of text, except ``JpaasSpider``, which uses them to walk a
column. Parameters are read from the column page each run, never hard-coded; they are cached in
the source state and dropped again when the API rejects them.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.base import ListRow, RegwatchSpider

DEFAULT_API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PAGE_SIZE = 15
STATE_KEY = "jpaas_params"
#: ``<script … url="/api-gateway/…" queryData="{'parseType':'bulidstatic',…}">`` (single quotes).
SCRIPT_RE = re.compile(r"<script\b[^>]*\bquerydata\s*=\s*[^>]*>", re.IGNORECASE)
ATTR_RE = re.compile(r"""\b([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
PAGER_ATTR_RES = {
    name: re.compile(rf'\b{name}\s*=\s*"(\d+)"', re.IGNORECASE)
    for name in ("count", "rows", "pageno")
}
API_FAILURE_HINT = (
    "the pageId/tagId no longer match the column (site redesign?) or tagId was not sent as "
    "UTF-8; the column page's <script queryData> is re-read on the next attempt"
)


@dataclass(frozen=True)
class JpaasParams:
    """What the column page's script tag says about its list."""

    api_path: str
    query: dict[str, str]


@dataclass(frozen=True)
class Pager:
    count: int
    rows: int
    pageno: int

    @property
    def last_page(self) -> int:
        return max(1, -(-self.count // max(1, self.rows)))


def _attrs(tag: str) -> dict[str, str]:
    return {
        m[1].lower(): html_lib.unescape(m[2] if m[2] is not None else m[3])
        for m in ATTR_RE.finditer(tag)
    }


def params_from_column(page_html: str) -> JpaasParams | None:
    """Read the list parameters from a column shell; None when the page has no JPaaS script.

    ``queryData`` uses single quotes (unitbuild.js swaps them before JSON.parse). When several
    scripts carry one, the paginated list (tagId ending in 列表) wins.
    """
    found: list[JpaasParams] = []
    for tag in SCRIPT_RE.findall(page_html):
        attrs = _attrs(tag)
        try:
            data = json.loads(attrs.get("querydata", "").replace("'", '"'))
        except ValueError:
            continue
        if not isinstance(data, dict) or not data.get("pageId") or not data.get("tagId"):
            continue
        query = {str(k): str(v) for k, v in data.items()}
        found.append(JpaasParams(attrs.get("url") or DEFAULT_API_PATH, query))
    found.sort(key=lambda p: not p.query["tagId"].endswith("列表"))
    return found[0] if found else None


def api_url(site_url: str, params: JpaasParams, page_no: int, page_size: int = PAGE_SIZE) -> str:
    """The list API URL for ``page_no``: keys as separate UTF-8 percent-encoded GET parameters.

    Page 1 goes without ``paramJson``; later pages send ``{"pageNo":N,"pageSize":15}`` as ONE
    encoded value, the only pagination the API honours (top-level pageNo is ignored).
    """
    pairs = list(params.query.items())
    if page_no > 1:
        pairs.append(
            (
                "paramJson",
                json.dumps({"pageNo": page_no, "pageSize": page_size}, separators=(",", ":")),
            )
        )
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    return f"{urljoin(site_url, params.api_path)}?{query}"


def parse_envelope(body: bytes) -> tuple[str | None, str | None]:
    """``(fragment_html, None)`` for a successful envelope, ``(None, error message)`` otherwise."""
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None, f"JPaaS API did not answer JSON ({len(body)} bytes); {API_FAILURE_HINT}"
    if not isinstance(data, dict):
        return (
            None,
            f"JPaaS API answered {type(data).__name__}, not an envelope; {API_FAILURE_HINT}",
        )
    ok = data.get("success") is True or str(data.get("code")) == "200"
    fragment = (data.get("data") or {}).get("html") if isinstance(data.get("data"), dict) else None
    if ok and isinstance(fragment, str):
        return fragment, None
    return None, (
        f"JPaaS API refused the list (success={data.get('success')!r}, code={data.get('code')!r}, "
        f"message={str(data.get('message') or '')[:120]!r}); {API_FAILURE_HINT}"
    )


def normalise_date(text: str | None) -> str | None:
    """``[2025-4-4]`` → ``2025-04-04``; None when there is no date."""
    m = DATE_RE.search(text or "")
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


def parse_rows(fragment: str, base_url: str) -> list[ListRow]:
    """The rows of ``ul.txtList_01``: absolute URL, full title (``title`` attr), day."""
    rows = []
    for li in Selector(text=fragment).css("ul.txtList_01 li"):
        a = li.css("a[href]")
        if not a:
            continue
        href = (a[0].attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        title = a[0].attrib.get("title") or " ".join(a[0].css("::text").getall()).strip()
        rows.append(
            ListRow(
                urljoin(base_url, href),
                title.strip() or None,
                normalise_date(" ".join(li.css("span::text").getall())),
            )
        )
    return rows


def parse_pager(fragment: str) -> Pager | None:
    """The totals from ``div.pagination`` (``count``, ``rows``, ``pageno``); None when absent."""
    found = {name: rx.search(fragment) for name, rx in PAGER_ATTR_RES.items()}
    if not found["count"]:
        return None
    rows = int(found["rows"][1]) if found["rows"] else PAGE_SIZE
    pageno = int(found["pageno"][1]) if found["pageno"] else 1
    return Pager(int(found["count"][1]), rows, pageno)


class JpaasSpider(RegwatchSpider):
    """Walks JPaaS column lists: column page → API page 1 → later pages as the mode requires."""

    def jpaas_requests(self, column_url: str) -> Iterator[scrapy.Request]:
        """Page 1 straight from cached params, or the column page to read them from."""
        cached = self._cached_params(column_url)
        if cached is not None:
            yield self._api_request(column_url, cached, 1, cached_params=True)
        else:
            yield self._column_request(column_url)

    def _cached_params(self, column_url: str) -> JpaasParams | None:
        state = self.get_state(STATE_KEY) or {}
        entry = state.get(column_url) if isinstance(state, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("query"), dict):
            return None
        return JpaasParams(str(entry.get("api_path") or DEFAULT_API_PATH), dict(entry["query"]))

    def _remember(self, column_url: str, params: JpaasParams | None) -> None:
        state = self.get_state(STATE_KEY) or {}
        state = dict(state) if isinstance(state, dict) else {}
        if params is None:
            state.pop(column_url, None)
        else:
            state[column_url] = {"api_path": params.api_path, "query": params.query}
        self.set_state(STATE_KEY, state)

    def _column_request(self, column_url: str) -> scrapy.Request:
        return self.list_request(
            column_url, self.parse_column, kind="column", entry=True, dont_filter=True
        )

    def _api_request(
        self, column_url: str, params: JpaasParams, page: int, *, cached_params: bool = False
    ) -> scrapy.Request:
        return self.list_request(
            api_url(column_url, params, page),
            self.parse_api,
            kind="list",
            entry=page == 1,
            # page 1 may be asked twice in a run (cached params refused, column re-read)
            dont_filter=page == 1,
            headers={"Referer": column_url, "X-Requested-With": "XMLHttpRequest"},
            meta={
                "column_url": column_url,
                "page": page,
                "params": params,
                "cached_params": cached_params,
            },
        )

    def parse_column(self, response: Response) -> Iterator[Any]:
        yield self.list_event(response, "column")
        params = params_from_column(self.text_of(response))
        if params is None:
            yield self.list_failed(
                response,
                "column",
                "api_error",
                "column page has no <script queryData=…> with pageId/tagId; the page layout changed",
            )
            return
        self._remember(response.url, params)
        yield self._api_request(response.url, params, 1)

    def parse_api(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        column_url, page = meta["column_url"], meta["page"]
        fragment, error = parse_envelope(response.body)
        if error is not None or fragment is None:
            error = error or "JPaaS API answered without a list fragment"
            if meta.get("cached_params"):
                self.logger.info(
                    "cached JPaaS params for %s refused; re-reading the column page", column_url
                )
                yield self.list_event(
                    response, "list", outcome="api_error", error=error, counted=False
                )
                self._remember(column_url, None)
                yield self._column_request(column_url)
                return
            yield self.list_failed(response, "list", "api_error", error)
            return
        yield self.list_event(response, "list")
        rows = parse_rows(fragment, column_url)
        requests, any_known = self.rows_to_requests(rows)
        yield from requests
        pager = parse_pager(fragment)
        last = pager.last_page if pager else (page + 1 if len(rows) >= PAGE_SIZE else page)
        if not rows or page >= last:
            return
        if self.backfill and pager is not None:
            # The pager states the last page: ask for every page at once instead of one by one.
            if page == 1:
                for later in range(2, last + 1):
                    yield self._api_request(column_url, meta["params"], later)
        elif self.backfill or not any_known:
            yield self._api_request(column_url, meta["params"], page + 1)


def anchor_row(a: Any, url: str) -> ListRow:
    """A static list row (``<li><a title>…</a><span>date</span></li>``) from its anchor selector."""
    title = a.attrib.get("title") or " ".join(a.css("::text").getall()).strip()
    parent = a.xpath("..")
    when = normalise_date(" ".join(parent.css("span::text").getall())) if parent else None
    return ListRow(url, title or None, when)
