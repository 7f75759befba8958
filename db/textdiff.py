"""Readable diffs of two versions' text, clause-aware for announcements (pure).

Texts are compared line by line (one paragraph or list entry per line, as the extractor writes
them). Each hunk header names the clause the first changed line sits in (``一(三)2``), found
with the clause outline the parsers use, so a reader sees *where* in the announcement the edit
is without counting lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from parsers.clauses import outline

CONTEXT = 1


def _paths(text: str) -> list[str]:
    return [line.path for line in outline(text)]


def unified(old: str, new: str, *, old_label: str = "before", new_label: str = "after") -> str:
    """A unified diff of ``old`` → ``new`` with the clause of each hunk in its header."""
    a, b = old.splitlines(), new.splitlines()
    paths = _paths(new)
    out = [f"--- {old_label}", f"+++ {new_label}"]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT):
        first = group[0]
        changed_at = next((j1 for tag, _, _, j1, _ in group if tag != "equal"), first[3])
        clause = paths[changed_at] if changed_at < len(paths) and paths[changed_at] else ""
        i1, i2, j1, j2 = first[1], group[-1][2], first[3], group[-1][4]
        where = f" clause {clause}" if clause else ""
        out.append(f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@{where}")
        out += list(_hunk_lines(a, b, group))
    return "\n".join(out) + "\n" if len(out) > 2 else ""


def _hunk_lines(
    a: list[str], b: list[str], group: list[tuple[str, int, int, int, int]]
) -> Iterator[str]:
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            yield from (" " + line for line in a[i1:i2])
            continue
        yield from ("-" + line for line in a[i1:i2])
        yield from ("+" + line for line in b[j1:j2])


def side_by_side(old: str, new: str, width: int = 60) -> str:
    """Changed lines only, old on the left and new on the right, clause in the margin."""
    a, b = old.splitlines(), new.splitlines()
    paths = _paths(new)
    rows = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        left, right = a[i1:i2], b[j1:j2]
        for k in range(max(len(left), len(right))):
            clause = paths[j1 + k] if j1 + k < len(paths) else ""
            lt = left[k] if k < len(left) else ""
            rt = right[k] if k < len(right) else ""
            rows.append(f"{clause:<10} {lt[:width]:<{width}} | {rt[:width]}")
    return "\n".join(rows)
