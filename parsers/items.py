"""Controlled items (物项) of a control document, with codes, HS codes and bound thresholds.

Where items are: an item starts at a control code placed where an entry begins — right after
the line's enumerator (``1. 3A001 …``), at the start of a line, or after ``：``/``；`` (several
coded entries on one line: ``3B901.a 锂电池制造设备：3B901.a.1 卷绕机；3B901.a.2 叠片机``).
A code elsewhere is a mention (``用于生产3A001项所管制物项的技术``). Without codes (2023–2024
lists), an enumerated line with a reference customs code is an item. A table row
(``1 | 1C902.a | 人造金刚石微粉 | 71051020``) with a code or an HS cell is an item.
``【保留】`` entries are skipped.

An item runs to the next item start or the end of its line; thresholds found inside it are bound
to it, and its name is what remains without numbering, code, HS parenthesis and the leading
qualifying phrase (``重量能量密度大于等于300Wh/kg的``). ``parent_code`` is the nearest earlier
item whose code is a dotted prefix of this one (for an uncoded item: the item on its nearest
ancestor line). Thresholds in control clauses outside any item are returned as document-level
thresholds (value ratios, chip nodes, ownership).
Invariant: pure; every span lies inside the searched string; order is document order.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from typing import Any

from parsers.clauses import OutlineLine, outline
from parsers.codes import CODE_RE, code_anchors, find_hs, hs_cell, normalize_code
from parsers.thresholds import Threshold, find_thresholds, threshold_anchors

CELL_SEP = " | "
ENTRY_START_RE = re.compile(r"[：:；;]\s*$|^\s*$")
ENTRY_STOPS = "：:；;"  # the stops of ENTRY_START_RE
HS_PAREN_RE = re.compile(
    r"[（(][^（()）]*?(?:税则号列|商品编号|商品编码|税则号|HS编码|HS code|tariff (?:item )?number"
    r"|commodity (?:code|number))[^（()）]*[）)]",
    re.IGNORECASE,
)
RESERVED_RE = re.compile(r"【保留】|^\s*保留\s*[。；;]?\s*$")
RESERVED = "保留"  # in every match of RESERVED_RE
TRAILING = " \t。；;，,：:、"
GAP_CHARS = TRAILING  # what may stand between the items of a line (see _covered)
#: An English item line ends with a full stop that is not part of the name.
NAME_TRAILING = TRAILING + "."
QUALIFIER_END = "的"
#: Lines that state obligations or procedure: their thresholds are not document conditions.
NOT_CONDITION_RE = re.compile(r"自\d{4}年|施行|实施|之日起|暂停")
HEADER_CELL_RE = re.compile(r"编码|编号|名称|序号|税则|描述|物项")
#: The clause that introduces a list of controlled items (``一、满足以下特性的物项，未经许可，不得出口：``).
CONTROL_CLAUSE_RE = re.compile(
    r"物项[^：:\n]*不得出口[^\n]*[：:]\s*$|对(?:以下|下列)物项实施出口管制[^\n]*[：:]\s*$"
)
ITEMS_WORD = "物项"  # in every match of CONTROL_CLAUSE_RE
#: An item line whose sub-lines are the features it must have, not items of their own.
FEATURES_RE = re.compile(r"(?:特征|特性|条件|指标|要求|参数)\s*[：:]\s*$")
#: Where an uncoded item's name stops: the explanatory tail.
NAME_TAIL_RE = re.compile(r"[，,；;](?:同时)?(?:满足|包括|含|包含|纯度|专门设计|其中)")


@dataclass(frozen=True)
class Item:
    """One controlled item (contract ``items[]``)."""

    code: str | None
    name: str
    hs_codes: tuple[str, ...]
    thresholds: tuple[Threshold, ...]
    clause: str | None
    parent_code: str | None
    span: tuple[int, int]
    line_path: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Contract form."""
        return {
            "code": self.code,
            "name": self.name,
            "hs_codes": list(self.hs_codes),
            "thresholds": [t.to_dict() for t in self.thresholds],
            "clause": self.clause,
            "parent_code": self.parent_code,
            "span": list(self.span),
        }


def _entry_codes(search: str, line: OutlineLine) -> list[tuple[int, int]]:
    """Codes in the line that start an entry (not mere mentions), with absolute spans.

    The line's body is searched on its own, so a code right after its enumerator (``1.3A001``
    once a full-width ``．`` is folded) is not taken for the tail of a longer token.
    """
    out: list[tuple[int, int]] = []
    if not code_anchors(search).touch(line.body, line.end):
        return out
    body = search[line.body : line.end]
    for m in CODE_RE.finditer(body):
        if _entry_start(body[: m.start()]):
            out.append((line.body + m.start(), line.body + m.end()))
    return out


def _entry_start(before: str) -> bool:
    """``ENTRY_START_RE.search(before)``, without a regex (``rstrip`` strips what ``\\s`` is)."""
    before = before.rstrip()
    return not before or before[-1] in ENTRY_STOPS


