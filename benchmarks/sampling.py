"""Seeded query material drawn from text: substrings a person could have seen, and queries as typed.

Substrings come only from runs of letters, digits and Han characters: whitespace separates words and
punctuation is query syntax (quotes, parentheses, ``-``, ``field:``) in both engines, so a substring
holding either would measure the query parser, not retrieval. Everything that feeds a generator is in a
fixed order, so the same seed gives the same draws whatever the process's hash seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

# A letter or digit in Unicode's sense, Han ideographs included (they are letters, category Lo).
TEXT_RUN = re.compile(r"[^\W_]+")

# What searcher's query language reads as syntax inside a typed question: quotes, parentheses and ASCII ':'.
_SYNTAX_CHARACTERS = re.compile('["“”():]')
_LEADING_MINUS = re.compile(r"(^|\s)-+")
_OPERATOR_WORD = re.compile(r"(?<!\S)(OR|AND|NOT)(?!\S)")

QUERY_NOTE = (
    'queries are passed as typed, except that the characters " “ ” ( ) and ASCII : become spaces, a "-" that '
    "starts a word is dropped and a standalone OR/AND/NOT is lower-cased (query syntax in searcher and/or "
    "Whoosh), for both engines alike"
)


def text_runs(text: str, min_length: int = 1) -> list[str]:
    """The runs of letters, digits and Han characters in ``text`` of at least ``min_length`` characters."""
    return [run for run in TEXT_RUN.findall(text) if len(run) >= min_length]


def substring_of_runs(rng: random.Random, runs: Sequence[str], length: int) -> str | None:
    """A uniformly random ``length``-character substring of one of ``runs`` (every start position in every
    long-enough run equally likely); None if no run is that long."""
    eligible = [run for run in runs if len(run) >= length]
    if not eligible:
        return None
    run = rng.choices(eligible, weights=[len(run) - length + 1 for run in eligible])[0]
    start = rng.randrange(len(run) - length + 1)
    return run[start : start + length]


def as_typed(text: str) -> str:
    """``text`` as a query typed into a search box, with what either engine would read as syntax removed.

    >>> as_typed('退休后“401(k)”怎么办: -5 OR 6？')
    '退休后 401 k  怎么办  5 or 6？'
    """
    text = _SYNTAX_CHARACTERS.sub(" ", text)
    text = _LEADING_MINUS.sub(lambda match: match.group(1), text)
    return _OPERATOR_WORD.sub(lambda match: match.group(1).lower(), text).strip()
