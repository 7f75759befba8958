"""``make eval``: per-field precision, recall and F1 of the parsers on the golden corpus.

Each corpus document (``tests/parsers/corpus/NAME.{txt,html}``, and the fixtures named by
``fx_NAME.expected.json``) is parsed with ``parsers.parse_file``; its facts are compared with the
hand-written ``NAME.expected.json`` as multisets of keys per field (spans are checked by the
tests, not here). Counts are summed over the corpus (micro) per field; the macro F1 is the mean
of the field F1s. ``--details`` lists every miss and every extra.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parsers import parse_file

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
FIXTURES = HERE / "fixtures"
SUFFIX = ".expected.json"
FIXTURE_PREFIX = "fx_"

Key = tuple[Any, ...]


def _num(v: Any) -> Any:
    return round(float(v), 6) if isinstance(v, int | float) and not isinstance(v, bool) else v


def _name(v: str | None) -> str | None:
    return re.sub(r"[\s,.，。()（）]+", "", v).casefold() if v else None


def _target(t: dict) -> Key:
    return (t.get("year"), t.get("seq"))


def _thresholds(rec: dict) -> Iterable[dict]:
    yield from rec.get("thresholds", [])
    for item in rec.get("items", []):
        yield from item.get("thresholds", [])


def _threshold_key(t: dict) -> Key:
    return (t["op"], _num(t["value"]), _num(t.get("value_max")), t.get("unit"))


#: field → function from a record (dict) to its list of comparable keys.
FIELDS: dict[str, Callable[[dict], list[Key]]] = {
    "numbers": lambda r: [
        (n["year"], n["seq"], n["type"], tuple(n["issuers"])) for n in r["numbers"]
    ],
    "publish_date": lambda r: [(r["publish_date"],)] if r.get("publish_date") else [],
    "effective": lambda r: [(e["date"], e["basis"], e["applies_to"]) for e in r["effective"]],
    "suspensions": lambda r: [
        (*_target(s["target"]), s["from"], s["until"]) for s in r["suspensions"]
    ],
    "references": lambda r: [(*_target(x["target"]), x["relation"]) for x in r["references"]],
    "item_codes": lambda r: [(i["code"],) for i in r["items"] if i.get("code")],
    "hs_codes": lambda r: [(i.get("code"), h) for i in r["items"] for h in i["hs_codes"]],
    "thresholds": lambda r: [_threshold_key(t) for t in _thresholds(r)],
    "item_thresholds": lambda r: [
        (i.get("code"), *_threshold_key(t)) for i in r["items"] for t in i["thresholds"]
    ],
    "elements": lambda r: [(e,) for e in r["elements"]],
    "entities": lambda r: [
        (_name(e["name_zh"]) or _name(e["name_en"]), e["list"], e["action"], e["country"])
        for e in r["entities"]
    ],
}


@dataclass
class Score:
    """Counts of one field over the corpus."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Case:
    """One corpus document: where it is and what it must yield."""

    name: str
    path: Path
    expected: dict


def cases() -> list[Case]:
    """Every corpus document with its expected facts, sorted by name."""
    out = []
    for exp in sorted(CORPUS.glob(f"*{SUFFIX}")):
        doc_name = exp.name[: -len(SUFFIX)]
        if doc_name.startswith(FIXTURE_PREFIX):
            path = FIXTURES / doc_name[len(FIXTURE_PREFIX) :]
        else:
            path = CORPUS / doc_name
        out.append(Case(doc_name, path, json.loads(exp.read_text(encoding="utf-8"))))
    return out


def parse_case(case: Case) -> dict:
    """The parser's record for a corpus document."""
    return parse_file(case.path.read_bytes(), case.path.name).to_dict()


def evaluate(
    selected: list[Case] | None = None, details: list[str] | None = None
) -> dict[str, Score]:
    """Scores per field; misses are appended to ``details`` when given."""
    scores = {field: Score() for field in FIELDS}
    for case in selected if selected is not None else cases():
        got = parse_case(case)
        for field, keys in FIELDS.items():
            want, have = Counter(keys(case.expected)), Counter(keys(got))
            hit = sum((want & have).values())
            scores[field].tp += hit
            scores[field].fp += sum(have.values()) - hit
            scores[field].fn += sum(want.values()) - hit
            if details is not None:
                for k in (want - have).elements():
                    details.append(f"{case.name}: {field} missed {k}")
                for k in (have - want).elements():
                    details.append(f"{case.name}: {field} extra  {k}")
    return scores


def macro_f1(scores: dict[str, Score]) -> float:
    """Mean of the per-field F1."""
    return sum(s.f1 for s in scores.values()) / len(scores)


def report(scores: dict[str, Score], n_docs: int) -> str:
    """The table ``make eval`` prints."""
    lines = [f"golden corpus: {n_docs} documents", ""]
    lines.append(f"{'field':<16} {'tp':>5} {'fp':>5} {'fn':>5} {'prec':>6} {'rec':>6} {'f1':>6}")
    for field, s in scores.items():
        lines.append(
            f"{field:<16} {s.tp:>5} {s.fp:>5} {s.fn:>5} "
            f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )
    lines += ["", f"macro F1 {macro_f1(scores):.3f}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every miss and extra")
    parser.add_argument("--only", help="evaluate documents whose name contains this")
    args = parser.parse_args(argv)
    selected = [c for c in cases() if not args.only or args.only in c.name]
    details: list[str] = []
    scores = evaluate(selected, details if args.details else None)
    print(report(scores, len(selected)))
    if args.details:
        print("\n" + "\n".join(details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
