"""Subscription filters: which change events a subscriber wants.

A filter has up to seven facets; an event matches when it satisfies every facet that is set
(AND across facets, OR within one). An empty filter matches everything.

- ``event_kinds``: change-event kinds (``document_added``, ``entity_listed`` …).
- ``doc_kinds``: the document's parsed kind (announcement, entity_list, news, qa, notice, other).
- ``issuers``: an issuing body, e.g. ``海关总署`` (a part of the name is enough).
- ``codes``: control-code prefixes; ``1`` is category 1, ``1C`` its materials, ``3A001`` one
  entry. Matched against the event's item and the items of its document.
- ``elements``: IUPAC symbols (``Ga``) or Chinese names (``镓``).
- ``entity_lists``: unreliable_entity, control_list, watch_list, other.
- ``keywords``: words matched on jieba tokens (the project's domain dictionary) of the event's
  summaries, subject, title, item and entity names; traditional and simplified Chinese alike,
  English case-insensitively. A keyword of several words needs all of them; a word inside a
  longer domain term counts (``磷酸铁锂`` in ``磷酸铁锂正极材料``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from alerts.errors import SubscriptionError
from alerts.events import EventView
from db.schema import CHANGE_KINDS
from parsers.elements import ELEMENTS
from parsers.normalize import to_simplified
from parsers.segment import cut, cut_for_search

DOC_KINDS = ("announcement", "entity_list", "news", "qa", "notice", "other")
ENTITY_LISTS = ("unreliable_entity", "control_list", "watch_list", "other")
SYMBOLS = {s.casefold(): s for s in ELEMENTS.values()}
#: Separators and punctuation that never count as a keyword token.
NOISE_RE = re.compile(r"^[\s\W_]*$")


def _tokens(text: str, *, search: bool) -> set[str]:
    simplified = to_simplified(text)
    pieces = [*cut(simplified), *cut_for_search(simplified)] if search else cut(simplified)
    return {t.casefold() for t in pieces if not NOISE_RE.match(t)}


@dataclass(frozen=True)
class Filters:
    event_kinds: tuple[str, ...] = ()
    doc_kinds: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    entity_lists: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Filters:
        """Validate and normalise a filter as stored or written in a subscriptions file.

        Raises:
            SubscriptionError: an unknown facet or value (the message names it).
        """
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SubscriptionError(
                f"unknown filter(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        values = {name: _strings(name, data.get(name)) for name in known}
        _check("event_kinds", values["event_kinds"], CHANGE_KINDS)
        _check("doc_kinds", values["doc_kinds"], DOC_KINDS)
        _check("entity_lists", values["entity_lists"], ENTITY_LISTS)
        values["codes"] = tuple(c.upper() for c in values["codes"])
        values["elements"] = tuple(_element(e) for e in values["elements"])
        values["issuers"] = tuple(to_simplified(i) for i in values["issuers"])
        return cls(**values)

    def to_dict(self) -> dict[str, list[str]]:
        """The facets that are set, as JSON-ready lists."""
        return {k: list(v) for k, v in asdict(self).items() if v}

    def describe(self) -> str:
        """One line for listings: ``codes=3A,1C; keywords=稀土``."""
        return "; ".join(f"{k}={','.join(v)}" for k, v in self.to_dict().items()) or "everything"

    def matches(self, event: EventView) -> bool:
        """Whether ``event`` passes every facet that is set."""
        if self.event_kinds and event.kind not in self.event_kinds:
            return False
        if self.doc_kinds and _doc_kind(event) not in self.doc_kinds:
            return False
        if self.issuers:
            issuers = [to_simplified(i) for i in _issuers(event)]
            if not any(want in have for want in self.issuers for have in issuers):
                return False
        if self.codes:
            codes = [c.upper() for c in _codes(event)]
            if not any(code.startswith(prefix) for prefix in self.codes for code in codes):
                return False
        if self.elements and not set(self.elements) & set(_elements(event)):
            return False
        if self.entity_lists and not set(self.entity_lists) & set(_entity_lists(event)):
            return False
        if self.keywords:
            have = event_tokens(event)
            if not any(_has_words(_tokens(k, search=False), have) for k in self.keywords):
                return False
        return True


def _has_words(wanted: set[str], have: set[str]) -> bool:
    """Every wanted token is a token of the text or part of one (a long domain term such as
    ``磷酸铁锂正极材料`` contains ``磷酸铁锂``); a keyword never matches across two words."""
    return all(w in have or any(w in token for token in have) for w in wanted)


def _strings(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise SubscriptionError(f"filter {name} must be a list of strings, not {value!r}")
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _check(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise SubscriptionError(
            f"filter {name}: unknown value(s) {', '.join(bad)} (allowed: {', '.join(allowed)})"
        )


def _element(value: str) -> str:
    symbol = SYMBOLS.get(value.casefold()) or ELEMENTS.get(to_simplified(value))
    if symbol is None:
        raise SubscriptionError(f"filter elements: {value!r} is neither an element symbol nor name")
    return symbol


def _facts(event: EventView) -> dict[str, Any]:
    return event.instrument.facts if event.instrument else {}


def _doc_kind(event: EventView) -> str | None:
    return event.instrument.kind if event.instrument else None


def _issuers(event: EventView) -> list[str]:
    found = list(event.instrument.issuers) if event.instrument else []
    for number in _facts(event).get("numbers") or []:
        found += number.get("issuers") or []
    return found


def _values(event: EventView) -> list[dict[str, Any]]:
    """The item or entity dicts the event itself carries (before and after)."""
    return [v for v in (event.before, event.after) if isinstance(v, dict)]


def _codes(event: EventView) -> list[str]:
    codes = [v.get("code") for v in _values(event)]
    codes.append(event.details.get("code"))
    if event.kind.startswith("item_") or event.kind == "threshold_changed":
        codes.append(event.subject)
    codes += [item.get("code") for item in _facts(event).get("items") or []]
    return [c for c in codes if isinstance(c, str) and c]


def _elements(event: EventView) -> list[str]:
    return list(_facts(event).get("elements") or [])


def _entity_lists(event: EventView) -> list[str]:
    lists = [v.get("list") for v in _values(event)]
    lists.append(event.details.get("list"))
    lists += [e.get("list") for e in _facts(event).get("entities") or []]
    return [x for x in lists if isinstance(x, str)]


def _texts(event: EventView) -> Iterable[str]:
    yield event.summary_zh
    yield event.summary_en
    yield event.subject or ""
    if event.instrument:
        yield event.instrument.title or ""
    if event.caused_by:
        yield event.caused_by.title or ""
    for value in _values(event):
        for key in ("name", "name_zh", "name_en"):
            if isinstance(value.get(key), str):
                yield value[key]


def event_tokens(event: EventView) -> set[str]:
    """Search tokens of the event's texts (simplified, case-folded), computed once per event."""
    if "tokens" not in event._cache:
        event._cache["tokens"] = _tokens("\n".join(_texts(event)), search=True)
    tokens: set[str] = event._cache["tokens"]
    return tokens
