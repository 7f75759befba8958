"""Facts of a parsed record, how to key them, and what changed between two of them (pure).

The diff layer compares *facts*, not pages: a record without ``text`` (replaced by its hash),
``url``, ``warnings``, ``summary_en`` and every ``span`` (spans move whenever a line is added
above). Hashing these facts ignores volatile page parts by construction.

Keys:
- an instrument's key follows its own number: ``<series>/<type>/<year>/<seq>``, where series is
  the body whose numbering the document follows (``商务部`` for MOFCOM and joint MOFCOM–GAC
  announcements, ``不可靠实体清单工作机制`` for its own 〔2025〕N号 series);
- an item's key is its control code (``#2`` … for a repeated code), else its clause, else its
  name; an entity's key is its list and normalised name.

Invariant: nothing here touches the database; ``diff_facts(a, a) == []``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

DROP_KEYS = ("text", "url", "warnings", "summary_en")
#: Issuers with their own number series; anything else follows the first issuer's.
OWN_SERIES = ("不可靠实体清单工作机制",)
DEFAULT_SERIES = "商务部"
DOCUMENT_FIELDS = (
    "kind",
    "title",
    "numbers",
    "publish_date",
    "effective",
    "suspensions",
    "references",
    "legal_basis",
    "elements",
    "thresholds",
    "text_sha256",
)


def _strip_spans(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_spans(v) for k, v in value.items() if k != "span"}
    if isinstance(value, list):
        return [_strip_spans(v) for v in value]
    return value


def facts_of(record: dict[str, Any]) -> dict[str, Any]:
    """The comparable facts of a contract record (see the module docstring)."""
    facts = {k: _strip_spans(v) for k, v in record.items() if k not in DROP_KEYS}
    facts["text_sha256"] = hashlib.sha256((record.get("text") or "").encode()).hexdigest()
    return facts


def facts_hash(facts: dict[str, Any]) -> str:
    """A stable sha256 of the facts (sorted keys, no whitespace)."""
    blob = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def series_of(issuers: list[str] | None, default: str = DEFAULT_SERIES) -> str:
    """The numbering series a document of these issuers follows."""
    for issuer in issuers or []:
        if issuer in OWN_SERIES:
            return issuer
    return (issuers or [default])[0]


def number_key(number: dict[str, Any], default_series: str = DEFAULT_SERIES) -> str | None:
    """``商务部/公告/2025/58`` for a number or a reference target; None without year or seq."""
    year, seq = number.get("year"), number.get("seq")
    if year is None or seq is None:
        return None
    doc_type = number.get("type") or "公告"
    return f"{series_of(number.get('issuers'), default_series)}/{doc_type}/{year}/{seq}"


def instrument_key(record: dict[str, Any]) -> str | None:
    """The key of the document's own first number, or None for an un-numbered page."""
    numbers = record.get("numbers") or []
    return number_key(numbers[0]) if numbers else None


def norm_name(text: str | None) -> str:
    return re.sub(r"[\s,.，。()（）]+", "", text or "").casefold()


