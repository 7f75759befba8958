"""Technical thresholds (技术指标): parameter, operator, value, upper bound, canonical unit.

Operators follow Chinese legal usage (《立法技术规范》: 以上/以下/以内 include the number):

* inclusive ``>=``: 大于等于, 大于或等于, 不小于, 不低于, 不少于, 达到, 至少, ≥, and a number
  followed by 以上 / 及以上 / 或以上;
* inclusive ``<=``: 小于等于, 小于或等于, 不大于, 不高于, 不超过, 不多于, ≤, and 以下 / 及以下 /
  以内;
* exclusive ``>``: 大于, 超过, 高于, 多于, >; exclusive ``<``: 小于, 低于, 不足, 不满, 少于, <;
* a range ``大于50μm且小于等于500μm`` or ``50～500μm`` is one ``between`` threshold.

A percentage may be written in words (``超过百分之九十``, ``百分之五十以上``). Numbers may be written
with Chinese numerals (``五十微米``) or an ideographic decimal point
(``2。5g/cm³`` in careless copies). A threshold needs an operator and a unit (or a percentage);
a bare number is never a threshold. English copies (``300 Wh/kg or more``, ``at least 256
layers``) are read the same way.
Invariant: pure; every span lies inside the searched range and covers operator, number and unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from parsers.anchors import Anchors
from parsers.normalize import may_say
from parsers.numbers import cn_to_int

#: Unit as written (lower-cased for ASCII) → canonical unit of the contract. Longest first.
UNITS: dict[str, str] = {
    "wh/kg": "Wh/kg", "瓦时/千克": "Wh/kg", "瓦时每千克": "Wh/kg",
    "mah/g": "mAh/g", "毫安时/克": "mAh/g",
    "g/cm3": "g/cm3", "g/cm³": "g/cm3", "g/cc": "g/cm3", "克/立方厘米": "g/cm3",
    "克每立方厘米": "g/cm3",
    "w/(m·k)": "W/(m*K)", "w/(m*k)": "W/(m*K)", "w/m·k": "W/(m*K)", "w/mk": "W/(m*K)",
    "m/s": "m/s", "米/秒": "m/s", "米每秒": "m/s",
    "nm": "nm", "纳米": "nm",
    "μm": "um", "µm": "um", "um": "um", "微米": "um",
    "mm": "mm", "毫米": "mm", "cm": "cm", "厘米": "cm",
    "m³": "m3", "m3": "m3", "立方米": "m3", "m": "m", "米": "m",
    "km": "km", "千米": "km", "公里": "km",
    "ml": "mL", "毫升": "mL", "l": "L", "升": "L",
    "gpa": "GPa", "千兆帕": "GPa", "吉帕": "GPa", "mpa": "MPa", "兆帕": "MPa",
    "kpa": "kPa", "千帕": "kPa", "pa": "Pa", "帕": "Pa",
    "kg": "kg", "千克": "kg", "公斤": "kg", "mg": "mg", "毫克": "mg", "g": "g", "克": "g",
    "t": "t", "吨": "t", "tons": "t", "tonnes": "t",
    "℃": "degC", "°c": "degC", "摄氏度": "degC", "度": "degC", "k": "K", "开尔文": "K",
    "ppm": "ppm",
    "ghz": "GHz", "mhz": "MHz", "khz": "kHz", "hz": "Hz", "赫兹": "Hz",
    "kw": "kW", "千瓦": "kW", "mw": "MW", "兆瓦": "MW", "w": "W", "瓦": "W",
    "kv": "kV", "千伏": "kV", "v": "V", "伏": "V",
    "hrb": "HRB", "hrc": "HRC", "hv": "HV",
    "n": "N", "牛顿": "N", "牛": "N",
    "小时": "h", "h": "h", "天": "day", "日": "day",
    "%": "%", "％": "%",
    "层": "layer", "layers": "layer", "layer": "layer",
    "位": "bit", "bits": "bit", "bit": "bit",
    "英寸": "in", "inches": "in", "inch": "in",
    # English copies spell length units out
    "nanometers": "nm", "nanometres": "nm", "nanometer": "nm", "nanometre": "nm",
    "micrometers": "um", "micrometres": "um", "micrometer": "um", "micrometre": "um",
    "microns": "um", "micron": "um",
    "millimeters": "mm", "millimetres": "mm", "millimeter": "mm", "millimetre": "mm",
    "meters": "m", "metres": "m", "meter": "m", "metre": "m",
}  # fmt: skip
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
#: A unit must not run on into a longer word (``m`` of ``mm`` is handled by longest-first; ``t``
#: must not be the first letter of ``the``).
UNIT_RE = re.compile(rf"\s?(?P<unit>{_UNIT_ALT})(?![A-Za-z0-9²³])", re.IGNORECASE)
_DIGITS = r"\d+(?:\s?[.。．]\s?\d+)?"
_CN_DIGITS = "〇零一二两三四五六七八九十百"
_CN_NUM = rf"[{_CN_DIGITS}]{{1,6}}(?:点[〇零一二三四五六七八九]+)?"
NUMBER = rf"(?P<num>{_DIGITS}|{_CN_NUM})"
#: ``百分之九十``: a percentage written in words, the unit before the number.
PERCENT_WORD = "百分之"

_GE = r"大于或等于|大于等于|不小于|不低于|不少于|至少为?|达到|≥|>=|⩾"
_LE = r"小于或等于|小于等于|不大于|不高于|不超过|不多于|最多为?|≤|<=|⩽"
_GT = r"大于|超过|高于|多于|>"
_LT = r"小于|低于|不足|不满|少于|<"
_EN_GE = r"greater than or equal to|not less than|no less than|at least|a minimum of"
_EN_LE = r"less than or equal to|not more than|no more than|not exceeding|up to|a maximum of"
_EN_GT = r"greater than|more than|exceeding|above|over"
_EN_LT = r"less than|below|under"
PREFIX_OPS = (
    (">=", _GE), ("<=", _LE), (">", _GT), ("<", _LT),
    (">=", _EN_GE), ("<=", _EN_LE), (">", _EN_GT), ("<", _EN_LT),
)  # fmt: skip


#: ``大于等于300Wh/kg`` — an operator word, then the number and its unit. Chinese and symbol
#: operators (case plays no part, so the fast case-sensitive scan) and English ones (read
#: only where the text has Latin words) are two patterns. The Chinese one is one group ``op``
#: (each alternative a literal word the engine skips to; ``ZH_OPS`` gives its operator); in the
#: English one group ``p<i>`` is ``PREFIX_OPS[i]``.
def _prefix_re(first: int, last: int, flags: int = 0) -> re.Pattern[str]:
    alts = [word for i in range(first, last) for word in PREFIX_OPS[i][1].split("|")]
    # a leading lookahead with every first character lets the engine skip other positions
    starts = re.escape("".join(sorted({w[0].lower() + w[0].upper() for w in alts})))
    alt = "|".join(f"(?P<p{i}>{PREFIX_OPS[i][1]})" for i in range(first, last))
    return re.compile(
        rf"(?=[{starts}])(?:{alt})\s?(?:为\s?)?(?P<pct>{PERCENT_WORD})?{NUMBER}", flags
    )


ZH_PREFIX_RE = re.compile(
    rf"(?P<op>{'|'.join(PREFIX_OPS[i][1] for i in range(4))})\s?(?:为\s?)?"
    rf"(?P<pct>{PERCENT_WORD})?{NUMBER}"
)
#: The operator of each word ``ZH_PREFIX_RE`` matches (至少为? and 最多为? are two words each).
ZH_OPS = {
    written: op
    for op, words in PREFIX_OPS[:4]
    for word in words.split("|")
    for written in ((word[:-2], word[:-1]) if word.endswith("为?") else (word,))
}
PREFIX_RES = (
    (ZH_PREFIX_RE, None),
    (_prefix_re(4, 8, re.IGNORECASE), re.compile("[A-Za-z][A-Za-z]")),
)
#: Each prefix pattern's operator groups ``p<i>`` in order, with the operator of each.
PREFIX_GROUPS = {
    rule: [
        (name, PREFIX_OPS[int(name[1:])][0])
        for name in sorted(rule.groupindex, key=rule.groupindex.__getitem__)
        if name[0] == "p" and name[1:].isdigit()
    ]
    for rule, _ in PREFIX_RES
}
_POSTFIX = (
    r"\s?(?:(?P<ge>及以上|或以上|以上|或者以上|or (?:more|above|higher|greater)|and above)"
    r"|(?P<le>及以下|或以下|以下|或者以下|以内|or (?:less|below|lower|smaller|fewer)|and below))"
)
#: ``14纳米及以下`` / ``256 layers or more`` — the operator after the unit.
POSTFIX_RE = re.compile(_POSTFIX, re.IGNORECASE)
#: A bare number (for postfix and range forms), not part of a code, date or longer number.
_BARE = rf"(?<![0-9A-Za-z.。．]){NUMBER}"
BARE_RE = re.compile(_BARE)
#: A bare number, its unit and a postfix operator in one scan (``_unit_at`` checks the unit).
POSTFIX_FORM_RE = re.compile(
    rf"(?=[\d{_CN_DIGITS}]){_BARE}(?P<unit_at>){UNIT_RE.pattern}{_POSTFIX}", re.IGNORECASE
)
PERCENT_POSTFIX_RE = re.compile(rf"{PERCENT_WORD}{NUMBER}{_POSTFIX}", re.IGNORECASE)
#: ``且小于等于500μm`` — the upper half of a range after a lower bound.
RANGE_JOIN_RE = re.compile(r"\s?(?:且|并且|而|、|,|，|and)\s?", re.IGNORECASE)
#: ``50～500μm`` / ``50-500 μm`` / ``50至500μm``.
DASH_RANGE_RE = re.compile(rf"(?=\d)(?<![0-9A-Za-z.]){_DIGITS}\s?(?:~|～|—|–|-|至|到)\s?{_DIGITS}")
DASH_RE = re.compile(r"\s?(?:~|～|—|–|-|至|到)\s?")
DECIMAL_RE = re.compile(r"\d+(?:[.。．]\d+)?")
#: A parameter names something: it holds a Han character or a Latin letter.
WORD_CHAR_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
#: Words before the number that are not the parameter's name.
PARAM_TRIM_WORDS = (
    *("且", "并且", "或者", "者", "或", "及", "和", "以及", "其", "可加工成", "加工成", "满足"),
    *("同时满足", "单位", "每个", "每一", "单个", "直接", "间接"),
)
PARAM_TRIM_RE = re.compile(f"^(?:{'|'.join(PARAM_TRIM_WORDS)})+")
PARAM_TRIM_FIRST = frozenset(word[0] for word in PARAM_TRIM_WORDS)
#: A "parameter" ending like this is a verb phrase (``对用于``), not a measured quantity.
NOT_PARAM_ENDS = ("用于", "对", "于", "将", "是", "有", "含有", "包括", "包含")
NOT_PARAM_END_RE = re.compile(f"(?:{'|'.join(NOT_PARAM_ENDS)})$")
PARAM_STOP = "，,、；;：:。（）()的且或和及与为在\n "
PARAM_RUN_RE = re.compile(f"[^{re.escape(PARAM_STOP)}]*")  # matches (maybe empty) anywhere
QUALIFIER_RE = re.compile(r"[（(][^（）()]{0,20}[）)]|按[^，,；;]{1,6}计")
PARAM_MAX = 16
#: The English words right before a value (spaces separate words, they do not end the name).
EN_WORDS_RE = re.compile(r"(?:^|(?<=[^\u4e00-\u9fffA-Za-z]))[A-Za-z][A-Za-z -]*$")
EN_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -")
#: English words between the parameter and the value (``energy density of 300 Wh/kg``).
EN_PARAM_STOP = frozenset(("of", "with", "than", "is", "are", "at", "a", "an", "the", "to", "by"))
#: Parameter words that follow the value (``14纳米及以下制程``).
TRAILING_PARAMS = ("制程", "工艺", "节点", "线宽")


#: Words every match of one form holds, with the characters around them that every match has
#: too: a Chinese or symbol prefix operator before a number, an English one (a word of each,
#: IGNORECASE as the operators), a Chinese postfix operator after a unit, a number, a space or
#: 及/或/者 (each postfix alternative ends with one of the words), an English one ("or …",
#: "and …"), a dash between a number (or a space) and a number. A range without them cannot
#: hold that form (see ``_anchors``).
_ZH_PREFIX = "|".join(PREFIX_OPS[i][1] for i in range(4))
EN_PREFIX_WORDS = (
    *("greater", "no", "least", "minimum", "less", "up to", "maximum", "more", "exceeding"),
    *("above", "over", "below", "under"),
)
EN_POSTFIX_WORDS = ("or ", "and ")
EN_WORDS = EN_PREFIX_WORDS + EN_POSTFIX_WORDS
_ZH_POSTFIX = ("以上", "以下", "以内")
_DASHES = ("~", "～", "—", "–", "-", "至", "到")
#: What stands between a prefix operator and its number, and the number's first character.
_NUMBER_NEXT = rf"(?=\s?(?:为\s?)?(?:{PERCENT_WORD})?[\d{_CN_DIGITS}])"
#: The character before a postfix word: a unit's last one (IGNORECASE, as units are read), a
#: number's, a space, or the first part of 及以上 / 或以上 / 或者以上.
_UNIT_LAST = "".join(sorted({re.escape(unit[-1]) for unit in UNITS}))
_POSTFIX_AFTER = rf"(?:[及或者\s\d{_CN_DIGITS}]|(?i:[{_UNIT_LAST}]))"
# each alternative starts with a literal: the engine skips to their first characters
_ZH_PREFIX_ANCHOR = "|".join(f"{word}{_NUMBER_NEXT}" for word in _ZH_PREFIX.split("|"))
_ZH_POSTFIX_ANCHOR = "|".join(f"{word}(?<={_POSTFIX_AFTER}..)" for word in _ZH_POSTFIX)
_DASH_ANCHOR = "|".join(rf"{re.escape(d)}(?<=[\d\s].)(?=\s?\d)" for d in _DASHES)
EN_PREFIX_ANCHOR_RE = re.compile(rf"(?=[gnlmueaob])(?:{'|'.join(EN_PREFIX_WORDS)})", re.IGNORECASE)
ZH_POSTFIX_ANCHOR_RE = re.compile(_ZH_POSTFIX_ANCHOR)
EN_POSTFIX_ANCHOR_RE = re.compile(rf"(?=[oa])(?:{'|'.join(EN_POSTFIX_WORDS)})", re.IGNORECASE)
DASH_ANCHOR_RE = re.compile(_DASH_ANCHOR)
#: The Chinese and symbol anchors of every form in one pattern (see ``_anchors``).
ZH_ANCHOR_RE = re.compile(f"{_ZH_PREFIX_ANCHOR}|{_ZH_POSTFIX_ANCHOR}|{_DASH_ANCHOR}")


@dataclass(frozen=True)
class Threshold:
    """One quantitative condition (contract ``threshold``)."""

    parameter: str | None
    op: str
    value: float
    value_max: float | None
    unit: str | None
    span: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        """Contract form; whole numbers as ints."""
        return {
            "parameter": self.parameter,
            "op": self.op,
            "value": _plain(self.value),
            "value_max": _plain(self.value_max) if self.value_max is not None else None,
            "unit": self.unit,
            "span": list(self.span),
        }


def _plain(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def parse_number(raw: str) -> float | None:
    """``2.5`` / ``2。5`` / ``五十`` / ``二点五`` → float; None when it is no number."""
    if raw.isdecimal():  # what \d+ matches: DECIMAL_RE's whole number
        return float(raw)
    raw = "".join(raw.split())  # no whitespace (str.split splits on exactly what \s matches)
    if DECIMAL_RE.fullmatch(raw):
        return float(raw.replace("。", ".").replace("．", "."))
    whole, _, frac = raw.partition("点")
    number = cn_to_int(whole)
    if number is None:
        return None
    if frac:
        digits = cn_to_int(frac)
        if digits is None:
            return None
        return float(f"{number}.{frac_digits(frac)}")
    return float(number)


def frac_digits(frac: str) -> str:
    """Chinese digits after 点, one by one: ``五`` → ``5``, ``零五`` → ``05``."""
    return "".join(str(cn_to_int(c) or 0) for c in frac)


def _unit_at(search: str, pos: int, end: int) -> tuple[str, int] | None:
    """The unit right after a number at ``pos`` and where it ends; None when there is none (a
    percent sign is a unit)."""
    m = UNIT_RE.match(search, pos, end)
    if not m:
        return None
    written = m.group("unit")
    unit = UNITS.get(written.lower()) or UNITS.get(written)
    if unit is None:
        return None
    # single ASCII letters are units only right after the number (``16N``, ``5 t``) and not
    # when a Latin word continues (handled by the lookahead); 度/日/方 need a number right before
    if written in ("度", "日", "天", "米") and m.start("unit") != pos:
        return None
    return unit, m.end()


def _op_of(m: re.Match[str]) -> str:
    if m.re is ZH_PREFIX_RE:
        return ZH_OPS[m.group("op")]
    for name, op in PREFIX_GROUPS[m.re]:  # the first operator group that matched
        if m.group(name):
            return op
    return "=="


def _parameter(search: str, start: int, floor: int) -> str | None:
    """The measured quantity written right before ``start`` (``重量能量密度``), if any."""
    lo = max(floor, start - 40)
    window = search[lo:start]
    if "（" in window or "(" in window or "按" in window:  # what a QUALIFIER_RE match opens with
        window = QUALIFIER_RE.sub(lambda m: "\0" * len(m.group()), window)
    before = window.rstrip("\0 ").replace("\0", "")
    # EN_WORDS_RE ends in a letter, space or hyphen right before $ (the end, or a final newline)
    last = before[-2:-1] if before.endswith("\n") else before[-1:]
    english = EN_WORDS_RE.search(before) if last and last in EN_WORD_CHARS else None
    if english:  # English: the last word or two before "of"/"with"
        words = english.group().split()
        while words and words[-1].lower() in EN_PARAM_STOP:
            words.pop()
        return " ".join(words[-2:]) if words else None
    # what follows the last stop: PARAM_RUN_RE at the start of the reversed text (it always
    # matches, maybe nothing)
    run = PARAM_RUN_RE.match(before[::-1]).end()  # type: ignore[union-attr]
    name = before[len(before) - run :]
    if name[:1] in PARAM_TRIM_FIRST:  # where PARAM_TRIM_RE can match
        name = PARAM_TRIM_RE.sub("", name)
    name = name.strip()
    if not name or len(name) > PARAM_MAX or not WORD_CHAR_RE.search(name):
        return None
    if name.endswith(NOT_PARAM_ENDS):  # NOT_PARAM_END_RE (a stripped name ends in no newline)
        return None
    return name


def _trailing_parameter(search: str, pos: int) -> str | None:
    for word in TRAILING_PARAMS:
        if search.startswith(word, pos):
            return word
    return None


def _prefix_matches(search: str, start: int, end: int, english: bool) -> list[re.Match[str]]:
    if not english:  # one pattern: its matches in order
        return list(PREFIX_RES[0][0].finditer(search, start, end))
    found: list[re.Match[str]] = []
    for rule, hint in PREFIX_RES:
        if hint is None or hint.search(search, start, end):
            found += rule.finditer(search, start, end)
    return sorted(found, key=lambda m: m.start())


def _prefix(search: str, start: int, end: int, english: bool = True) -> list[Threshold]:
    """Prefix-form thresholds; the English operators are looked for only when ``english``."""
    out = []
    for m in _prefix_matches(search, start, end, english):
        value = parse_number(m.group("num"))
        unit = ("%", m.end()) if m.group("pct") else _unit_at(search, m.end(), end)
        if value is None or unit is None:
            continue
        op = _op_of(m)
        stop = unit[1]
        post = POSTFIX_RE.match(search, stop, end)
        if post and op in (">", "<"):  # 达到/超过…以上: the postfix decides inclusiveness
            op = ">=" if post.group("ge") else "<="
            stop = post.end()
        param = _parameter(search, m.start(), start)
        out.append(Threshold(param, op, value, None, unit[0], (m.start(), stop)))
    return out


def _percent_words(
    search: str, start: int, end: int, taken: list[tuple[int, int]]
) -> list[Threshold]:
    """``百分之五十以上``: a percentage in words with a postfix operator."""
    out = []
    for m in PERCENT_POSTFIX_RE.finditer(search, start, end):
        value = parse_number(m.group("num"))
        if value is None or any(a <= m.start() < b for a, b in taken):
            continue
        op = ">=" if m.group("ge") else "<="
        out.append(Threshold(_parameter(search, m.start(), start), op, value, None, "%", m.span()))
    return out


def _postfix(search: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[Threshold]:
    out = []
    for m in POSTFIX_FORM_RE.finditer(search, start, end):
        if any(a <= m.start() < b for a, b in taken):
            continue
        value = parse_number(m.group("num"))
        unit = _unit_at(search, m.start("unit_at"), end)
        if value is None or unit is None or unit[1] != m.end("unit"):
            continue  # the unit the number takes on its own is not the one the scan took
        op = ">=" if m.group("ge") else "<="
        param = _parameter(search, m.start(), start) or _trailing_parameter(search, m.end())
        out.append(Threshold(param, op, value, None, unit[0], (m.start(), m.end())))
    return out


def _dash_ranges(
    search: str, start: int, end: int, taken: list[tuple[int, int]]
) -> list[Threshold]:
    out = []
    for m in DASH_RANGE_RE.finditer(search, start, end):
        if any(a <= m.start() < b for a, b in taken):
            continue
        low_raw, high_raw = DASH_RE.split(m.group(), maxsplit=1)
        low, high = parse_number(low_raw), parse_number(high_raw)
        unit = _unit_at(search, m.end(), end)
        if low is None or high is None or unit is None or high <= low:
            continue
        param = _parameter(search, m.start(), start)
        out.append(Threshold(param, "between", low, high, unit[0], (m.start(), unit[1])))
    return out


def _merge_ranges(search: str, found: list[Threshold]) -> list[Threshold]:
    """``大于50μm且小于等于500μm`` (a lower then an upper bound, same unit) → one ``between``."""
    if len(found) < 2:
        return found
    out: list[Threshold] = []
    i = 0
    while i < len(found):
        t = found[i]
        nxt = found[i + 1] if i + 1 < len(found) else None
        if (
            nxt is not None
            and t.op in (">", ">=")
            and nxt.op in ("<", "<=")
            and t.unit == nxt.unit
            and nxt.value > t.value
            and nxt.parameter is None
            and RANGE_JOIN_RE.fullmatch(search[t.span[1] : nxt.span[0]])
        ):
            out.append(
                Threshold(
                    t.parameter, "between", t.value, nxt.value, t.unit, (t.span[0], nxt.span[1])
                )
            )
            i += 2
            continue
        out.append(t)
        i += 1
    return out


@lru_cache(maxsize=4)
def _anchors(search: str) -> tuple[Anchors, bool, bool]:
    """Anchors of any form, and whether English prefix and postfix words may stand in the text.

    Computed once per text (cached): items and document thresholds ask about every line and
    most lines hold no threshold at all. The Chinese and symbol anchors are one scan, which
    either matches at the anchor of a form's match or covers it with an earlier match.
    """
    anything = Anchors.of(ZH_ANCHOR_RE, search)
    # the English scans only where an English word may stand (most texts have none)
    en_prefix = en_postfix = False
    if may_say(search, EN_WORDS):  # most texts hold none: one search answers both
        en_prefix = may_say(search, EN_PREFIX_WORDS)
        en_postfix = may_say(search, EN_POSTFIX_WORDS)
    if en_prefix or en_postfix:
        english = ((EN_PREFIX_ANCHOR_RE, en_prefix), (EN_POSTFIX_ANCHOR_RE, en_postfix))
        found = [Anchors.of(rule, search) for rule, on in english if on]
        anything = Anchors.union(anything, *found)
    return anything, en_prefix, en_postfix


def threshold_anchors(search: str) -> Anchors:
    """Where thresholds may stand in ``search``: a range these do not touch holds none."""
    return _anchors(search)[0]


def find_thresholds(search: str, start: int = 0, end: int | None = None) -> list[Threshold]:
    """Every threshold in ``search[start:end]``, in text order.

    Args:
        search: Simplified-character search text.
        start: Where to start looking.
        end: Where to stop (default: end of text).

    Returns:
        Thresholds with absolute spans; ranges merged into ``between``.
    """
    stop = len(search) if end is None else min(end, len(search))
    if start >= stop:
        return []
    anything, en_prefix, en_postfix = _anchors(search)
    if not anything.touch(start, stop):
        return []
    # the forms whose words stand inside the range (every match holds one of its words); the
    # Chinese prefix form always runs: its scan costs what its check would (most ranges hold one)
    forms = (
        en_prefix and EN_PREFIX_ANCHOR_RE.search(search, start, stop) is not None,
        DASH_ANCHOR_RE.search(search, start, stop) is not None,
        ZH_POSTFIX_ANCHOR_RE.search(search, start, stop) is not None
        or (en_postfix and EN_POSTFIX_ANCHOR_RE.search(search, start, stop) is not None),
    )
    return _scan(search, start, stop, forms)


def _scan(
    search: str,
    start: int,
    stop: int,
    forms: tuple[bool, bool, bool] = (True, True, True),
) -> list[Threshold]:
    """Thresholds of the Chinese prefix form, and of the (English prefix, dash range, postfix)
    forms ``forms`` switches on."""
    found = _prefix(search, start, stop, forms[0])
    if forms[1]:
        found += _dash_ranges(search, start, stop, [t.span for t in found])
    if forms[2]:
        found += _postfix(search, start, stop, [t.span for t in found])
        if search.find(PERCENT_WORD, start, stop) >= 0:  # percent words need a postfix too
            found += _percent_words(search, start, stop, [t.span for t in found])
    if len(found) < 2:
        return found
    found.sort(key=lambda t: t.span)
    return _merge_ranges(search, found)
