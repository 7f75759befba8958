"""The write path for fetched pages and fetch events, many at a time.

A crawl adds each page and event to a ``Batch`` as it arrives and writes the batch every few
hundred items. ``add_page`` does the CPU work at once (``db.items``: validation, decoding,
extraction, the content hash); ``write`` does the database work for the whole batch in a handful
of statements — one lookup of the documents involved, one multi-row INSERT per table, one
executemany UPDATE of the documents touched — where the ORM needed a dozen round trips per page.
``db.store.store_page`` and ``record_fetch`` are batches of one.

Invariants (the storage invariants of ``db``, whatever the batch size):
- ``write`` never raises on bad input: a bad item becomes an ``error`` row with a warning.
- A version is appended (``seq`` = previous + 1) only when the content hash differs from the
  document's current version, also when one document appears twice in a batch; versions are
  only ever inserted.
- Exactly one ``fetch_log`` row per item, in the order the items were added.
- The batch is written inside a SAVEPOINT. If any of its statements fails, the savepoint is
  rolled back and the items are written one at a time, each in its own savepoint, so one item
  that cannot be stored never takes the others with it.
- Nothing is durable until the caller commits. ORM ``Document`` objects in the session are
  expired after a write, so the session never serves stale document rows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, event, func, insert, select, update
from sqlalchemy.orm import Session

from db.items import (
    Content,
    Entry,
    FetchedPageLike,
    FetchEventLike,
    Page,
    failure_entry,
    read_event,
    read_page,
)
from db.schema import Document, DocumentVersion, FetchLog, Source
from db.types import compress, utcnow

log = logging.getLogger("db.store")  # one logger for the whole write side

#: How many canonical URLs one lookup query names.
LOOKUP_CHUNK = 500
DOCUMENTS = cast(Table, Document.__table__)
VERSIONS = cast(Table, DocumentVersion.__table__)
FETCH_LOG = cast(Table, FetchLog.__table__)
#: The document columns a write may change (the rest are set once, on insert).
DOCUMENT_UPDATES = (
    "parent_id",
    "title",
    "list_date",
    "last_seen_at",
    "last_fetched_at",
    "current_version_id",
    "status",
    "delisted_at",
)


@dataclass(frozen=True)
class StoreResult:
    """What storing one page did.

    Attributes:
        document_id: The document the page belongs to (None when none exists or input was bad).
        version_id: The new version, or the current one when ``unchanged``; else None.
        outcome: One of ``db.store.STORE_OUTCOMES``. ``http_error`` is a status >= 400 other
            than the WAF statuses 403/412.
    """

    document_id: int | None
    version_id: int | None
    outcome: str


@dataclass
class _NewVersion:
    row: dict[str, Any]
    id: int | None = None


@dataclass
class _Doc:
    """A document as this batch sees it: loaded, or created by one of its pages."""

    source_id: int
    canonical_url: str
    kind: str
    first_seen_at: datetime
    values: dict[str, Any]  # DOCUMENT_UPDATES columns
    id: int | None = None
    current_hash: str | None = None
    current: int | _NewVersion | None = None
    last_seq: int = 0
    parent: _Doc | None = None  # when the parent was created in this batch (id not known yet)
    touched: bool = False

    @property
    def current_version_id(self) -> int | None:
        return self.current.id if isinstance(self.current, _NewVersion) else self.current


@dataclass
class _Plan:
    """The statements a batch needs, worked out before any of them runs."""

    docs: dict[str, _Doc]
    new_docs: list[_Doc] = field(default_factory=list)
    versions: list[tuple[_Doc, _NewVersion]] = field(default_factory=list)
    #: per entry: its document and version (if any) and its outcome
    outcomes: list[tuple[_Doc | None, _NewVersion | int | None, str]] = field(default_factory=list)


class Batch:
    """Pages and events of one run, read as they are added and written together.

    Args:
        run_id: The crawl run the rows belong to (None outside a run).
    """

    def __init__(self, run_id: int | None) -> None:
        self.run_id = run_id
        self._entries: list[Entry] = []

    def __len__(self) -> int:
        return len(self._entries)

    def add_page(self, page: FetchedPageLike) -> None:
        """Read one fetched article or annex now (``db.items.read_page``); never raises."""
        self._entries.append(read_page(self.run_id, page))

    def add_event(self, event: FetchEventLike) -> bool:
        """Read one crawler event now (``db.items.read_event``); never raises.

        Returns:
            False when the event could not even be read into a row (a warning says why).
        """
        entry = read_event(self.run_id, event)
        if entry is not None:
            self._entries.append(entry)
        return entry is not None

    def write(self, s: Session) -> list[StoreResult | None]:
        """Write every item added since the last write; the caller commits.

        Returns:
            One entry per item in the order added: the page's ``StoreResult`` (outcome
            ``error`` when it could not be stored), None for an event.
        """
        entries, self._entries = self._entries, []
        if not entries:
            return []
        source_ids = _source_ids(s, entries)
        try:
            with s.begin_nested():
                results = _write(s.connection(), entries, source_ids)
        except Exception as exc:
            if len(entries) > 1:
                log.warning(
                    "writing a batch of %d items failed (%s: %s); writing them one at a time",
                    len(entries),
                    type(exc).__name__,
                    exc,
                )
            results = [_write_alone(s, entry, source_ids) for entry in entries]
        for obj in list(s.identity_map.values()):
            if isinstance(obj, Document):
                s.expire(obj)
        return results


def _write_alone(s: Session, entry: Entry, source_ids: dict[str, int]) -> StoreResult | None:
    """Write one entry in its own savepoint; on failure record an ``error`` row if possible."""
    try:
        with s.begin_nested():
            return _write(s.connection(), [entry], source_ids)[0]
    except Exception as exc:
        url = entry.row["url"]
        if entry.failure is not None:
            log.warning("could not even log the failed page: %s: %s", type(exc).__name__, exc)
            return StoreResult(None, None, "error")
        if entry.page is None:
            log.warning("could not record fetch of %s: %s: %s", url, type(exc).__name__, exc)
            return None
        error = f"storing {url} failed: {type(exc).__name__}: {exc}"
        log.warning("%s; the page will be fetched again next run", error)
        failed = failure_entry(entry.row["run_id"], entry.page, error, is_page=True)
        try:
            with s.begin_nested():
                s.connection().execute(insert(FETCH_LOG), [failed.row])
        except Exception as again:
            log.warning("could not even log the failed page: %s: %s", type(again).__name__, again)
        return StoreResult(None, None, "error")


SOURCE_IDS = "regwatch_source_ids"  # Session.info key of the cache below


def source_id(s: Session, name: str) -> int:
    """The id of source ``name``, creating its row on first use (cached in the session)."""
    cache: dict[str, int] = s.info.setdefault(SOURCE_IDS, {})
    if name in cache:
        return cache[name]
    found = s.scalar(select(Source.id).where(Source.name == name))
    if found is None:
        source = Source(name=name, created_at=utcnow())
        s.add(source)
        s.flush()
        found = source.id
    cache[name] = found
    return found


@event.listens_for(Session, "after_rollback")
def _forget_source_ids(s: Session) -> None:
    """A rolled-back transaction may have created cached source rows: look them up again."""
    s.info.pop(SOURCE_IDS, None)


def _source_ids(s: Session, entries: Iterable[Entry]) -> dict[str, int]:
    """Source ids for every page that may create a document, resolved before the savepoint
    (a Source row created inside one that is rolled back would leave a stale cached id)."""
    names = list(  # in order of appearance: new sources get their ids as they did one by one
        dict.fromkeys(e.page.source for e in entries if e.page and e.content is not None)
    )
    try:
        with s.begin_nested():
            return {name: source_id(s, name) for name in names}
    except Exception as exc:
        s.info.pop(SOURCE_IDS, None)  # ids made in the rolled-back savepoint are gone
        log.warning("could not look up sources %s: %s: %s", names, type(exc).__name__, exc)
        return {}


# --- writing --------------------------------------------------------------------------------


def _load(conn: Connection, urls: Sequence[str]) -> dict[str, _Doc]:
    """The documents among ``urls`` with their current hash and highest seq."""
    seqs = VERSIONS.alias("all_versions")
    last_seq = (
        select(func.max(seqs.c.seq))
        .where(seqs.c.document_id == DOCUMENTS.c.id)
        .correlate(DOCUMENTS)
        .scalar_subquery()
        .label("last_seq")
    )
    columns = [DOCUMENTS.c[name] for name in DOCUMENT_UPDATES]
    docs: dict[str, _Doc] = {}
    for start in range(0, len(urls), LOOKUP_CHUNK):
        stmt = (
            select(
                DOCUMENTS.c.id,
                DOCUMENTS.c.source_id,
                DOCUMENTS.c.canonical_url,
                DOCUMENTS.c.kind,
                DOCUMENTS.c.first_seen_at,
                VERSIONS.c.content_hash,
                last_seq,
                *columns,
            )
            .outerjoin(VERSIONS, VERSIONS.c.id == DOCUMENTS.c.current_version_id)
            .where(DOCUMENTS.c.canonical_url.in_(urls[start : start + LOOKUP_CHUNK]))
        )
        for row in conn.execute(stmt):
            values = {name: row._mapping[name] for name in DOCUMENT_UPDATES}
            docs[row.canonical_url] = _Doc(
                source_id=row.source_id,
                canonical_url=row.canonical_url,
                kind=row.kind,
                first_seen_at=row.first_seen_at,
                values=values,
                id=row.id,
                current_hash=row.content_hash,
                current=values["current_version_id"],
                last_seq=row.last_seq or 0,
            )
    return docs


def _new_doc(p: Page, source_ids: dict[str, int]) -> _Doc:
    values = dict.fromkeys(DOCUMENT_UPDATES)
    values.update(last_seen_at=p.fetched_at, status="active")
    return _Doc(source_ids[p.source], p.canonical_url, p.kind, p.fetched_at, values)


def _version_row(run_id: int | None, p: Page, c: Content, seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
        "content_hash": c.content_hash,
        "raw_sha256": hashlib.sha256(p.body).hexdigest(),
        "raw_body": compress(p.body),
        "raw_size": len(p.body),
        "encoding": c.encoding,
        "decode_reason": c.decode_reason,
        "page_type": c.page_type,
        "title": c.title,
        "text": c.text,
        "url": p.url,
        "http_status": p.status,
        "headers": p.headers,
        "fetched_at": p.fetched_at,
        "run_id": run_id,
    }


def _apply(plan: _Plan, entry: Entry, source_ids: dict[str, int]) -> None:
    """Work out what ``entry`` does to its document, in batch order."""
    p, c = entry.page, entry.content
    if p is None:  # an event or an unreadable page
        plan.outcomes.append((None, None, entry.row["outcome"]))
        return
    doc = plan.docs.get(p.canonical_url)
    if c is None:  # no content: note the fetch on a known document, nothing more
        if doc is not None:
            doc.values["last_fetched_at"] = p.fetched_at
            doc.touched = True
        plan.outcomes.append((doc, None, entry.row["outcome"]))
        return
    # the parent is looked up before a new document is registered: it cannot be its own parent
    parent = plan.docs.get(p.parent_url) if p.kind == "annex" and p.parent_url else None
    created = doc is None
    if doc is None:
        doc = plan.docs[p.canonical_url] = _new_doc(p, source_ids)
        plan.new_docs.append(doc)
    values = doc.values
    if parent is not None and values["parent_id"] is None and doc.parent is None:
        if parent.id is not None:
            values["parent_id"] = parent.id
        else:
            doc.parent = parent  # created earlier in this batch: its id comes with the insert
    values["last_seen_at"] = max(values["last_seen_at"] or p.fetched_at, p.fetched_at)
    values["last_fetched_at"] = p.fetched_at
    if p.list_date is not None:
        values["list_date"] = p.list_date
    # A page that serves content again is listed again (delisting itself is decided elsewhere).
    values["status"], values["delisted_at"] = "active", None
    doc.touched = True
    if doc.current_hash is not None and doc.current_hash == c.content_hash:
        if values["title"] is None and c.title:
            values["title"] = c.title
        plan.outcomes.append((doc, doc.current, "unchanged"))
        return
    doc.last_seq += 1
    version = _NewVersion(_version_row(entry.row["run_id"], p, c, doc.last_seq))
    doc.current, doc.current_hash = version, c.content_hash
    values["title"] = c.title or values["title"]
    plan.versions.append((doc, version))
    plan.outcomes.append((doc, version, "new_document" if created else "new_version"))


def _insert_returning_ids(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (one multi-row statement per page of rows) and return their ids in order."""
    if not rows:
        return []
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row.id for row in conn.execute(stmt, rows)]


