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

Each pattern runs once over the whole text (markers, codes, customs-code labels, threshold
words; ``str.find`` for table cells and control clauses), and a line or an item takes the
matches inside it by bisection; a text without a code letter, a label, a cell or a control
clause holds no item and is answered before its lines are read.
Invariant: pure; every span lies inside the searched string; order is document order.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from parsers.clauses import Lines, lines
from parsers.codes import CODE_RE, find_hs, hs_cell, labels, normalize_code
from parsers.thresholds import Threshold, find_thresholds, threshold_anchors

CELL_SEP = " | "
CODE_GROUPS = "ABCDE"  # a control code's group letter (CODE_RE)
ENTRY_START_RE = re.compile(r"[：:；;]\s*$|^\s*$")
ENTRY_STOPS = "：:；;"  # the stops of ENTRY_START_RE
HS_PAREN_RE = re.compile(
    r"[（(][^（()）]*?(?:税则号列|商品编号|商品编码|税则号|HS编码|HS code|tariff (?:item )?number"
    r"|commodity (?:code|number))[^（()）]*[）)]",
    re.IGNORECASE,
)
#: What every Chinese label of ``HS_PAREN_RE`` holds (its English ones hold HS_LABEL_WORDS).
HS_PAREN_ZH = ("税则号", "商品编")
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
CLAUSE_WORDS = ("不得出口", "物项实施出口管制")  # each match of CONTROL_CLAUSE_RE holds one
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


#: A dot right before a control code: ``1.3A001`` once a full-width ``．`` is folded (see
#: ``_entry_codes``).
DOT_CODE_RE = re.compile(r"\.(?=[0-9] ?[A-E] ?[0-9]{3})")

#: An item being built: [code, name, HS codes, thresholds, start, end, line index]. Items are
#: made once, at the end, when their parents are known.
Draft = list[Any]


class _Text:
    """What the rules read of one text, each found by one scan of the whole text: its lines
    and their clause paths, its customs-code labels, where thresholds may stand."""

    __slots__ = ("anchors", "code_letter", "labels", "lines", "search", "uncoded")

    def __init__(self, search: str, code_letter: int) -> None:
        self.search = search
        self.code_letter = code_letter  # where the first code may stand (_first_code_letter)
        self.lines = lines(search)
        self.labels = labels(search)
        self.anchors = threshold_anchors(search)
        #: the uncoded item of a marked line, by line index (the line rules and the control
        #: clause rules both ask)
        self.uncoded: dict[int, Draft | None] = {}


def _entry_codes(doc: _Text, first: int, last: int) -> dict[int, list[tuple[int, int]]]:
    """Per line, the codes that start an entry (not mere mentions), with absolute spans.

    One scan of the lines' text. Each line's body counts on its own, so a code right after its
    enumerator (``1.3A001`` once a full-width ``．`` is folded) is not taken for the tail of a
    longer token: the scan's look-behind sees the dot, so such lines are read alone.
    """
    search, ol = doc.search, doc.lines
    if doc.code_letter < 0:
        return {}
    # no code starts before the first group letter's digit (and a dot before that)
    lo, hi = max(ol.starts[first], doc.code_letter - 3), ol.ends[last - 1]
    alone = []
    for m in DOT_CODE_RE.finditer(search, lo, hi):
        i = bisect_right(ol.starts, m.end()) - 1
        if ol.bodies[i] == m.end():
            alone.append(i)
    out: dict[int, list[tuple[int, int]]] = {}
    starts, bodies = ol.starts, ol.bodies
    i = first
    for m in CODE_RE.finditer(search, lo, hi):
        a, b = m.span()
        i = bisect_right(starts, a, i) - 1
        body = bodies[i]
        if a > body:  # _entry_start, inline: every code asks
            before = search[body:a].rstrip()
            if before and before[-1] not in ENTRY_STOPS:
                continue
        elif a < body:
            continue
        if i in out:
            out[i].append((a, b))
        else:
            out[i] = [(a, b)]
    for i in alone:  # their scan decides
        body = ol.bodies[i]
        text = search[body : ol.ends[i]]
        spans = [(body + m.start(), body + m.end()) for m in CODE_RE.finditer(text)]
        spans = [(a, b) for a, b in spans if _entry_start(search[body:a])]
        if spans:
            out[i] = spans
        else:
            out.pop(i, None)
    return out


