"""Text normalisation: the ``text`` every span points into, and a same-length search copy.

``normalize_text`` produces the output text: HTML entities decoded, literal ``<br>`` turned into
newlines, full-width digits/letters and safe full-width symbols folded to ASCII, NBSP and
ideographic spaces made plain spaces, runs of spaces collapsed, lines stripped, blank lines
dropped. Chinese punctuation (，。：；（）《》【】〔〕) is kept as written — it carries meaning and
the contract example keeps it.

``search_copy`` converts traditional to simplified characters (OpenCC ``t2s``) for pattern
matching only. Invariant: ``len(search_copy(t)) == len(t)`` and position i of the copy comes from
position i of ``t``, so a match span in the copy is a valid span in ``t``.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

#: Full-width symbols whose ASCII twin means the same thing in every context we parse.
SAFE_SYMBOLS = {
    "％": "%",
    "＋": "+",
    "－": "-",
    "．": ".",
    "／": "/",
    "＝": "=",
    "＜": "<",
    "＞": ">",
    "～": "~",
    "＆": "&",
    "＃": "#",
    "＊": "*",
    "＿": "_",
    "＠": "@",
}
BR_RE = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_SPACE = r"[ \t\f\v\xa0\u3000\u2002\u2003\u2009\u200b\ufeff]"
#: ``_SPACE+`` written ``_SPACE _SPACE*``: a pattern opening with a class, not a repeat, lets the
#: regex engine skip to the characters of the class (the same matches, faster).
SPACES_RE = re.compile(rf"{_SPACE}{_SPACE}*")
NEWLINES_RE = re.compile(r"\r\n?|[\u2028\u2029\x85]")
#: The characters ``NEWLINES_RE`` starts at: one class scans fast, the alternation does not.
NEWLINE_CHARS_RE = re.compile(r"[\r\u2028\u2029\x85]")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _fold_char(ch: str) -> str:
    code = ord(ch)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)
    return SAFE_SYMBOLS.get(ch, ch)


FOLD_TABLE = str.maketrans(
    {chr(c): _fold_char(chr(c)) for c in range(0xFF01, 0xFF5F) if _fold_char(chr(c)) != chr(c)}
)
#: Runs of the characters ``FOLD_TABLE`` changes. ``str.translate`` with a dict looks up every
#: character of the text (slow for a whole page); translating only these runs is the same.
_FOLDED = "[" + "".join(re.escape(chr(c)) for c in sorted(FOLD_TABLE)) + "]"
FOLD_RE = re.compile(_FOLDED + _FOLDED + "*")  # as SPACES_RE: a class first


def _fold(m: re.Match[str]) -> str:
    return m.group().translate(FOLD_TABLE)


#: Every character some step of ``normalize_text`` changes or starts at: ``<`` (of a ``<br>``)
#: and ``&`` (of an entity), line breaks, control characters, folded full-width forms and the
#: spaces other than " ". A text without them (and without "  ") only needs its lines stripped.
ODD_RE = re.compile(
    "[<&"
    + NEWLINE_CHARS_RE.pattern[1:-1]
    + CONTROL_RE.pattern[1:-1]
    + _FOLDED[1:-1]
    + _SPACE[1:-1].replace(" ", "")
    + "]"
)


def normalize_text(raw: str) -> str:
    """Return the normalised plain text that a record's spans point into.

    Args:
        raw: Text as extracted from a page or file.

    Returns:
        Lines stripped and non-empty, each ending with ``\\n`` (empty input → "").
    """
    text = raw or ""
    if "  " in text or ODD_RE.search(text):
        text = _normalize_chars(text)
    kept = "\n".join(filter(None, map(str.strip, text.split("\n"))))
    return kept + "\n" if kept else ""


def _normalize_chars(text: str) -> str:
    """Every step of ``normalize_text`` before the lines are stripped."""
    if NEWLINE_CHARS_RE.search(text):
        text = NEWLINES_RE.sub("\n", text)
    text = BR_RE.sub("\n", text)
    text = html.unescape(text)
    text = BR_RE.sub("\n", text)  # entities may have spelled a <br>
    text = FOLD_RE.sub(_fold, CONTROL_RE.sub("", text))
    return SPACES_RE.sub(" ", text)  # (no \n in SPACES_RE)


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # local import keeps module import cheap

    return opencc.OpenCC("t2s")


#: The characters OpenCC's t2s changes only inside a phrase, never on their own (深沈 → 深沉,
#: 答覆 → 答复, 打坏 → 打坯). Every t2s dictionary key that changes a text holds one of these or a
#: character the conversion changes on its own; ``tests/parsers/test_normalize.py`` checks this
#: against the dictionaries of the installed OpenCC.
T2S_PHRASE_ONLY = "哩坏沈甦瞭藉衹覆"
#: Characters never examined one by one: surrogates (OpenCC refuses them, and must still be asked
#: so that it does) and everything beyond the Basic Multilingual Plane (extension B and later).
T2S_ALWAYS = r"\ud800-\udfff\U00010000-\U0010ffff"


@lru_cache(maxsize=1)
def _t2s_triggers() -> re.Pattern[str]:
    """A character class; a text with none of its characters is its own t2s conversion.

    OpenCC replaces the longest dictionary key at each position and keeps every other character,
    so the output differs from the input only where a key whose value differs occurs. The class
    holds every BMP character t2s changes on its own (asked of OpenCC once, one character per
    line), ``T2S_PHRASE_ONLY`` and ``T2S_ALWAYS``.
    """
    chars = [chr(c) for c in range(0x10000) if c != 0x0A and not 0xD800 <= c <= 0xDFFF]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # cannot happen with OpenCC's dictionaries; never guess
        return re.compile(r"[^\x00-\x7f]")
    changing = "".join(ch for ch, done in zip(chars, converted, strict=True) if ch != done)
    return re.compile(f"[{re.escape(changing + T2S_PHRASE_ONLY)}{T2S_ALWAYS}]")


def t2s_inert(text: str) -> bool:
    """OpenCC t2s leaves ``text`` as it is, and so any text made of its characters.

    True when no character of ``text`` is in ``_t2s_triggers``: most texts are simplified.
    """
    return _t2s_triggers().search(text) is None


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s); may change length (phrase conversions).

    An inert text (``t2s_inert``) is returned as it is, without the conversion.
    """
    if t2s_inert(text):
        return text
    return _t2s().convert(text)


