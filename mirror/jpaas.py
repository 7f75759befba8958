"""The JPaaS publish-server list API (``/api-gateway/jpaas-publish-server/front/page/build/unit``).

Quirks reproduced (SITE_NOTES §1.3, §3): the parameters come from the column page's
``queryData`` as separate GET parameters; paging works only through ``paramJson``
(``{"pageNo":N,"pageSize":15}``, pageSize may be a string, up to 99999); top-level ``pageNo`` /
``pageSize`` are ignored; an unknown webId/pageId/tagId, or a tagId whose percent-encoded bytes
are not UTF-8 (e.g. GBK), yields ``{"success":false,"data":{}}`` with HTTP 200.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from mirror.content import AQYGZJ, WWW

MAX_PAGE_SIZE = 99999
DEFAULT_PAGE_SIZE = 15
FAILURE_BODY = b'{"success":false,"data":{}}'
WWW_WEB_ID = "8f43c7ad3afc411fb56f281724b73708"
WWW_TPL_SET_ID = "52551ea0e2c14bca8c84792f7aa37ead"
AQ_WEB_ID = "b28941ad4e064442856787562c9a4961"
AQ_TPL_SET_ID = "DDBav9QvwJVbs9iznQVmO"  # not hex on the real site either


@dataclass(frozen=True)
class JpaasColumn:
    """A column whose list is delivered by the unit API."""

    host: str
    column: str  # column path, e.g. "zwgk/zcfb"
    name: str
    web_id: str
    tpl_set_id: str
    tag_id: str
    page_id: str


def _www(column: str, name: str, page_id: str) -> JpaasColumn:
    return JpaasColumn(WWW, column, name, WWW_WEB_ID, WWW_TPL_SET_ID, "分页列表", page_id)


def _aq(column: str, name: str, page_id: str) -> JpaasColumn:
    return JpaasColumn(AQYGZJ, column, name, AQ_WEB_ID, AQ_TPL_SET_ID, "信息列表", page_id)


# pageIds of zwgk/zcfb, xwfb/rcxwfb and aqygzj flzc/gzjgfxwj are the real ones; the others
# are invented (no public crawler records them), spiders must read them from the shell.
COLUMNS = (
    _www("zwgk/zcfb", "政策发布", "fc8bdff48fa345a48b651c1285b70b8f"),
    _www("xwfb/rcxwfb", "日常新闻发布", "95d89972d8aa4fcea511701cd0f212d9"),
    _www("xwfb/xwfyrth", "新闻发言人谈话", "c3a5e07f1b2d4e6a9f8b7c6d5e4f3a21"),
    _www("syxwfb", "新闻发布", "5d1e9a7c3b2f4a6e8d0c1b2a3f4e5d6c"),
    _aq("flzc/gzjgfxwj", "规章及规范性文件", "79d6d2c4e44d458180d37dd4f0996645"),
    _aq("zhxx", "综合信息", "0b7e4d2a9c1f4e3b8a6d5c4b3a291807"),
    _aq("gzdt", "工作动态", "6f2a8c4e1d3b4a5c9e7f0a1b2c3d4e5f"),
)
BY_PAGE_ID = {(c.host, c.page_id): c for c in COLUMNS}
BY_COLUMN = {(c.host, c.column): c for c in COLUMNS}


@dataclass(frozen=True)
class ListRequest:
    column: JpaasColumn
    page_no: int
    page_size: int


def raw_params(query: str) -> dict[str, bytes]:
    """Split a raw query string into name → undecoded value bytes (first occurrence wins)."""
    out: dict[str, bytes] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        key = unquote_to_bytes(name.replace("+", " ")).decode("utf-8", "replace")
        out.setdefault(key, unquote_to_bytes(value.replace("+", " ")))
    return out


def _int(value: object, default: int) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def parse_list_request(host: str, query: str) -> ListRequest | None:
    """Validate the API's query; None means the CMS answers with its failure envelope."""
    params = raw_params(query)
    try:
        text = {k: v.decode("utf-8") for k, v in params.items()}
    except UnicodeDecodeError:
        return None  # e.g. tagId percent-encoded as GBK
    column = BY_PAGE_ID.get((host, text.get("pageId", "")))
    if column is None or text.get("webId") != column.web_id:
        return None
    if text.get("tagId") != column.tag_id:
        return None
    page_no, page_size = 1, DEFAULT_PAGE_SIZE
    if "paramJson" in text:
        try:
            param = json.loads(text["paramJson"])
        except ValueError:
            param = {}
        if isinstance(param, dict):
            page_no = _int(param.get("pageNo", 1), 1)
            page_size = _int(param.get("pageSize", DEFAULT_PAGE_SIZE), DEFAULT_PAGE_SIZE)
    page_no = max(page_no, 1)
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    return ListRequest(column, page_no, page_size)


def envelope(fragment: str) -> str:
    """The success envelope with a ``@@TRACEID@@`` placeholder for the per-request traceId."""
    body = {
        "roles": None,
        "permissions": None,
        "success": True,
        "message": "操作成功",
        "code": "200",
        "data": {"html": fragment},
        "traceId": "@@TRACEID@@",
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