def _trim(search: str, start: int, end: int) -> tuple[int, int]:
    while end > start and search[end - 1] in TRAILING:
        end -= 1
    while start < end and search[start] in " \t":
        start += 1
    return start, end


def _name(search: str, start: int, end: int, thresholds: list[Threshold]) -> str:
    """The item as written, without code, HS parenthesis and leading qualifying phrase."""
    raw = search[start:end]
    cut = 0
    if thresholds:
        last = max(t.span[1] for t in thresholds) - start
        pos = raw.find(QUALIFIER_END, max(last, 0))
        if 0 <= pos - last <= 2:
            cut = pos + 1
    name = HS_PAREN_RE.sub("", raw[cut:]).strip(NAME_TRAILING)
    return name or HS_PAREN_RE.sub("", raw).strip(NAME_TRAILING) or raw.strip(NAME_TRAILING)


def _segment(
    search: str, start: int, end: int, code_end: int | None, line: OutlineLine
) -> Item | None:
    start, end = _trim(search, start, end)
    if start >= end or (
        search.find(RESERVED, start, end) >= 0 and RESERVED_RE.search(search[start:end])
    ):
        return None
    labelled = find_hs(search, start, end)
    hs = tuple(dict.fromkeys(code for code, _ in labelled)) if labelled else ()
    thresholds = find_thresholds(search, code_end or start, end)
    name_from = code_end if code_end is not None else start
    code = normalize_code(search[start:code_end]) if code_end is not None else None
    return Item(
        code=code,
        name=_name(search, name_from, end, thresholds),
        hs_codes=hs,
        thresholds=tuple(thresholds),
        clause=line.path or None,
        parent_code=None,
        span=(start, end),
        line_path=line.path,
    )


def _row_item(search: str, line: OutlineLine) -> Item | None:
    """A table row ``seq | code | name | hs`` (cells in any order)."""
    cells, pos = [], line.start
    for raw in search[line.start : line.end].split(CELL_SEP):
        cells.append((pos, raw.rstrip(" |")))
        pos += len(raw) + len(CELL_SEP)
    code, name, hs = None, None, []
    name_span = None
    text_cells: list[tuple[int, int]] = []  # name and indicator cells (技术指标) hold thresholds
    for offset, cell in cells:
        stripped = cell.strip()
        if RESERVED_RE.search(stripped):
            return None
        codes = list(CODE_RE.finditer(stripped))
        if codes and codes[0].group() == stripped and code is None:
            code = normalize_code(stripped)
        elif hs_cell(stripped):
            hs += hs_cell(stripped)
        elif stripped and not stripped.isdigit():
            text_cells.append((offset, offset + len(cell)))
            if name is not None:
                continue
            if HEADER_CELL_RE.fullmatch(stripped) or (
                HEADER_CELL_RE.search(stripped) and len(stripped) <= 6
            ):
                return None
            name, name_span = stripped, (offset, offset + len(cell))
    if code is None and not hs:
        return None
    start, end = _trim(search, line.start, line.end)
    thresholds = [t for a, b in text_cells for t in find_thresholds(search, a, b)]
    return Item(
        code=code,
        name=_name(search, *name_span, [t for t in thresholds if t.span[1] <= name_span[1]])
        if name_span
        else "",
        hs_codes=tuple(dict.fromkeys(hs)),
        thresholds=tuple(thresholds),
        clause=line.path or None,
        parent_code=None,
        span=(start, end),
        line_path=line.path,
    )


def _line_items(search: str, line: OutlineLine) -> list[Item]:
    if search.find(CELL_SEP, line.start, line.end) >= 0:
        row = _row_item(search, line)
        return [row] if row else []
    starts = _entry_codes(search, line)
    if not starts:
        if line.level and find_hs(search, line.body, line.end):
            item = _segment(search, line.body, line.end, None, line)
            return [item] if item else []
        return []
    out = []
    for i, (code_start, code_end) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else line.end
        item = _segment(search, code_start, end, code_end, line)
        if item:
            out.append(item)
    return out


