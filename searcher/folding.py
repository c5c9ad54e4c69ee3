"""Folding: make the ways of writing the same text equal, character for character.

Index and queries are both folded, so ``ＡＢＣ１２３`` finds ``abc123``, ``PYTHON`` finds ``python`` and ``臺灣`` finds
``台湾``. Folding never changes the length of a text, so an offset into the folded text is an offset into
the original: tokens and highlights point at the original characters without any mapping.

Three folds, in order: Unicode NFKC (full-width → half-width, compatibility forms) and lowercase, each
applied only where it maps one character to one character (``…`` would become ``...`` and stays as it is:
nobody searches for it), then traditional → simplified Chinese with OpenCC's ``t2s``, phrase-level
(乾燥 → 干燥 but 乾隆 stays) unless a phrase conversion would change the length. OpenCC comes from the
official ``opencc`` wheel, which bundles the C++ library and its dictionaries, so no system package is
needed, and converts at about 100 MB/s here.

>>> fold("ＡＢＣ１２３ PYTHON 臺灣軟體……")
'abc123 python 台湾软体……'
"""

from __future__ import annotations

import unicodedata
from functools import cache

# Imported here, not lazily: opencc turns a KeyboardInterrupt during its import into an ImportError, and a
# Ctrl-C in the middle of indexing must stay a clean interruption.
import opencc

# str.translate table, filled lazily with the characters met so far (ASCII capitals from the start).
_TABLE: dict[int, str] = {code: chr(code + 32) for code in range(ord("A"), ord("Z") + 1)}
_SEEN: set[str] = {chr(code) for code in range(128)}


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _fold_character(char: str) -> str:
    for candidate in (unicodedata.normalize("NFKC", char).lower(), char.lower()):
        if len(candidate) == 1:
            return candidate
    return char


def _width_and_case(text: str) -> str:
    new = set(text) - _SEEN
    for char in new:
        folded = _fold_character(char)
        if folded != char:
            _TABLE[ord(char)] = folded
    _SEEN.update(new)
    return text.translate(_TABLE)


def fold(text: str) -> str:
    """The folded text, as long as ``text``."""
    folded = _width_and_case(text)
    if folded.isascii():
        return folded
    simplified = _converter().convert(folded)
    if len(simplified) == len(folded):
        return simplified
    # A phrase conversion changed the length (rare): convert character by character instead.
    return "".join(char if len(one := _converter().convert(char)) != 1 else one for char in folded)