def search_copy(text: str) -> str:
    """Simplified-character copy of ``text`` with exactly the same length and alignment.

    OpenCC converts phrase by phrase; when a conversion changes the length, the text is
    converted character by character instead, keeping any character whose conversion is not
    a single character.
    """
    if not text:
        return text
    converted = to_simplified(text)
    if len(converted) == len(text):
        # a simplified text is its own copy: the same object, which later equality tests and
        # per-text caches compare at once
        return text if converted == text else converted
    lines = []
    for line in text.split("\n"):
        done = to_simplified(line)
        if len(done) != len(line):
            done = "".join(_simplified_char(ch) for ch in line)
        lines.append(done)
    return "\n".join(lines)


@lru_cache(maxsize=8192)
def _simplified_char(ch: str) -> str:
    """One character converted on its own, kept when its conversion is not one character."""
    done = to_simplified(ch)
    return done if len(done) == 1 else ch


#: Characters ``re.IGNORECASE`` matches with ASCII letters besides the letters: İ ı ſ K.
LATIN_LOOKALIKES = ("\u0130", "\u0131", "\u017f", "\u212a")


def ascii_view(text: str) -> str | None:
    """What an English pattern can match in ``text``: its ASCII characters, lower-cased.

    A case-insensitive match of ASCII words stands in ``text`` as a run of ASCII characters,
    so it is in the view too (the view may join runs: it answers "maybe", never a wrong "no").
    None when one of ``LATIN_LOOKALIKES`` is in ``text``: then anything may match.
    """
    if LATIN_LOOKALIKES[0] in text or LATIN_LOOKALIKES[1] in text:
        return None
    if LATIN_LOOKALIKES[2] in text or LATIN_LOOKALIKES[3] in text:
        return None
    return text.encode("ascii", "ignore").decode("ascii").lower()


@lru_cache(maxsize=8)
def _document_view(text: str) -> str | None:
    """``ascii_view`` of a document's text; cached: several extractors ask about the one text
    (or its equal search copy) being parsed."""
    return ascii_view(text)


def has_latin(text: str) -> bool:
    """Whether an ASCII letter, or a character ``re.IGNORECASE`` matches one with, is in ``text``.

    Without one no English word matches anywhere in the text (or a part of it), in any letter
    case. For the document's text or its search copy (the answer is cached).
    """
    return _has_letter(_document_view(text))


def latin_in(text: str) -> bool:
    """``has_latin`` for any other string (uncached)."""
    return _has_letter(ascii_view(text))


def _has_letter(view: str | None) -> bool:
    """Whether an ``ascii_view`` holds a letter (None: a look-alike may stand for one)."""
    return view is None or view != view.upper()


def may_say(text: str, words: tuple[str, ...], document: bool = True) -> bool:
    """False only when no ``re.IGNORECASE`` match of one of ``words`` can be in ``text``.

    ``words`` are lower-case ASCII (letters, spaces, ``&``, ``-``). ``document``: ``text`` is
    the document's text or search copy (its view is cached), not a part of it.
    """
    view = _document_view(text) if document else ascii_view(text)
    return view is None or any(map(view.__contains__, words))


def is_han(ch: str) -> bool:
    """True for a CJK unified ideograph (basic block or extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def as_written(text: str, search: str, value: str | None, start: int, end: int) -> str | None:
    """``value``, read from the search copy, in the characters ``text`` has at that place.

    Names are found on the simplified copy but reported as the document writes them
    (``貝宜系統股份有限公司`` in a traditional text). ``value`` is looked up in
    ``search[start:end]``; a value that is not one piece of it is returned unchanged.
    """
    if not value or text == search or len(text) != len(search):
        return value
    at = search.find(value, max(start, 0), min(end, len(search)))
    return text[at : at + len(value)] if at >= 0 else value
