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
"""

from __future__ import annotations

import io
import logging
from functools import cache
from importlib import resources
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
    return list(tokenizer().cut(text, HMM=hmm))


def cut_for_search(text: str, hmm: bool = True) -> list[str]:
    """Segment for indexing: long words are followed by the shorter words inside them.

    Args:
        text: Simplified-Chinese text.
        hmm: As for :func:`cut`.

    Returns:
        Tokens in jieba's search order (not a partition of ``text``).
    """
    return list(tokenizer().cut_for_search(text, HMM=hmm))
