"""Failure modes switched on through the API and the control endpoints (SITE_NOTES §1.7)."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.mirror.conftest import WWW_API, ZCFB_PAGE_ID

SHELL = "/_/www.mofcom.gov.cn/zwgk/zcfb/index.html"
API = f"{WWW_API}&pageId={ZCFB_PAGE_ID}"


@pytest.mark.parametrize(
    ("mode", "status"), [("412", 412), ("403", 403), ("429", 429), ("502", 502)]
)
def test_status_faults_count_down(srv, get, mode, status):
    srv.set_fault(mode, path="/zwgk/zcfb", times=2)
    first, second, third = get(SHELL), get(SHELL), get(SHELL)
    assert first.status == second.status == status and third.status == 200
    assert "<html" in first.text.lower() and len(first.body) < 2000
    if status == 429:
        assert first.headers["retry-after"] == "1"
    assert [(e["status"], e["fault"]) for e in srv.log()] == [(status, mode)] * 2 + [(200, None)]


def test_fault_respects_path_and_host(srv, get):
    srv.set_fault("403", path="/zwgk/zcfb", host="aqygzj.mofcom.gov.cn")
    assert get(SHELL).status == 200
    srv.set_fault("403", path="/xwfb/")
    assert get(SHELL).status == 200 and get("/_/www.mofcom.gov.cn/xwfb/rcxwfb/").status == 403
    srv.clear_faults()
    assert get("/_/www.mofcom.gov.cn/xwfb/rcxwfb/").status == 200


def test_reset_sends_rst_before_any_response(srv, get):
    srv.set_fault("reset", path="/zwgk/", times=1)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("GET", SHELL)
    with pytest.raises(ConnectionResetError):
        conn.getresponse()
    conn.close()
    assert get(SHELL).status == 200
    assert [e["fault"] for e in srv.log()] == ["reset", None]


def test_slow_still_answers(srv, get):
    srv.set_fault("slow", path="/", seconds=0.05, times=1)
    assert get(SHELL).status == 200
    assert srv.log()[0]["fault"] == "slow"


def test_truncate_cuts_the_body_with_consistent_headers(srv, get):
    full = get(SHELL).body
    srv.set_fault("truncate", times=1)
    cut = get(SHELL)
    assert cut.status == 200 and int(cut.headers["content-length"]) == len(cut.body)
    assert 0 < len(cut.body) < len(full) and full.startswith(cut.body)
    assert b"</html>" not in cut.body


def test_apifail_only_hits_the_api(srv, get):
    srv.set_fault("apifail")
    assert get(SHELL).status == 200
    reply = get(API)
    assert reply.status == 200 and json.loads(reply.body) == {"success": False, "data": {}}
    assert srv.log()[-1]["fault"] == "apifail"


def test_control_endpoints(srv, get):
    assert (
        json.loads(get("/_mirror/fault?mode=412&path=/zwgk&times=1").body)["faults"][0]["times"]
        == 1
    )
    assert get(SHELL).status == 412 and get(SHELL).status == 200
    get("/_mirror/fault?mode=502")
    get("/_mirror/fault?mode=clear")
    assert get(SHELL).status == 200
    bad = get("/_mirror/fault?mode=teapot")
    assert bad.status == 400 and "unknown fault mode" in json.loads(bad.body)["error"]
    assert get("/_mirror/state?n=9").status == 400
    log = json.loads(get("/_mirror/log?clear=1").body)
    assert [e["status"] for e in log] == [412, 200, 200]
    assert all(set(e) == {"host", "path", "query", "status", "fault"} for e in log)
    assert json.loads(get("/_mirror/log").body) == []
    status = json.loads(get("/_mirror/status").body)
    assert status["state"] == 1 and status["documents"] == 6 and status["faults"] == []