def keyed_items(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Items by key: code (with ``#n`` for repeats), else clause, else name."""
    seen: Counter[str] = Counter()
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        base = item.get("code") or (f"clause:{item['clause']}" if item.get("clause") else "")
        base = base or f"name:{norm_name(item.get('name'))}"
        seen[base] += 1
        out[base if seen[base] == 1 else f"{base}#{seen[base]}"] = item
    return out


def entity_key(entity: dict[str, Any]) -> str:
    """An entity's identity on its list: the list and its English (else Chinese) name."""
    name = norm_name(entity.get("name_en")) or norm_name(entity.get("name_zh"))
    return f"{entity.get('list')}:{entity.get('action')}:{name}"


def keyed_entities(entities: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Entities by ``entity_key`` (first occurrence wins)."""
    out: dict[str, dict[str, Any]] = {}
    for e in entities:
        out.setdefault(entity_key(e), e)
    return out


@dataclass(frozen=True)
class Draft:
    """A change event before it is stored: kind, subject, values and what else a reader needs."""

    kind: str
    subject: str | None = None
    before: Any = None
    after: Any = None
    details: dict[str, Any] = field(default_factory=dict)


def _item_drafts(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Draft]:
    before, after = keyed_items(old), keyed_items(new)
    removed = {k: v for k, v in before.items() if k not in after}
    added = {k: v for k, v in after.items() if k not in before}
    drafts: list[Draft] = []
    # an entry whose code was corrected keeps its clause and name: a change, not remove + add
    for rk, rv in list(removed.items()):
        match = next(
            (
                ak
                for ak, av in added.items()
                if av.get("clause") == rv.get("clause")
                and norm_name(av.get("name")) == norm_name(rv.get("name"))
            ),
            None,
        )
        if match is not None:
            av = added.pop(match)
            del removed[rk]
            drafts.append(
                Draft("item_changed", av.get("code") or match, rv, av, {"fields": ["code"]})
            )
    for key, item in before.items():
        if key not in after:
            continue
        new_item = after[key]
        fields = [
            f
            for f in ("code", "name", "hs_codes", "clause", "parent_code")
            if item.get(f) != new_item.get(f)
        ]
        if fields:
            drafts.append(Draft("item_changed", key, item, new_item, {"fields": fields}))
        if item.get("thresholds") != new_item.get("thresholds"):
            drafts.append(
                Draft(
                    "threshold_changed",
                    key,
                    item.get("thresholds"),
                    new_item.get("thresholds"),
                    {"item": new_item.get("name"), "code": new_item.get("code")},
                )
            )
    drafts += [Draft("item_removed", k, v, None) for k, v in removed.items()]
    drafts += [Draft("item_added", k, None, v) for k, v in added.items()]
    return drafts


def _entity_drafts(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Draft]:
    before, after = keyed_entities(old), keyed_entities(new)
    drafts = []
    for key, e in after.items():
        if key not in before:  # the document now lists (or delists) this entity
            kind = "entity_delisted" if e.get("action") == "remove" else "entity_listed"
            drafts.append(Draft(kind, _entity_label(e), None, e, {"list": e.get("list")}))
    for key, e in before.items():
        if key not in after:  # an edit took the entity out of the document: the reverse
            kind = "entity_listed" if e.get("action") == "remove" else "entity_delisted"
            drafts.append(
                Draft(kind, _entity_label(e), e, None, {"list": e.get("list"), "edit": True})
            )
    return drafts


def _entity_label(e: dict[str, Any]) -> str:
    zh, en = e.get("name_zh"), e.get("name_en")
    return f"{zh}（{en}）" if zh and en else (zh or en or "?")


def diff_facts(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Draft]:
    """What changed from ``old`` to ``new`` facts, as event drafts in a stable order.

    ``old`` None means the instrument is new: ``document_added`` followed by an ``item_added``
    per item and an ``entity_listed``/``entity_delisted`` per entity.
    """
    if old is None:
        drafts = [Draft("document_added", new.get("title"), None, None, {"kind": new.get("kind")})]
        drafts += [
            Draft("item_added", k, None, v) for k, v in keyed_items(new.get("items") or []).items()
        ]
        drafts += _entity_drafts([], new.get("entities") or [])
        return drafts
    fields = [f for f in DOCUMENT_FIELDS if old.get(f) != new.get(f)]
    if old.get("items") != new.get("items"):
        fields.append("items")
    if old.get("entities") != new.get("entities"):
        fields.append("entities")
    if not fields:
        return []
    before = {f: old.get(f) for f in fields if f not in ("items", "entities", "text_sha256")}
    after = {f: new.get(f) for f in fields if f not in ("items", "entities", "text_sha256")}
    drafts = [Draft("document_changed", new.get("title"), before, after, {"fields": fields})]
    drafts += _item_drafts(old.get("items") or [], new.get("items") or [])
    if old.get("thresholds") != new.get("thresholds"):
        drafts.append(
            Draft("threshold_changed", "document", old.get("thresholds"), new.get("thresholds"))
        )
    drafts += _entity_drafts(old.get("entities") or [], new.get("entities") or [])
    return drafts
