"""Chinese word segmentation that knows the export-control vocabulary.

The segmenter is a private ``jieba.Tokenizer`` with ``parsers/data/jieba_dict.txt`` loaded on
top of jieba's main dictionary, so domain words (``人造石墨负极材料``, ``不可靠实体清单``,
``参考税则号列``, issuers, element names, ``金属钬``/``氧化钬`` forms) come out as single tokens.

Invariants:

* One tokenizer per process, built on first use and never changed afterwards. It is not
  jieba's global ``jieba.dt``: code elsewhere that calls ``jieba.cut`` sees none of our words.
* The only I/O is at first use: reading the user dictionary from package data (through
  ``importlib.resources``, so it works from a zip or a read-only install) and jieba's own
  main-dictionary cache, which jieba keeps in ``tempfile.gettempdir()`` — never in the package
  directory.
* jieba's start-up chatter ("Building prefix dict …") is silenced; its warnings and errors
  still reach the log.
* The user dictionary is plain ``word freq tag`` lines (jieba's format has no comments).
* ``cut(..., hmm=False)`` walks jieba's dictionary route itself (the glossary segments a title
  or two per document, where jieba's generator layers cost more than the route); its tokens
  are jieba's, step for step.
"""

from __future__ import annotations

import io
import logging
import re
from functools import cache
from importlib import resources
from math import log
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # jieba is imported on first use; parsers stay cheap to import
    import jieba

#: Package and path of the domain dictionary inside it.
DICT_PACKAGE = "parsers"
DICT_PATH = "data/jieba_dict.txt"


def dictionary_text() -> str:
    """The domain dictionary as shipped (``word freq tag`` per line).

    Returns:
        The UTF-8 text of ``parsers/data/jieba_dict.txt``.
    """
    return resources.files(DICT_PACKAGE).joinpath(DICT_PATH).read_text(encoding="utf-8")


@cache
def tokenizer() -> jieba.Tokenizer:
    """The process-wide segmenter with the domain dictionary loaded.

    The first call pays jieba's start-up (about a second; less when jieba's cache in the temp
    directory is warm); later calls return the same object.

    Returns:
        A ``jieba.Tokenizer`` distinct from ``jieba.dt``.
    """
    import jieba

    # jieba logs at DEBUG to stderr by default; keep only what signals a problem.
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    # load_userdict initialises the main dictionary first, then adds our words to this
    # instance only. A file-like object avoids needing a real path to package data.
    tok.load_userdict(io.StringIO(dictionary_text()))
    return tok


def cut(text: str, hmm: bool = True) -> list[str]:
    """Segment ``text`` into words, domain terms kept whole.

    Args:
        text: Simplified-Chinese text (traditional characters segment poorly).
        hmm: Let jieba's HMM join characters the dictionaries do not know. Turn it off for
            predictable output: unknown runs then come out one character at a time.

    Returns:
        The tokens in order; joined, they give back ``text`` exactly.
    """
    if hmm:
        return list(tokenizer().cut(text, HMM=True))
    return _cut_plain(text)


def cut_for_search(text: str, hmm: bool = True) -> list[str]:
    """Segment for indexing: long words are followed by the shorter words inside them.

    Args:
        text: Simplified-Chinese text.
        hmm: As for :func:`cut`.

    Returns:
        Tokens in jieba's search order (not a partition of ``text``).
    """
    return list(tokenizer().cut_for_search(text, HMM=hmm))


def _cut_plain(text: str) -> list[str]:
    """``tokenizer().cut(text, HMM=False)``, in one function instead of jieba's generators.

    The same steps on the same data as jieba 0.42's ``Tokenizer.cut`` (its block and skip
    patterns, ``get_DAG``, ``calc`` and ``__cut_DAG_NO_HMM``), so the same tokens: a title is
    segmented in a few microseconds instead of jieba's ten or twenty.
    """
    freq, logtotal, han, skip, eng = _plain_state()
    words: list[str] = []
    # split by a pattern that captures: odd pieces are its matches (jieba tests each piece)
    for at, block in enumerate(han.split(text)):
        if not block:
            continue
        if not at % 2:
            for odd, piece in enumerate(skip.split(block)):
                if odd % 2:
                    words.append(piece)  # a space or a line end
                else:
                    words.extend(piece)  # one token per character
            continue
        n = len(block)
        if n == 1:  # its one route
            words.append(block)
            continue
        # route[k]: (best log probability of block[k:], end of the first word), as jieba's calc
        route: list[tuple[float, int]] = [(0, 0)] * (n + 1)  # route[n] is jieba's (0, 0)
        for k in range(n - 1, -1, -1):
            best: tuple[float, int] | None = None
            i, frag = k, block[k]
            while i < n and frag in freq:  # the prefix-dictionary walk of get_DAG
                if freq[frag]:
                    here = (log(freq[frag]) - logtotal + route[i + 1][0], i)
                    if best is None or here > best:
                        best = here
                i += 1
                frag = block[k : i + 1]
            if best is None:  # no word starts here: the character alone
                best = (log(freq.get(block[k]) or 1) - logtotal + route[k + 1][0], k)
            route[k] = best
        x, buf = 0, ""
        while x < n:
            y = route[x][1] + 1
            word = block[x:y]
            if len(word) == 1 and eng.match(word):
                buf += word
            else:
                if buf:
                    words.append(buf)
                    buf = ""
                words.append(word)
            x = y
        if buf:
            words.append(buf)
    return words


@cache
def _plain_state() -> tuple[
    dict[str, int], float, re.Pattern[str], re.Pattern[str], re.Pattern[str]
]:
    """The tokenizer's word frequencies, log of their total, and jieba's three patterns."""
    import jieba

    tok = tokenizer()
    return tok.FREQ, log(tok.total), jieba.re_han_default, jieba.re_skip_default, jieba.re_eng
