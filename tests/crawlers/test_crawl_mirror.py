"""End-to-end crawls of the local mirror: a real subprocess, real loopback HTTP, real SQLite.

What the crawl should have found is computed independently of the spiders: the lists are read
straight from the mirror over HTTP (JPaaS with one big page, the yearly indexes, the aqygzj home
page), then compared with what landed in the database.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from crawlers.jpaas import JpaasParams, api_url, params_from_column, parse_envelope, parse_rows
from parsers.urls import canonical_url

pytestmark = pytest.mark.slow

SYNTHETIC = 24  # generated zcfb articles beside the bundled content: at least two list pages
JPAAS_COLUMNS = (
    "https://www.mofcom.gov.cn/zwgk/zcfb/index.html",
    "https://www.mofcom.gov.cn/xwfb/rcxwfb/index.html",
    "https://www.mofcom.gov.cn/xwfb/xwfyrth/index.html",
    "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html",
)
GG_INDEX = "https://www.mofcom.gov.cn/zcfb/blgg/gg/{year}/index.html"
GG_ART_RE = re.compile(r"/zcfb/blgg/gg/\d{4}[^/]*/art/")
AQYGZJ_HOME = "https://aqygzj.mofcom.gov.cn/"
HREF_RE = re.compile(r"""href\s*=\s*["']([^"']+)["']""")


@pytest.fixture
def site() -> Iterator[object]:
    from mirror import MirrorServer

    with MirrorServer(state=1, synthetic=SYNTHETIC) as server:
        yield server


def _get(mirror_url: str, url: str) -> bytes:
    parts = urlsplit(url)
    target = f"{mirror_url}/_/{parts.netloc}{parts.path or '/'}"
    if parts.query:
        target += "?" + parts.query
    with urllib.request.urlopen(target, timeout=30) as resp:
        return resp.read()


def listed_articles(mirror_url: str) -> dict[str, str]:
    """Canonical URL → source of every article the mirror lists right now."""
    found: dict[str, str] = {}
    for column in JPAAS_COLUMNS:
        source = (
            "gov_mofcom_aqygzj" if "aqygzj" in column else "gov_mofcom_" + column.split("/")[-2]
        )
        params = params_from_column(_get(mirror_url, column).decode("utf-8"))
        assert params is not None, column
        whole = JpaasParams(
            params.api_path, {**params.query, "paramJson": '{"pageNo":1,"pageSize":99999}'}
        )  # the front end's own trick: the whole list in one call (SITE_NOTES §3)
        fragment, error = parse_envelope(_get(mirror_url, api_url(column, whole, 1)))
        assert fragment is not None, error
        rows = parse_rows(fragment, column)
        for row in rows:
            found.setdefault(canonical_url(row.url), source)
    this_year = date.today().year
    for year in (this_year, this_year - 1):
        index = GG_INDEX.format(year=year)
        for href in HREF_RE.findall(_get(mirror_url, index).decode("utf-8")):
            url = urljoin(index, href)
            if GG_ART_RE.search(url):
                found.setdefault(canonical_url(url), "gov_mofcom_gg")
    for href in HREF_RE.findall(_get(mirror_url, AQYGZJ_HOME).decode("utf-8")):
        url = canonical_url(urljoin(AQYGZJ_HOME, href))
        if "mofcom.gov.cn" in url and re.search(r"/art/\d{4}/art_\w+\.html$", url):
            found.setdefault(url, "gov_mofcom_aqygzj")
    return found


def crawl(db_path: Path, mirror_url: str, *args: str) -> tuple[int, dict]:
    cmd = [
        sys.executable, "-m", "crawlers.runner", "--db", f"sqlite:///{db_path}",
        "--mirror", mirror_url, "--log-level", "WARNING", *args,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, check=False)
    assert proc.stdout.strip(), proc.stderr[-4000:]
    return proc.returncode, json.loads(proc.stdout)


def rows(db_path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


def stored_articles(db_path: Path) -> set[str]:
    return {r[0] for r in rows(db_path, "select canonical_url from documents where kind='article'")}


def test_full_crawl_stores_every_listed_document(site, tmp_path: Path) -> None:
    db_path = tmp_path / "rw.db"
    expected = listed_articles(site.url)
    assert len(expected) >= SYNTHETIC
    code, result = crawl(db_path, site.url)
    assert code == 0, result
    assert {s["status"] for s in result["sources"].values()} == {"ok"}
    assert stored_articles(db_path) == set(expected)
    assert rows(db_path, "select count(*) from document_versions")[0][0] >= len(expected)


def test_idle_second_run_reads_only_page_one_and_stores_nothing(site, tmp_path: Path) -> None:
    db_path = tmp_path / "rw.db"
    assert crawl(db_path, site.url)[0] == 0
    versions = rows(db_path, "select count(*) from document_versions")[0][0]
    site.log(clear=True)
    code, _ = crawl(db_path, site.url)
    assert code == 0
    served = [e for e in site.log(clear=True) if e["path"] != "/robots.txt"]
    api = [e for e in served if e["path"].startswith("/api-gateway/")]
    others = [e for e in served if not e["path"].startswith("/api-gateway/")]
    assert len(api) == len(JPAAS_COLUMNS)  # cached params: no column page, page 1 only
    assert all("paramJson" not in e["query"] for e in api)
    assert {e["path"] for e in others} <= {"/", *(
        urlsplit(GG_INDEX.format(year=y)).path for y in (date.today().year, date.today().year - 1)
    )}  # fmt: skip
    assert rows(db_path, "select count(*) from document_versions")[0][0] == versions


def test_waf_412_on_an_article_is_logged_and_the_run_goes_on(site, tmp_path: Path) -> None:
    db_path = tmp_path / "rw.db"
    expected = listed_articles(site.url)
    victim = sorted(u for u, s in expected.items() if s == "gov_mofcom_zcfb")[0]
    site.set_fault("412", urlsplit(victim).path, host="www.mofcom.gov.cn")
    code, result = crawl(db_path, site.url)
    assert code == 3  # partial
    assert result["sources"]["gov_mofcom_zcfb"]["status"] == "partial"
    assert result["sources"]["gov_mofcom_rcxwfb"]["status"] == "ok"
    assert stored_articles(db_path) == set(expected) - {victim}
    logged = rows(db_path, "select status, outcome from fetch_log where url = ?", victim)
    assert (412, "waf") in logged


def test_reset_on_first_connection_is_retried(site, tmp_path: Path) -> None:
    db_path = tmp_path / "rw.db"
    expected = listed_articles(site.url)
    victim = sorted(u for u, s in expected.items() if s == "gov_mofcom_zcfb")[-1]
    path = urlsplit(victim).path
    site.set_fault("reset", path, host="www.mofcom.gov.cn", times=1)
    site.log(clear=True)
    code, result = crawl(db_path, site.url, "gov_mofcom_zcfb")
    assert code == 0, result
    hits = [e for e in site.log() if e["path"] == path]
    assert len(hits) == 2 and hits[0]["fault"] == "reset"
    assert victim in stored_articles(db_path)


def test_aqygzj_pages_decode_as_utf8(site, tmp_path: Path) -> None:
    import db
    import parsers.encoding
    from db import queries

    db_path = tmp_path / "rw.db"
    home = _get(site.url, AQYGZJ_HOME).decode("utf-8")
    titles = dict(
        (canonical_url(urljoin(AQYGZJ_HOME, m[1])), m[2])
        for m in re.finditer(r"""<a[^>]*href="([^"]+/art/\d{4}/art_\w+\.html)"[^>]*title="([^"]+)\"""", home)
    )  # fmt: skip
    if not titles:
        pytest.skip("the mirror lists no aqygzj articles on its home page yet")
    _, result = crawl(db_path, site.url, "gov_mofcom_aqygzj")
    assert result["sources"]["gov_mofcom_aqygzj"]["status"] == "ok", result
    sessions = db.session_factory(db.connect(f"sqlite:///{db_path}"))
    with sessions() as s:
        ids = [r[0] for r in rows(db_path, "select id from document_versions")]
        checked = 0
        for vid in ids:
            version = queries.load_version(s, vid)
            assert version is not None
            if version.canonical_url not in titles:
                continue
            text = parsers.encoding.decode_html(
                version.body, version.headers.get("content-type")
            ).text
            assert titles[version.canonical_url][:12] in text
            checked += 1
    assert checked == len(titles)


def test_refused_cached_params_send_the_spider_back_to_the_column_page(site, tmp_path) -> None:
    db_path = tmp_path / "rw.db"
    assert crawl(db_path, site.url, "gov_mofcom_zcfb")[0] == 0
    site.set_fault("apifail", "/api-gateway/", host="www.mofcom.gov.cn", times=1)
    site.log(clear=True)
    code, result = crawl(db_path, site.url, "gov_mofcom_zcfb")
    assert code == 0, result
    paths = [e["path"] for e in site.log() if e["path"] != "/robots.txt"]
    assert paths.count("/zwgk/zcfb/index.html") == 1  # re-read once after the refusal
    assert paths.count("/api-gateway/jpaas-publish-server/front/page/build/unit") == 2
    refused = rows(db_path, "select outcome from fetch_log where outcome = 'api_error'")
    assert refused == [("api_error",)]
