"""Chemical elements a control document is about, as IUPAC symbols.

An element counts only where the text makes it the subject of a control: ``金属钬``, ``氧化铒``,
``含铥的化合物``, ``锑及其合金``, ``镓相关物项``, or a list of bare element names
(``钨、碲、铋、钼、铟相关物项``, ``钐、钆、铽、镝、镥、钪、钇等7类中重稀土``). An element that
only sits inside another material's name adds nothing: ``铟镓砷`` adds no In, ``磷酸铁锂`` no Li,
``钐钴永磁材料`` no Co, ``锂电池`` no Li.
Invariant: pure; symbols in order of first qualifying mention, no duplicates.
"""

from __future__ import annotations

import re

#: Simplified Chinese element names (one character each) → IUPAC symbol.
ELEMENTS = {
    "氢": "H", "氦": "He", "锂": "Li", "铍": "Be", "硼": "B", "碳": "C", "氮": "N", "氧": "O",
    "氟": "F", "氖": "Ne", "钠": "Na", "镁": "Mg", "铝": "Al", "硅": "Si", "磷": "P", "硫": "S",
    "氯": "Cl", "氩": "Ar", "钾": "K", "钙": "Ca", "钪": "Sc", "钛": "Ti", "钒": "V", "铬": "Cr",
    "锰": "Mn", "铁": "Fe", "钴": "Co", "镍": "Ni", "铜": "Cu", "锌": "Zn", "镓": "Ga", "锗": "Ge",
    "砷": "As", "硒": "Se", "溴": "Br", "氪": "Kr", "铷": "Rb", "锶": "Sr", "钇": "Y", "锆": "Zr",
    "铌": "Nb", "钼": "Mo", "锝": "Tc", "钌": "Ru", "铑": "Rh", "钯": "Pd", "银": "Ag", "镉": "Cd",
    "铟": "In", "锡": "Sn", "锑": "Sb", "碲": "Te", "碘": "I", "氙": "Xe", "铯": "Cs", "钡": "Ba",
    "镧": "La", "铈": "Ce", "镨": "Pr", "钕": "Nd", "钷": "Pm", "钐": "Sm", "铕": "Eu", "钆": "Gd",
    "铽": "Tb", "镝": "Dy", "钬": "Ho", "铒": "Er", "铥": "Tm", "镱": "Yb", "镥": "Lu", "铪": "Hf",
    "钽": "Ta", "钨": "W", "铼": "Re", "锇": "Os", "铱": "Ir", "铂": "Pt", "金": "Au", "汞": "Hg",
    "铊": "Tl", "铅": "Pb", "铋": "Bi", "钋": "Po", "砹": "At", "氡": "Rn", "钫": "Fr", "镭": "Ra",
    "锕": "Ac", "钍": "Th", "镤": "Pa", "铀": "U", "镎": "Np", "钚": "Pu",
}  # fmt: skip
#: Characters that are element names only in compounds or too common to stand alone here.
NOT_ALONE = frozenset("氢氧氮碳金硫")
_E = "[" + "".join(k for k in ELEMENTS if k not in NOT_ALONE) + "]"
_HAN = r"\u4e00-\u9fff"
#: 金属钬 / 氧化铒 / 含铥的 / 高纯锗 / 区熔锗锭 — the character right after the prefix.
PREFIX_RE = re.compile(rf"(?:金属|氧化|含|高纯|区熔)(?P<e>{_E})(?!{_E})")
#: 锑及其合金 / 镓相关物项 / 钬的化合物 / 镓单质 — not preceded by another element or Han name part.
SUFFIX_RE = re.compile(
    rf"(?<![{_HAN}A-Za-z])(?P<e>{_E})(?=及其|的化合物|的合金|相关物项|相关两用物项|单质|金属(?!间))"
    rf"|(?<=[对和及与、])(?P<f>{_E})(?=及其|的化合物|相关物项|相关两用物项|单质)"
)
#: 钨、碲、铋、钼、铟 — a list of two or more bare element names before 等/相关/N类.
BARE_LIST_RE = re.compile(
    rf"(?:^|(?<=[^{_HAN}])|(?<=[对将可]))({_E}(?:[、，和及与]{_E})+)(?=等|相关|[、，]?[0-9一二三四五六七八九十]+[类种]|[、，][^。；\n]{{1,8}}?相关)"
)


def find_elements(search: str) -> list[str]:
    """IUPAC symbols of the elements ``search`` controls, in order of first mention.

    Args:
        search: Simplified-character text of a control document (title and body).

    Returns:
        Symbols without duplicates, ordered by the position of their first qualifying mention.
    """
    hits: list[tuple[int, str]] = []
    for m in PREFIX_RE.finditer(search):
        hits.append((m.start("e"), ELEMENTS[m.group("e")]))
    for m in SUFFIX_RE.finditer(search):
        group = "e" if m.group("e") else "f"
        hits.append((m.start(group), ELEMENTS[m.group(group)]))
    for m in BARE_LIST_RE.finditer(search):
        chunk = m.group(1)
        hits += [(m.start(1) + i, ELEMENTS[c]) for i, c in enumerate(chunk) if c in ELEMENTS]
    out: list[str] = []
    for _, symbol in sorted(hits):
        if symbol not in out:
            out.append(symbol)
    return out