def _write(
    conn: Connection, entries: list[Entry], source_ids: dict[str, int]
) -> list[StoreResult | None]:
    urls = {e.page.canonical_url for e in entries if e.page is not None}
    urls |= {e.page.parent_url for e in entries if e.page is not None and e.page.parent_url}
    plan = _Plan(_load(conn, sorted(urls)) if urls else {})
    for entry in entries:
        _apply(plan, entry, source_ids)

    new_rows = [
        {
            "source_id": d.source_id,
            "canonical_url": d.canonical_url,
            "kind": d.kind,
            "first_seen_at": d.first_seen_at,
            "last_seen_at": d.values["last_seen_at"],
            "status": "active",
        }
        for d in plan.new_docs
    ]
    for doc, doc_id in zip(
        plan.new_docs, _insert_returning_ids(conn, DOCUMENTS, new_rows), strict=True
    ):
        doc.id = doc_id
    for doc, version in plan.versions:
        version.row["document_id"] = doc.id
    version_ids = _insert_returning_ids(conn, VERSIONS, [v.row for _, v in plan.versions])
    for (_, version), version_id in zip(plan.versions, version_ids, strict=True):
        version.id = version_id
    touched = [d for d in plan.docs.values() if d.touched]
    if touched:
        conn.execute(
            # SET takes the columns named by the parameters: every DOCUMENT_UPDATES column
            update(DOCUMENTS).where(DOCUMENTS.c.id == bindparam("doc_id")),
            [_update_row(d) for d in touched],
        )
    rows = []
    for entry, (_, _, outcome) in zip(entries, plan.outcomes, strict=True):
        entry.row["outcome"] = outcome
        rows.append(entry.row)
    conn.execute(insert(FETCH_LOG), rows)
    return [_result(e, o) for e, o in zip(entries, plan.outcomes, strict=True)]


def _update_row(doc: _Doc) -> dict[str, Any]:
    row = {**doc.values, "doc_id": doc.id, "current_version_id": doc.current_version_id}
    if doc.parent is not None and row["parent_id"] is None:
        row["parent_id"] = doc.parent.id
    return row


def _result(
    entry: Entry, outcome: tuple[_Doc | None, _NewVersion | int | None, str]
) -> StoreResult | None:
    if not entry.is_page:
        return None
    doc, version, name = outcome
    version_id = version.id if isinstance(version, _NewVersion) else version
    return StoreResult(doc.id if doc is not None else None, version_id, name)
