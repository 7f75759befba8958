"""regwatch storage: SQL schema, Alembic migrations, the write API and read queries.

Storage invariants:
- **Append-only versions.** ``document_versions`` rows are inserted, never updated or deleted.
  A document (keyed by canonical URL) gets a new version only when its stable content hash —
  title, header block, body text and annex links, never page chrome, MakeTime or counters —
  differs from its current version. Raw bytes are kept zlib-compressed with their sha256.
- **One row per fetch outcome.** Every HTTP outcome (stored page, unchanged page, portal
  shell, WAF 412/403, network or API failure) adds exactly one ``fetch_log`` row; what arrived
  is kept there (capped at 256 KiB) whenever it is not already kept as a version.
- **Derived parsed records.** ``parsed_records`` are re-creatable from versions; a
  (version, parser version) pair is stored once, a new parser version adds rows.
- Timestamps are aware UTC; storage calls never raise on bad crawler input (they warn and
  record an ``error`` outcome); the caller owns the transaction and commits.

``db`` imports ``parsers`` and nothing else from the project.
"""

from sqlalchemy.orm import Session

from db import queries, store
from db.engine import SessionFactory, connect, session_factory
from db.errors import ConnectError, DBError, MigrationError
from db.migrate import upgrade
from db.queries import (
    DocumentDetail,
    DocumentRow,
    RunRow,
    SourceSummary,
    StoredVersion,
    VersionRow,
    document_detail,
    due_for_revisit,
    fetch_counts,
    get_state,
    known_urls,
    latest_documents,
    latest_run_id,
    load_version,
    recent_runs,
    run_summary,
    save_parsed,
    set_state,
    versions_to_parse,
)
from db.store import (
    FetchedPageLike,
    FetchEventLike,
    StoreResult,
    begin_run,
    begin_source_run,
    finish_run,
    finish_source_run,
    interrupt_stale_runs,
    record_fetch,
    store_page,
)

__all__ = [
    "ConnectError",
    "DBError",
    "DocumentDetail",
    "DocumentRow",
    "FetchEventLike",
    "FetchedPageLike",
    "MigrationError",
    "RunRow",
    "Session",
    "SessionFactory",
    "SourceSummary",
    "StoreResult",
    "StoredVersion",
    "VersionRow",
    "begin_run",
    "begin_source_run",
    "connect",
    "document_detail",
    "due_for_revisit",
    "fetch_counts",
    "finish_run",
    "finish_source_run",
    "get_state",
    "interrupt_stale_runs",
    "known_urls",
    "latest_documents",
    "latest_run_id",
    "load_version",
    "queries",
    "recent_runs",
    "record_fetch",
    "run_summary",
    "save_parsed",
    "session_factory",
    "set_state",
    "store",
    "store_page",
    "upgrade",
    "versions_to_parse",
]
