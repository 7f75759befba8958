"""Chemical elements a control document is about, as IUPAC symbols.

An element counts only where the text makes it the subject of a control: ``金属钬``, ``氧化铒``,
``含铥的化合物``, ``锑及其合金``, ``镓相关物项``, or a list of bare element names
(``钨、碲、铋、钼、铟相关物项``, ``钐、钆、铽、镝、镥、钪、钇等7类中重稀土``). An element that
only sits inside another material's name adds nothing: ``铟镓砷`` adds no In, ``磷酸铁锂`` no Li,
``钐钴永磁材料`` no Co, ``锂电池`` no Li. English copies are read by the same rules
(``samarium metal``, ``dysprosium oxide``; ``samarium-cobalt alloys`` adds nothing).
Invariant: pure; symbols in order of first qualifying mention, no duplicates.
"""

from __future__ import annotations

import re

from parsers.normalize import may_say

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
PREFIXES = ("金属", "氧化", "含", "高纯", "区熔")
PREFIX_RE = re.compile(rf"(?:{'|'.join(PREFIXES)})(?P<e>{_E})(?!{_E})")
#: 锑及其合金 / 镓相关物项 / 钬的化合物 / 镓单质 — not preceded by another element or Han name part
#: (or preceded by 对/和/及/与/、 before the shorter list of followers).
_SUFFIX_AFTER = (
    rf"(?:(?<![{_HAN}A-Za-z].)(?=及其|的化合物|的合金|相关物项|相关两用物项|单质|金属(?!间))"
    rf"|(?<=[对和及与、].)(?=及其|的化合物|相关物项|相关两用物项|单质))"
)
SUFFIX_RE = re.compile(rf"(?P<e>{_E}){_SUFFIX_AFTER}")
#: 钨、碲、铋、钼、铟 — a list of two or more bare element names before 等/相关/N类, at the start
#: of the text or after a character that is no Han one (or is 对/将/可).
_LIST_AFTER = (
    rf"(?:(?<![{_HAN}].)|(?<=[对将可].))(?:[、，和及与]{_E})+"
    rf"(?=等|相关|[、，]?[0-9一二三四五六七八九十]+[类种]|[、，][^。；\n]{{1,8}}?相关)"
)
BARE_LIST_RE = re.compile(rf"({_E}{_LIST_AFTER})")
#: The three forms above in one scan (they stay the forms' definitions; the tests hold the scan
#: to them). Each starts with one character (an element name or a prefix's first), a class the
#: engine skips to, and the forms are told apart by what they look behind at: a list, then a
#: single name with its follower, then a prefix with its element. Their matches never overlap
#: (a prefix holds no element name, the element after one follows a Han character, a list
#: holds only names and separators), except that a list's names may be single ones too, which
#: the list names anyway.
SUBJECT_RE = re.compile(
    rf"[{_E[1:-1]}{''.join(p[0] for p in PREFIXES)}]"
    rf"(?:(?<={_E}){_LIST_AFTER}|(?<={_E}){_SUFFIX_AFTER}"
    rf"|(?:{'|'.join(f'(?<={p[0]}){p[1:]}' for p in PREFIXES)})(?P<e>{_E})(?!{_E}))"
)


