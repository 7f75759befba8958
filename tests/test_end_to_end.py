"""regwatch end to end: the CLI crawls the mirror on loopback into a real SQLite file.

Walks the mirror's site states (6 Nov 2025 → announcement 70 appears → an article is edited) and
throws each fault switch at a run, asserting exit codes, stored versions and the fetch log.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PACKAGE_2025_10_09 = (55, 56, 57, 58, 61, 62)


def _db(cli) -> sqlite3.Connection:
    return sqlite3.connect(cli.data_dir / "regwatch.db")


def _versions_by_url(cli) -> dict[str, int]:
    with _db(cli) as con:
        rows = con.execute(
            "SELECT d.canonical_url, COUNT(v.id) FROM documents d "
            "LEFT JOIN document_versions v ON v.document_id = d.id GROUP BY d.id"
        ).fetchall()
    return dict(rows)


def _fetch_log(cli, url_part: str = "") -> list[tuple]:
    with _db(cli) as con:
        return con.execute(
            "SELECT url, kind, status, outcome, error FROM fetch_log WHERE url LIKE ? ORDER BY id",
            (f"%{url_part}%",),
        ).fetchall()


def _by_number(rows: list[dict]) -> dict[int, dict]:
    """Stored announcements of 2025 by their sequence number."""
    out = {}
    for row in rows:
        number = row.get("number") or ""
        if "2025" in number and "第" in number:
            seq = number.rsplit("第", 1)[1].rstrip("号")
            if seq.isdigit():
                out[int(seq)] = row
    return out


def _listed_documents(mirror, state: int) -> list:
    return [d for d in mirror.documents if d.at_state(state) is not None]


def test_first_run_stores_the_package_then_picks_up_announcement_70(cli, mirror) -> None:
    first = cli("run", "--no-progress")
    assert first.returncode == 0, first.stderr

    stored = _versions_by_url(cli)
    expected = {d.url for d in _listed_documents(mirror, 1)}
    assert expected <= set(stored), f"not stored: {sorted(expected - set(stored))[:5]}"

    rows = cli("list", "--json", "-n", "1000").json()
    announcements = _by_number(rows)
    for seq in PACKAGE_2025_10_09:
        assert seq in announcements, f"announcement {seq} of 2025 missing"
        assert announcements[seq]["publish_date"] == "2025-10-09"
    for seq in (55, 56, 57, 58):
        assert announcements[seq]["effective"] == "2025-11-08"
    assert "2025-12-01" in announcements[61]["effective"]
    assert "2025-10-09" in announcements[62]["effective"]
    assert 70 not in announcements

    mirror.set_state(2)
    second = cli("run", "--no-progress")
    assert second.returncode == 0, second.stderr
    new = _by_number(cli("list", "--new", "--json").json())
    assert 70 in new, "announcement 70 was not picked up by the second run"
    assert new[70]["publish_date"] == "2025-11-07"
    assert set(new) & set(PACKAGE_2025_10_09) == set(), "old announcements reported as new"


def test_idle_run_fetches_only_page_one_of_each_list_and_stores_nothing(cli, mirror) -> None:
    assert cli("run", "--no-progress").returncode == 0
    before = _versions_by_url(cli)
    mirror.log(clear=True)

    again = cli("run", "--no-progress")
    assert again.returncode == 0, again.stderr
    served = mirror.log(clear=True)
    assert not [e for e in served if e["path"] == "/robots.txt"], "robots.txt is cached for a day"
    assert _versions_by_url(cli) == before
    assert not [e for e in served if "/art/" in e["path"] or "/cms_files/" in e["path"]]
    api_calls = [e for e in served if e["path"] == API]
    assert all("paramJson" not in e["query"] for e in api_calls), "idle run paged past page 1"
    # three JPaaS columns on www, one on aqygzj; column shells come from the cache
    assert len(api_calls) == 4
    static = sorted(e["host"] + e["path"] for e in served if e["path"] != API)
    years = sorted({str(date.today().year), str(date.today().year - 1)})
    assert static == sorted(
        ["aqygzj.mofcom.gov.cn/"]
        + [f"www.mofcom.gov.cn/zcfb/blgg/gg/{y}/index.html" for y in years]
    )
    assert not [e for e in served if e["path"].endswith("/zwgk/zcfb/index.html")]


def test_edited_article_yields_exactly_one_new_version(cli, mirror) -> None:
    assert cli("run", "--no-progress").returncode == 0
    before = _versions_by_url(cli)
    edited = [d for d in mirror.documents if any(r["from_state"] == 3 for r in d.revisions)]
    assert edited, "the mirror content must edit an article in state 3"

    mirror.set_state(3)
    rerun = cli("run", "--no-progress", "--revisit", "all")
    assert rerun.returncode == 0, rerun.stderr
    after = _versions_by_url(cli)
    for doc in edited:
        assert after[doc.url] == before[doc.url] + 1
    unchanged = {u: n for u, n in before.items() if u not in {d.url for d in edited}}
    assert {u: after[u] for u in unchanged} == unchanged

    doc_id = next(
        r["id"] for r in cli("list", "--json", "-n", "1000").json() if r["url"] == edited[0].url
    )
    shown = cli("show", str(doc_id), "--json").json()
    assert [v["seq"] for v in shown["versions"]] == [1, 2]


def test_delisted_article_is_recorded_as_portal_shell(cli, mirror) -> None:
    assert cli("run", "--no-progress").returncode == 0
    gone = [d for d in mirror.documents if 1 in d.states and 4 not in d.states]
    assert gone, "the mirror content must delist an article in state 4"
    mirror.set_state(4)
    rerun = cli("run", "--no-progress", "--revisit", "all")
    assert rerun.returncode == 0, rerun.stderr
    outcomes = {row[3] for row in _fetch_log(cli, gone[0].path)}
    assert "portal_shell" in outcomes
    assert _versions_by_url(cli)[gone[0].url] == 1, "a portal shell must not become a version"


def _article(mirror, seq: int):
    return next(d for d in mirror.documents if d.header and f"2025年第{seq}" in d.header.number)


@pytest.mark.parametrize(
    ("mode", "times", "expected_exit", "expected_outcome"),
    [
        ("403", None, 3, "waf"),
        ("412", None, 3, "waf"),
        ("502", None, 3, "http_error"),
        ("429", 1, 0, None),
        ("502", 1, 0, None),
        ("reset", 1, 0, None),
        ("slow", 1, 0, None),
    ],
)
def test_article_faults_are_survived_and_recorded(
    cli, mirror, mode, times, expected_exit, expected_outcome
) -> None:
    target = _article(mirror, 58)
    mirror.set_fault(mode, path=target.path, times=times, seconds=1.0)
    result = cli("run", "--no-progress")
    assert result.returncode == expected_exit, result.stderr[-2000:]
    stored = _versions_by_url(cli)
    others = {d.url for d in _listed_documents(mirror, 1)} - {target.url}
    assert others <= set(stored), "one bad article must not cost the others"
    log = _fetch_log(cli, target.path)
    if expected_outcome is None:
        assert stored.get(target.url) == 1
    else:
        assert target.url not in stored or stored[target.url] == 0
        assert expected_outcome in {row[3] for row in log}
        assert any(row[4] for row in log if row[3] == expected_outcome), "failure without a message"


def test_list_endpoint_failure_fails_those_sources_only(cli, mirror) -> None:
    mirror.set_fault("apifail", path=API, host="www.mofcom.gov.cn")
    result = cli("run", "--no-progress")
    assert result.returncode == 1, result.stderr[-2000:]
    runs = cli("status", "--json").json()
    per_source = runs[0]["stats"]["sources"]
    assert per_source["gov_mofcom_zcfb"]["status"] == "failed"
    assert per_source["gov_mofcom_aqygzj"]["status"] == "ok"
    assert per_source["gov_mofcom_gg"]["status"] == "ok"
    assert any(row[3] == "api_error" for row in _fetch_log(cli, API))


def test_truncated_page_is_stored_with_what_arrived(cli, mirror) -> None:
    target = _article(mirror, 62)
    mirror.set_fault("truncate", path=target.path, times=1)
    assert cli("run", "--no-progress").returncode == 3
    cut = [row for row in _fetch_log(cli, target.path) if row[3] == "error"]
    assert cut and "truncated" in cut[0][4], "the cut page must be recorded with a reason"
    with _db(cli) as con:
        kept = con.execute(
            "SELECT size FROM fetch_log WHERE url LIKE ? AND outcome = 'error'",
            (f"%{target.path}",),
        )
        assert kept.fetchone()[0] > 1000, "what arrived must be kept"
    assert _versions_by_url(cli).get(target.url, 0) == 0, "a cut page must not become a version"
    mirror.clear_faults()
    assert cli("run", "--no-progress").returncode == 0
    assert _versions_by_url(cli)[target.url] == 1


def test_gbk_and_charsetless_pages_decode(cli, mirror) -> None:
    assert cli("run", "--no-progress").returncode == 0
    rows = {r["url"]: r for r in cli("list", "--json", "-n", "1000").json()}
    gbk = [d for d in mirror.documents if d.encoding.lower() in ("gbk", "gb2312", "gb18030")]
    aqygzj = [d for d in _listed_documents(mirror, 1) if d.host == "aqygzj.mofcom.gov.cn"]
    assert gbk and aqygzj
    for doc in [*gbk, *aqygzj]:
        assert doc.url in rows
        assert rows[doc.url]["title"] == doc.title.strip(), f"mojibake for {doc.url}"


def test_overlapping_run_exits_cleanly_with_75(cli, tmp_path: Path) -> None:
    from regwatch.lock import run_lock

    with run_lock(cli.data_dir / "regwatch.lock"):
        result = cli("run", "--no-progress")
    assert result.returncode == 75
    assert "holds" in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_command_prints_a_contract_record(tmp_path: Path, contract_schema) -> None:
    import jsonschema

    from tests.conftest import Cli

    page = tmp_path / "a.txt"
    page.write_text(
        "商务部公告2025年第62号\n公布对稀土相关技术实施出口管制的决定\n本公告自公布之日起正式实施。\n商务部\n2025年10月9日\n",
        encoding="utf-8",
    )
    result = Cli(tmp_path / "data")("parse", str(page), "--json")
    assert result.returncode == 0, result.stderr
    record = result.json()
    jsonschema.validate(record, contract_schema)
    assert record["numbers"][0]["seq"] == 62
    assert record["publish_date"] == "2025-10-09"
    assert record["effective"][0]["basis"] == "on_publication"
