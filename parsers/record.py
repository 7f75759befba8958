"""Frozen record types for the parse contract (shared/contract/document.schema.json).

``Record.to_dict()`` returns exactly the schema's properties (plus the allowed extras
``summary_en`` and ``warnings``), with spans as two-item lists. Fields not extracted yet
(items, thresholds, elements, entities) are empty tuples; the types grow with later issues.
Invariant: ``to_dict()`` output validates against the schema whenever every span lies in text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from parsers.dates import Effective

SCHEMA_VERSION = "1"
DOC_TYPES = ("公告", "令", "通知", "决定", "其他")
RELATIONS = ("suspends", "amends", "repeals", "supersedes", "implements", "cites")


T = TypeVar("T")


def guarded(warnings: list[str], what: str, fn: Callable[[], T], default: T) -> T:
    """Run one extractor; its failure becomes a line in ``warnings`` and ``default`` is used.

    One bad field must never lose the whole record.
    """
    try:
        return fn()
    except Exception as exc:
        warnings.append(f"{what} failed: {type(exc).__name__}: {exc}")
        return default


class ParseError(Exception):
    """A structural surprise inside the parsers; public entry points turn it into a warning."""


@dataclass(frozen=True)
class DocRef:
    """Another document, as far as the text identifies it."""

    seq: int
    year: int | None
    issuers: tuple[str, ...] | None = None
    type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "issuers": list(self.issuers) if self.issuers else None,
            "type": self.type,
            "year": self.year,
            "seq": self.seq,
        }


@dataclass(frozen=True)
class DocNumber:
    """One of the document's own numbers (文号)."""

    text: str
    issuers: tuple[str, ...]
    type: str
    year: int
    seq: int
    span: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "issuers": list(self.issuers),
            "type": self.type if self.type in DOC_TYPES else "其他",
            "year": self.year,
            "seq": self.seq,
            "span": list(self.span),
        }


@dataclass(frozen=True)
class Reference:
    """A mention of another document and how this one relates to it."""

    target: DocRef
    relation: str
    span: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target.to_dict(), "relation": self.relation, "span": list(self.span)}


@dataclass(frozen=True)
class Suspension:
    """Measures of another document suspended by this one, with the window."""

    target: DocRef
    applies_to: str
    start: str | None
    until: str | None
    span: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.to_dict(),
            "applies_to": self.applies_to,
            "from": self.start,
            "until": self.until,
            "span": list(self.span),
        }


def effective_dict(e: Effective) -> dict[str, Any]:
    """Contract form of an ``Effective``."""
    return {"date": e.date, "applies_to": e.applies_to, "basis": e.basis, "span": list(e.span)}


@dataclass(frozen=True)
class Record:
    """A parsed document. See the contract for the meaning of each field."""

    kind: str
    language: str
    title: str | None
    text: str
    url: str | None = None
    numbers: tuple[DocNumber, ...] = ()
    publish_date: str | None = None
    effective: tuple[Effective, ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    references: tuple[Reference, ...] = ()
    items: tuple[dict[str, Any], ...] = ()
    thresholds: tuple[dict[str, Any], ...] = ()
    elements: tuple[str, ...] = ()
    entities: tuple[dict[str, Any], ...] = ()
    legal_basis: tuple[str, ...] = ()
    summary_en: str = ""
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The contract JSON object (key order follows the schema)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "language": self.language,
            "title": self.title,
            "url": self.url,
            "numbers": [n.to_dict() for n in self.numbers],
            "publish_date": self.publish_date,
            "effective": [effective_dict(e) for e in self.effective],
            "suspensions": [s.to_dict() for s in self.suspensions],
            "references": [r.to_dict() for r in self.references],
            "items": [dict(i) for i in self.items],
            "thresholds": [dict(t) for t in self.thresholds],
            "elements": list(self.elements),
            "entities": [dict(e) for e in self.entities],
            "legal_basis": list(self.legal_basis),
            "summary_en": self.summary_en,
            "warnings": list(self.warnings),
            "text": self.text,
        }
