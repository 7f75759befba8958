"""Fixtures for the mirror tests: a server over the sample documents in ``content/``."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mirror import MirrorServer

SAMPLE_CONTENT = Path(__file__).resolve().parent / "content"
WWW_API = (
    "/_/www.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
    "?parseType=bulidstatic&webId=8f43c7ad3afc411fb56f281724b73708"
    "&tplSetId=52551ea0e2c14bca8c84792f7aa37ead&pageType=column"
    "&tagId=%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8&editType=null"
)
ZCFB_PAGE_ID = "fc8bdff48fa345a48b651c1285b70b8f"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, headers: dict[str, str] | None = None) -> Reply:
    """GET ``url`` with urllib; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


@pytest.fixture
def srv() -> Iterator[MirrorServer]:
    with MirrorServer(SAMPLE_CONTENT, state=1) as server:
        yield server


@pytest.fixture
def get(srv: MirrorServer):
    def _get(path: str, headers: dict[str, str] | None = None) -> Reply:
        return fetch(srv.url + path, headers)

    return _get
