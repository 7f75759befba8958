"""aqygzj.mofcom.gov.cn (安全与管制局): the server-rendered home page plus the JPaaS list of
法律政策 › 规章及规范性文件 (SITE_NOTES §3).

The home page mixes ``https://``, ``http://`` and root-relative links; dated rows end with
``<span>YYYY-MM-DD</span>`` (no brackets), some rows have no date. Only article links
(``/art/YYYY/art_<hex>.html`` on a mofcom host) are followed. aqygzj sends no charset in
Content-Type: bodies are stored as bytes; decoding them is the parsers' job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.base import ListRow
from crawlers.jpaas import JpaasSpider, anchor_row
from parsers.urls import canonical_url

HOME_URL = "https://aqygzj.mofcom.gov.cn/"
COLUMN_URL = "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html"
ARTICLE_PATH_RE = re.compile(r"/art/\d{4}/art_[0-9a-z]+\.html?$")
HOST_SUFFIX = "mofcom.gov.cn"


def home_rows(page_html: str, base_url: str) -> list[ListRow]:
    """Article rows of the home page; http links are folded onto https (canonical form)."""
    rows: dict[str, ListRow] = {}
    for a in Selector(text=page_html).css("a[href]"):
        url = canonical_url(urljoin(base_url, a.attrib["href"].strip()))
        parts = urlsplit(url)
        host = parts.hostname or ""
        if not (host == HOST_SUFFIX or host.endswith("." + HOST_SUFFIX)):
            continue
        if not ARTICLE_PATH_RE.search(parts.path) or url in rows:
            continue
        rows[url] = anchor_row(a, url)
    return list(rows.values())


class GovMofcomAqygzjSpider(JpaasSpider):
    name = "gov_mofcom_aqygzj"

    def entry_requests(self) -> Iterator[scrapy.Request]:
        yield self.list_request(HOME_URL, self.parse_home, kind="list", entry=True)
        yield from self.jpaas_requests(COLUMN_URL)

    def parse_home(self, response: Response) -> Iterator[Any]:
        yield self.list_event(response, "list")
        requests, _ = self.rows_to_requests(home_rows(self.text_of(response), response.url))
        yield from requests