#: English names (IUPAC, with British spellings) → symbol, for English copies.
EN_ELEMENTS = {
    "lithium": "Li", "beryllium": "Be", "boron": "B", "magnesium": "Mg", "aluminium": "Al",
    "aluminum": "Al", "silicon": "Si", "phosphorus": "P", "potassium": "K", "calcium": "Ca",
    "scandium": "Sc", "titanium": "Ti", "vanadium": "V", "chromium": "Cr", "manganese": "Mn",
    "iron": "Fe", "cobalt": "Co", "nickel": "Ni", "copper": "Cu", "zinc": "Zn", "gallium": "Ga",
    "germanium": "Ge", "arsenic": "As", "selenium": "Se", "rubidium": "Rb", "strontium": "Sr",
    "yttrium": "Y", "zirconium": "Zr", "niobium": "Nb", "molybdenum": "Mo", "ruthenium": "Ru",
    "rhodium": "Rh", "palladium": "Pd", "silver": "Ag", "cadmium": "Cd", "indium": "In",
    "tin": "Sn", "antimony": "Sb", "tellurium": "Te", "caesium": "Cs", "cesium": "Cs",
    "barium": "Ba", "lanthanum": "La", "cerium": "Ce", "praseodymium": "Pr", "neodymium": "Nd",
    "promethium": "Pm", "samarium": "Sm", "europium": "Eu", "gadolinium": "Gd", "terbium": "Tb",
    "dysprosium": "Dy", "holmium": "Ho", "erbium": "Er", "thulium": "Tm", "ytterbium": "Yb",
    "lutetium": "Lu", "hafnium": "Hf", "tantalum": "Ta", "tungsten": "W", "rhenium": "Re",
    "osmium": "Os", "iridium": "Ir", "platinum": "Pt", "mercury": "Hg", "thallium": "Tl",
    "lead": "Pb", "bismuth": "Bi", "polonium": "Po", "radium": "Ra", "thorium": "Th",
    "uranium": "U", "plutonium": "Pu",
}  # fmt: skip
_EN = "|".join(sorted(EN_ELEMENTS, key=len, reverse=True))
#: ``samarium metal`` / ``dysprosium oxide`` / ``gallium-related items`` / ``antimony and its
#: alloys`` / ``metallic holmium`` / ``compounds containing thulium`` (English forms of the above).
EN_SUBJECT_RE = re.compile(
    rf"(?<![\w-])(?P<e>{_EN})(?:\s+(?:metal\b|oxides?\b|and\s+its\s+(?:alloys|compounds)|related\s+items)"
    rf"|-related\b)"
    rf"|\b(?:metallic|high-purity|compounds\s+(?:of|containing))\s+(?P<f>{_EN})\b",
    re.IGNORECASE,
)
EN_HINT_WORDS = ("metal", "oxide", "alloys", "compounds", "related", "purity")
EN_HINT_RE = re.compile("|".join(EN_HINT_WORDS), re.IGNORECASE)
#: The word before an English match: another element name makes it part of a compound's name
#: (``indium tin oxide``, ``lithium cobalt oxide``), as ``(?!{_E})`` does for Chinese.
EN_WORD_BEFORE_RE = re.compile(r"([A-Za-z]+)[\s-]+$")


def _english(search: str) -> list[tuple[int, str]]:
    hits: list[tuple[int, str]] = []
    # no English subject word: the long pattern can't match (may_say: the same, fast, for the
    # many texts without any of the words)
    if not (may_say(search, EN_HINT_WORDS) and EN_HINT_RE.search(search)):
        return hits
    for m in EN_SUBJECT_RE.finditer(search):
        group = "e" if m.group("e") else "f"
        before = EN_WORD_BEFORE_RE.search(search, max(0, m.start() - 30), m.start())
        if group == "e" and before and before.group(1).lower() in EN_ELEMENTS:
            continue
        hits.append((m.start(group), EN_ELEMENTS[m.group(group).lower()]))
    return hits


def find_elements(search: str) -> list[str]:
    """IUPAC symbols of the elements ``search`` controls, in order of first mention.

    Args:
        search: Simplified-character text of a control document (title and body).

    Returns:
        Symbols without duplicates, ordered by the position of their first qualifying mention.
    """
    hits: list[tuple[int, str]] = []
    for m in SUBJECT_RE.finditer(search):
        start, end = m.span()
        if m.start("e") >= 0:  # a prefix and its element
            hits.append((end - 1, ELEMENTS[search[end - 1]]))
        elif end - start == 1:  # a name and its follower
            hits.append((start, ELEMENTS[search[start]]))
        else:  # a list of names
            hits += [(start + i, ELEMENTS[c]) for i, c in enumerate(m.group()) if c in ELEMENTS]
    english = _english(search)
    if english:  # the one scan's hits are in text order already
        hits = sorted(hits + english)
    return list(dict.fromkeys(symbol for _, symbol in hits))
