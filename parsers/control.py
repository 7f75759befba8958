"""What a control document controls: items, document-level thresholds, elements, entities.

Only announcements and notices that speak of export control (出口管制, 两用物项, 管制编码,
出口许可) carry items, thresholds and elements; news, Q&A and unrelated notices (an anti-dumping
ruling lists products with HS codes, a statistics release has percentages) yield none, because
reporting on a control is not imposing one. Entities come from entity-list decisions and from
announcements that list entities with a listing verb.
Invariant: pure; each extractor's failure becomes a warning and an empty field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from parsers.anchors import Words
from parsers.elements import find_elements
from parsers.entities import Entity, find_entities
from parsers.items import Item, find_items, free_thresholds
from parsers.normalize import as_written
from parsers.record import guarded
from parsers.thresholds import Threshold

_CONTROL_ZH = r"出口管制|两用物项|管制编码|出口许可"
CONTROL_RE = re.compile(rf"{_CONTROL_ZH}|export control|dual-use", re.IGNORECASE)
CONTROL = Words(_CONTROL_ZH, CONTROL_RE, ("export control", "dual-use"))
CONTROL_KINDS = ("announcement", "notice")
#: How far around a threshold its parameter may stand (before it, or after: 14纳米及以下制程).
PARAMETER_REACH = 40
ENTITY_KINDS = ("entity_list", "announcement", "notice")


@dataclass(frozen=True)
class ControlFacts:
    """Items, free thresholds, elements and entities of one document."""

    items: tuple[Item, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    elements: tuple[str, ...] = ()
    entities: tuple[Entity, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def is_control_document(search: str, kind: str) -> bool:
    """True for an announcement or notice that imposes or changes export controls."""
    return kind in CONTROL_KINDS and CONTROL.found(search)


def _threshold_as_written(text: str, search: str, t: Threshold) -> Threshold:
    window = (t.span[0] - PARAMETER_REACH, t.span[1] + PARAMETER_REACH)
    return replace(t, parameter=as_written(text, search, t.parameter, *window))


def _as_written(text: str, search: str, facts: ControlFacts) -> ControlFacts:
    """Names and parameters in the characters of ``text`` (traditional stays traditional)."""
    items = tuple(
        replace(
            i,
            name=as_written(text, search, i.name, *i.span) or i.name,
            thresholds=tuple(_threshold_as_written(text, search, t) for t in i.thresholds),
        )
        for i in facts.items
    )
    entities = tuple(
        replace(
            e,
            name_zh=as_written(text, search, e.name_zh, *e.span),
            name_en=as_written(text, search, e.name_en, *e.span),
        )
        for e in facts.entities
    )
    free = tuple(_threshold_as_written(text, search, t) for t in facts.thresholds)
    return replace(facts, items=items, thresholds=free, entities=entities)


def control_facts(search: str, kind: str, text: str | None = None) -> ControlFacts:
    """Extract the control facts of a document.

    Args:
        search: The simplified, same-length search copy of the record text.
        kind: The record's kind (decides which extractors run).
        text: The record text itself; names and parameters are reported as it writes them.

    Returns:
        The facts; spans point into ``search`` (and so into ``text``).
    """
    warns: list[str] = []
    items: list[Item] = []
    free: list[Threshold] = []
    elements: list[str] = []
    entities: list[Entity] = []
    if kind in ENTITY_KINDS:
        entities = guarded(warns, "entities", lambda: find_entities(search), [])
    if is_control_document(search, kind) and not (kind == "entity_list" and entities):
        items = guarded(warns, "items", lambda: find_items(search), [])
        free = guarded(warns, "thresholds", lambda: free_thresholds(search, items), [])
        elements = guarded(warns, "elements", lambda: find_elements(search), [])
    facts = ControlFacts(tuple(items), tuple(free), tuple(elements), tuple(entities), tuple(warns))
    if text is None or text == search:  # a simplified text reads the same in both
        return facts
    return guarded(warns, "names as written", lambda: _as_written(text, search, facts), facts)