def _entry_start(before: str) -> bool:
    """``ENTRY_START_RE.search(before)``, without a regex (``rstrip`` strips what ``\\s`` is)."""
    before = before.rstrip()
    return not before or before[-1] in ENTRY_STOPS


def _name(raw: str, start: int, thresholds: list[Threshold], english: bool = True) -> str:
    """The item as written (``raw``, from ``start``), without code, HS parenthesis and leading
    qualifying phrase (``english``: the text may hold an English customs-code label)."""
    cut = 0
    if thresholds:
        last = max(t.span[1] for t in thresholds) - start
        pos = raw.find(QUALIFIER_END, max(last, 0))
        if 0 <= pos - last <= 2:
            cut = pos + 1
    if ("（" not in raw and "(" not in raw) or not (  # where HS_PAREN_RE cannot match
        english or HS_PAREN_ZH[0] in raw or HS_PAREN_ZH[1] in raw
    ):
        return raw[cut:].strip(NAME_TRAILING) or raw.strip(NAME_TRAILING)
    name = HS_PAREN_RE.sub("", raw[cut:]).strip(NAME_TRAILING)
    return name or HS_PAREN_RE.sub("", raw).strip(NAME_TRAILING) or raw.strip(NAME_TRAILING)


def _trim(search: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without ``TRAILING`` characters at its end and spaces or tabs at its
    start."""
    text = search[start:end].rstrip(TRAILING)
    return start + len(text) - len(text.lstrip(" \t")), start + len(text)


def _segment(doc: _Text, start: int, end: int, code_end: int | None, line: int) -> Draft | None:
    """The item written in ``search[start:end]`` (its code ends at ``code_end``), if any."""
    search = doc.search
    start, end = _trim(search, start, end)
    written = search[start:end]
    if not written or (RESERVED in written and RESERVED_RE.search(written)):
        return None
    hs = doc.labels.codes_in(search, start, end)
    english = doc.labels.english
    if code_end is None:
        thresholds = find_thresholds(search, start, end) if doc.anchors.touch(start, end) else []
        return [None, _name(written, start, thresholds, english), hs, thresholds, start, end, line]
    thresholds = find_thresholds(search, code_end, end) if doc.anchors.touch(code_end, end) else []
    code = written[: code_end - start]
    if not code.isascii() or " " in code:  # spaces or wide dots to drop (CODE_RE has no other)
        code = normalize_code(code)
    name = _name(written[code_end - start :], code_end, thresholds, english)
    return [code, name, hs, thresholds, start, end, line]


def _uncoded(doc: _Text, i: int) -> Draft | None:
    """The uncoded item of marked line ``i`` (its body), if any."""
    if i not in doc.uncoded:
        doc.uncoded[i] = _segment(doc, doc.lines.bodies[i], doc.lines.ends[i], None, i)
    return doc.uncoded[i]


def _row_item(doc: _Text, i: int) -> Draft | None:
    """A table row ``seq | code | name | hs`` (cells in any order)."""
    search = doc.search
    line_start, line_end = doc.lines.starts[i], doc.lines.ends[i]
    cells, pos = [], line_start
    for raw in search[line_start:line_end].split(CELL_SEP):
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
    start, end = _trim(search, line_start, line_end)
    thresholds = [t for a, b in text_cells for t in find_thresholds(search, a, b)]
    if name_span:
        bound = [t for t in thresholds if t.span[1] <= name_span[1]]
        name = _name(search[name_span[0] : name_span[1]], name_span[0], bound)
    return [code, name if name_span else "", tuple(dict.fromkeys(hs)), thresholds, start, end, i]


def _attach(item: Draft, search: str, start: int, end: int) -> None:
    """Add the HS codes and thresholds written in ``search[start:end]`` to ``item``."""
    item[2] = tuple(dict.fromkeys((*item[2], *(c for c, _ in find_hs(search, start, end)))))
    item[3] = item[3] + find_thresholds(search, start, end)


def _sections(doc: _Text, first: int, last: int) -> list[tuple[int, int]]:
    """Index ranges (first, last+1) of the lines under each control clause."""
    search, ol = doc.search, doc.lines
    out = []
    heads: set[int] = set()  # the marked lines that hold a word of a control clause
    lo, hi = ol.starts[first], ol.ends[last - 1]
    for word in CLAUSE_WORDS:
        pos = search.find(word, lo, hi)
        while pos >= 0:
            i = bisect_right(ol.starts, pos) - 1
            if ol.levels[i] and pos >= ol.bodies[i]:
                heads.add(i)
            pos = search.find(word, pos + 1, hi)
    for i in sorted(heads):
        if not CONTROL_CLAUSE_RE.search(search[ol.bodies[i] : ol.ends[i]]):
            continue
        level = ol.levels[i]
        j = last  # the next line with a marker of this level or a higher one ends the clause
        for k in ol.marked[bisect_right(ol.marked, i) :]:
            if k >= last or ol.levels[k] <= level:
                j = min(k, last)
                break
        out.append((i + 1, j))
    return out


def _uncoded_section(doc: _Text, first: int, last: int) -> dict[int, Draft]:
    """Items of a control clause whose entries carry no control codes (2023–2024 lists).

    A marked line with no sub-lines is an item; a line with sub-lines is a heading, except when
    it ends by announcing features (``同时满足以下特征：``) — then it is the item and its
    sub-lines' thresholds and HS codes belong to it.
    """
    search, ol = doc.search, doc.lines
    found: dict[int, Draft] = {}
    levels = ol.levels
    owner: tuple[int, int] | None = None  # (line index of the feature item, its level)
    for i in range(first, last):
        level = levels[i]
        if owner and (level == 0 or level > owner[1]):
            _attach(found[owner[0]], search, ol.bodies[i], ol.ends[i])
            continue
        owner = None
        if not level:
            continue
        has_children = i + 1 < last and levels[i + 1] > level
        if has_children and not FEATURES_RE.search(search[ol.bodies[i] : ol.ends[i]]):
            continue  # a heading such as （一）镓相关物项。
        item = _uncoded(doc, i)
        if item is None:
            continue
        item = item.copy()  # this clause's own: its name is cut, sub-lines attach to it
        cut = NAME_TAIL_RE.search(item[1])
        if cut and cut.start() > 0:
            item[1] = item[1][: cut.start()]
        found[i] = item
        if has_children:
            owner = (i, level)
    return found


def _label_lines(doc: _Text, first: int, last: int) -> list[int]:
    """The lines a customs-code label meets, in order (a scan of any other line finds none)."""
    found, starts = doc.labels, doc.lines.starts
    out: list[int] = []
    k = bisect_right(found.ends, starts[first])
    for a, b in zip(found.starts[k:], found.ends[k:], strict=True):
        i = max(bisect_right(starts, a) - 1, first, out[-1] + 1 if out else 0)
        if i >= last:
            break
        while i < last and starts[i] < b:
            out.append(i)
            i += 1
    return out


def _line_items(doc: _Text, first: int, last: int, labelled: list[int]) -> dict[int, list[Draft]]:
    """Per line, the items the line writes itself: table rows, coded entries, marked lines
    with a customs code (``labelled``: the lines a label meets)."""
    search, ol = doc.search, doc.lines
    entries = _entry_codes(doc, first, last)
    rows: set[int] = set()
    lo, hi = ol.starts[first], ol.ends[last - 1]
    pos = search.find(CELL_SEP, lo, hi)
    while pos >= 0:
        i = bisect_right(ol.starts, pos) - 1
        rows.add(i)
        pos = search.find(CELL_SEP, ol.ends[i], hi)
    per_line: dict[int, list[Draft]] = {}  # filled in any order: the lines are sorted later
    for i, spans in entries.items():
        if i in rows:
            continue
        out = []
        end = ol.ends[i]
        for n, (code_start, code_end) in enumerate(spans):
            stop = spans[n + 1][0] if n + 1 < len(spans) else end  # the next entry or the end
            item = _segment(doc, code_start, stop, code_end, i)
            if item:
                out.append(item)
        if out:
            per_line[i] = out
    for i in rows:
        row = _row_item(doc, i)
        if row:
            per_line[i] = [row]
    for i in labelled:  # a marked line without entry codes and with a customs code
        marked_hs = ol.levels[i] and i not in entries and i not in rows
        if marked_hs and find_hs(search, ol.bodies[i], ol.ends[i]):
            item = _uncoded(doc, i)
            if item:
                per_line[i] = [item]
    return per_line


def _with_parents(drafts: list[Draft], ol: Lines) -> list[Item]:
    """The items, each with its parent: the longest earlier code that is a dotted prefix of its
    code; for an uncoded item, the last earlier coded item on a line whose path its path
    extends."""
    out: list[Item] = []
    codes: set[str] = set()  # codes of the items so far
    coded_at: dict[str, tuple[int, str]] = {}  # line path → (order, code) of its last coded item
    marked, marked_paths = ol.marked, ol.marked_paths
    k = -1  # the last marked line at or before the item's (items come in line order)
    for n, (code, name, hs, thresholds, start, end, i) in enumerate(drafts):
        while k + 1 < len(marked) and marked[k + 1] <= i:
            k += 1
        path = marked_paths[k] if k >= 0 else ""
        parent = None
        if code:
            prefix = code
            while (dot := prefix.rfind(".")) > 0:
                prefix = prefix[:dot]
                if prefix in codes:
                    parent = prefix
                    break
            codes.add(code)
            if path:
                coded_at[path] = (n, code)
        elif coded_at:
            ancestors = [coded_at[path[:k]] for k in range(1, len(path)) if path[:k] in coded_at]
            parent = max(ancestors)[1] if ancestors else None
        out.append(
            Item(code, name, hs, tuple(thresholds), path or None, parent, (start, end), path)
        )
    return out


def _first_code_letter(search: str) -> int:
    """Where the first group letter of a control code (A–E) stands, -1 for none: every code
    holds one, one or two characters after its start."""
    found = [p for p in map(search.find, CODE_GROUPS) if p >= 0]
    return min(found) if found else -1


def _may_hold_items(search: str, code_letter: int) -> bool:
    """False only for a text without any item: one with no group letter of a control code, no
    customs-code label, no table cell and no control clause (what each kind of item needs)."""
    return (
        code_letter >= 0
        or bool(labels(search).starts)
        or CELL_SEP in search
        or any(word in search for word in CLAUSE_WORDS)
    )


def find_items(search: str, start: int = 0, end: int | None = None) -> list[Item]:
    """Controlled items in ``search[start:end]`` (the module docstring gives the rules)."""
    stop = len(search) if end is None else end
    code_letter = _first_code_letter(search)
    if not _may_hold_items(search, code_letter):
        return []
    doc = _Text(search, code_letter)
    ol = doc.lines
    first = bisect_right(ol.ends, start)  # the lines that meet [start, stop)
    last = bisect_left(ol.starts, stop)
    if first >= last:
        return []
    labelled = _label_lines(doc, first, last)
    per_line = _line_items(doc, first, last, labelled)
    for a, b in _sections(doc, first, last):
        if any(i in per_line and any(it[0] for it in per_line[i]) for i in range(a, b)):
            continue
        for i, item in _uncoded_section(doc, a, b).items():
            per_line[i] = [item]
    # a reference code on an unmarked line below an item (``<br>（参考税则号列：…）``) is that item's
    if per_line and labelled:
        item_lines = sorted(per_line)
        for i in labelled:
            if i in per_line or ol.levels[i]:
                continue
            n = bisect_left(item_lines, i) - 1  # the item line above, with no marked line between
            if n < 0 or bisect_right(ol.marked, item_lines[n]) != bisect_left(ol.marked, i):
                continue
            if find_hs(search, ol.starts[i], ol.ends[i]):
                _attach(per_line[item_lines[n]][-1], search, ol.starts[i], ol.ends[i])
    return _with_parents([item for i in sorted(per_line) for item in per_line[i]], ol)


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
    anchors = threshold_anchors(search)
    if not anchors.spans:
        return []  # no threshold at all
    ol = lines(search)
    if not ol.marked:
        return []  # no line has a clause path
    # the lines an anchor word stands on, from the first marked one: the others hold none
    k = bisect_right(anchors.ends, ol.starts[ol.marked[0]])
    candidates = sorted({bisect_right(ol.starts, a) - 1 for a, _ in anchors.spans[k:]})
    out: list[Threshold] = []
    spans: list[tuple[int, int]] | None = None
    taken: list[tuple[int, int]] | None = None
    for i in candidates:
        body, end = ol.bodies[i], ol.ends[i]
        if end <= start or i < ol.marked[0] or not anchors.touch(body, end):  # i: no path
            continue
        if spans is None:
            spans = sorted(i.span for i in items)
        if _covered(search, body, end, spans):
            continue  # every threshold of the line would start in an item: none is free
        found = find_thresholds(search, body, end)
        if not found or NOT_CONDITION_RE.search(search, body, end):
            continue
        if taken is None:
            taken = [i.span for i in items] + [t.span for i in items for t in i.thresholds]
        for t in found:
            if not any(a <= t.span[0] < b for a, b in taken):
                out.append(t)
    return out
