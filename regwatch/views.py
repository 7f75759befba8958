"""Read-side helpers shared by the CLI (and later the web UI): rows for list-like output."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from db import queries
from regwatch.config import Settings
from regwatch.pipeline import open_db

LIST_COLUMNS = ("id", "number", "kind", "publish_date", "effective", "title", "source", "versions")
RUN_COLUMNS = ("id", "command", "status", "started_at", "finished_at", "sources")


def _facts(record: dict[str, Any] | None) -> dict[str, Any]:
    if not record:
        return {"number": None, "kind": None, "publish_date": None, "effective": None}
    numbers = record.get("numbers") or []
    effective = sorted({e["date"] for e in record.get("effective") or [] if e.get("date")})
    return {
        "number": numbers[0]["text"] if numbers else None,
        "kind": record.get("kind"),
        "publish_date": record.get("publish_date"),
        "effective": ", ".join(effective) or None,
    }


def document_rows(
    settings: Settings,
    *,
    limit: int,
    kind: str | None = None,
    source: str | None = None,
    new_only: bool = False,
) -> list[dict[str, Any]]:
    """Latest documents as flat dicts (id, number, kind, dates, title, source, versions, url)."""
    sessions = open_db(settings)
    with sessions() as s:
        run_id = queries.latest_run_id(s) if new_only else None
        docs = queries.latest_documents(
            s, limit=None if kind else limit, source=source, first_seen_run=run_id
        )
    rows = []
    for d in docs:
        row = {
            "id": d.id,
            **_facts(d.record),
            "title": d.title,
            "source": d.source,
            "versions": d.version_count,
            "status": d.status,
            "url": d.canonical_url,
            "first_seen_at": d.first_seen_at,
        }
        if kind and row["kind"] != kind:
            continue
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def document_detail(settings: Settings, doc_id: int) -> dict[str, Any] | None:
    sessions = open_db(settings)
    with sessions() as s:
        detail = queries.document_detail(s, doc_id)
    if detail is None:
        return None
    return queries.as_dict(detail)


def print_detail(detail: dict[str, Any]) -> None:
    console = Console()
    console.print(f"[bold]#{detail['id']}[/] {detail.get('title') or ''}")
    console.print(f"  {detail['canonical_url']}  ({detail['source']}, {detail['status']})")
    record = detail.get("record")
    if record:
        print_record(record, console=console, show_text=False)
    table = Table(title="versions")
    for col in ("seq", "fetched_at", "http_status", "raw_size", "content_hash", "run_id"):
        table.add_column(col)
    for v in detail.get("versions", []):
        table.add_row(
            str(v.get("seq")),
            str(v.get("fetched_at", ""))[:19].replace("T", " "),
            str(v.get("http_status", "")),
            str(v.get("raw_size", "")),
            str(v.get("content_hash", ""))[:12],
            str(v.get("run_id", "")),
        )
    console.print(table)


def print_record(
    record: dict[str, Any], console: Console | None = None, show_text: bool = True
) -> None:
    console = console or Console()
    facts = _facts(record)
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("kind", f"{record.get('kind')} ({record.get('language')})")
    table.add_row("title", record.get("title") or "")
    table.add_row("number", facts["number"] or "")
    table.add_row("published", record.get("publish_date") or "")
    for e in record.get("effective") or []:
        table.add_row("effective", f"{e.get('date')} ({e.get('basis')}, {e.get('applies_to')})")
    for sus in record.get("suspensions") or []:
        t = sus["target"]
        table.add_row(
            "suspends", f"{t.get('year')}-{t.get('seq')} {sus.get('from')} → {sus.get('until')}"
        )
    refs = [
        f"{r['target'].get('year')}/{r['target'].get('seq')} ({r['relation']})"
        for r in record.get("references") or []
    ]
    if refs:
        table.add_row("references", ", ".join(refs))
    if record.get("summary_en"):
        table.add_row("summary", record["summary_en"])
    console.print(table)
    if show_text and record.get("text"):
        console.print(record["text"][:2000])


def run_rows(settings: Settings, limit: int) -> list[dict[str, Any]]:
    sessions = open_db(settings)
    with sessions() as s:
        runs = queries.recent_runs(s, limit)
    rows = []
    for r in runs:
        per_source = (r.stats or {}).get("sources", {})
        counts = Counter(v.get("status") for v in per_source.values())
        bad = [n for n, v in per_source.items() if v.get("status") != "ok"]
        summary = " ".join(f"{status}={n}" for status, n in sorted(counts.items()))
        if bad:
            summary += " (" + ", ".join(bad) + ")"
        rows.append(
            {
                "id": r.id,
                "command": r.command,
                "status": r.status,
                "started_at": _when(r.started_at),
                "finished_at": _when(r.finished_at),
                "sources": summary,
                "stats": r.stats,
            }
        )
    return rows


def _when(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None