def _with_parents(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    codes: set[str] = set()  # codes of the items so far
    for item in items:
        parent = None
        if item.code:
            parts = item.code.split(".")  # the longest earlier code that is a dotted prefix
            parent = next(
                (p for k in range(len(parts) - 1, 0, -1) if (p := ".".join(parts[:k])) in codes),
                None,
            )
            codes.add(item.code)
        else:
            ancestors = [
                o
                for o in out
                if o.code
                and o.line_path
                and item.line_path.startswith(o.line_path)
                and o.line_path != item.line_path
            ]
            parent = ancestors[-1].code if ancestors else None
        i = item
        out.append(
            Item(i.code, i.name, i.hs_codes, i.thresholds, i.clause, parent, i.span, i.line_path)
        )
    return out


def _attach(item: Item, search: str, start: int, end: int) -> Item:
    """Add the HS codes and thresholds written in ``search[start:end]`` to ``item``."""
    hs = tuple(dict.fromkeys((*item.hs_codes, *(c for c, _ in find_hs(search, start, end)))))
    extra = tuple(find_thresholds(search, start, end))
    return replace(item, hs_codes=hs, thresholds=item.thresholds + extra)


def _uncoded_name(search: str, line: OutlineLine) -> Item | None:
    item = _segment(search, line.body, line.end, None, line)
    if item is None:
        return None
    cut = NAME_TAIL_RE.search(item.name)
    return replace(item, name=item.name[: cut.start()]) if cut and cut.start() > 0 else item


def _sections(lines: list[OutlineLine], search: str) -> list[tuple[int, int]]:
    """Index ranges (first, last+1) of the lines under each control clause."""
    out = []
    for i, line in enumerate(lines):
        if not line.level or search.find(ITEMS_WORD, line.body, line.end) < 0:
            continue
        if not CONTROL_CLAUSE_RE.search(search[line.body : line.end]):
            continue
        j = i + 1
        while j < len(lines) and not (0 < lines[j].level <= line.level):
            j += 1
        out.append((i + 1, j))
    return out


def _uncoded_section(
    search: str, lines: list[OutlineLine], first: int, last: int
) -> dict[int, Item]:
    """Items of a control clause whose entries carry no control codes (2023–2024 lists).

    A marked line with no sub-lines is an item; a line with sub-lines is a heading, except when
    it ends by announcing features (``同时满足以下特征：``) — then it is the item and its
    sub-lines' thresholds and HS codes belong to it.
    """
    found: dict[int, Item] = {}
    owner: tuple[int, int] | None = None  # (line index of the feature item, its level)
    for i in range(first, last):
        line = lines[i]
        if owner and (line.level == 0 or line.level > owner[1]):
            found[owner[0]] = _attach(found[owner[0]], search, line.body, line.end)
            continue
        owner = None
        if not line.level:
            continue
        has_children = any(lines[k].level > line.level for k in range(i + 1, min(last, i + 2)))
        text = search[line.body : line.end]
        if has_children and not FEATURES_RE.search(text):
            continue  # a heading such as （一）镓相关物项。
        item = _uncoded_name(search, line)
        if item is None:
            continue
        found[i] = item
        if has_children:
            owner = (i, line.level)
    return found


def find_items(search: str, start: int = 0, end: int | None = None) -> list[Item]:
    """Controlled items in ``search[start:end]`` (the module docstring gives the rules)."""
    stop = len(search) if end is None else end
    lines = [ln for ln in outline(search) if ln.end > start and ln.start < stop]
    per_line: dict[int, list[Item]] = {}
    codes = code_anchors(search)
    for i, line in enumerate(lines):
        prose = not line.level and not codes.touch(line.body, line.end)
        if prose and search.find(CELL_SEP, line.start, line.end) < 0:
            continue  # no marker an uncoded item needs, no code, no table cell
        items = _line_items(search, line)
        if items:
            per_line[i] = items
    for first, last in _sections(lines, search):
        if any(i in per_line and any(it.code for it in per_line[i]) for i in range(first, last)):
            continue
        for i, item in _uncoded_section(search, lines, first, last).items():
            per_line[i] = [item]
    # a reference code on an unmarked line below an item (``<br>（参考税则号列：…）``) is that item's
    last_line: int | None = None
    for i, line in enumerate(lines):
        if i in per_line:
            last_line = i
        elif line.level:
            last_line = None
        elif last_line is not None and find_hs(search, line.start, line.end):
            items = per_line[last_line]
            items[-1] = _attach(items[-1], search, line.start, line.end)
    found = [item for i in sorted(per_line) for item in per_line[i]]
    return _with_parents(found)


def _covered(search: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``search[start:end]`` outside the (sorted) item ``spans`` is only spaces and stops.

    No threshold starts with those (it starts with a digit, a numeral, an operator or 百分之).
    """
    pos = start
    for a, b in spans[max(bisect_right(spans, (start, start)) - 1, 0) :]:
        if a >= end:
            break
        if b <= pos:
            continue
        if a > pos and search[pos:a].strip(GAP_CHARS):
            return False
        pos = b
    return pos >= end or not search[pos:end].strip(GAP_CHARS)


def free_thresholds(search: str, items: list[Item], start: int = 0) -> list[Threshold]:
    """Thresholds in numbered clauses that lie outside every item (document-level conditions)."""
    taken = [i.span for i in items] + [t.span for i in items for t in i.thresholds]
    out: list[Threshold] = []
    anchors = threshold_anchors(search)
    spans = sorted(i.span for i in items)
    for line in outline(search):
        if line.end <= start or not line.path or not anchors.touch(line.body, line.end):
            continue
        if _covered(search, line.body, line.end, spans):
            continue  # every threshold of the line would start in an item: none is free
        found = find_thresholds(search, line.body, line.end)
        if not found or NOT_CONDITION_RE.search(search, line.body, line.end):
            continue
        for t in found:
            if not any(a <= t.span[0] < b for a, b in taken):
                out.append(t)
    return out
