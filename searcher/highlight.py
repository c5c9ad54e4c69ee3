"""Highlighting: find a query's words in a text and cut a readable snippet around them.

Matches are found by direct search for each query term in the folded stored text, not by
re-running the analyzer over the whole body as Whoosh's highlighter does: the query's terms are known, and
looking them up in a few kilobytes of text takes microseconds, while segmenting it again takes milliseconds.
Offsets are character offsets into the text passed in, so they point at its original characters.

>>> snippet = make_snippet("第一句话。" * 30 + "北京推进城市更新行动。" + "最后一句。" * 30, ["城市更新", "北京"])
>>> snippet.text
'…北京推进城市更新行动。最后一句。最后一句。最后一句。最后一句。最后一句。最后一句。最后一句。最后一句。最后一句。最后一句。…'
>>> [snippet.text[start:end] for start, end in snippet.highlights]
['北京', '城市更新']
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .folding import fold

FRAGMENT_CHARS = 110  # a fragment's target length, in characters
MIN_FRAGMENT_CHARS = 60  # a shorter sentence is extended by its neighbours
MAX_FRAGMENTS = 2
MAX_ANCHORS = 100  # matches whose surroundings are considered for fragments
ELLIPSIS = "…"

_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』）)]*|\n")
_CLAUSE_END = re.compile(r"[，、：,:]")

Span = tuple[int, int]


@dataclass
class Snippet:
    """Plain text with the ``[start, end)`` character ranges of the highlighted words in it."""

    text: str
    highlights: list[Span] = field(default_factory=list)


def find_matches(text: str, terms: Sequence[str], end: int | None = None, folded: str = "") -> list[Span]:
    """Every occurrence of any term in ``text`` (or in ``text[:end]``), compared folded (case, width,
    traditional and simplified; folding keeps offsets); where two overlap, the longer wins. ``folded``:
    ``fold(text)`` or a prefix of it, if the caller has it (it is used as far as it reaches).
    Like grep, a term matches inside a longer word, which is also how the n-gram field finds it.

    >>> find_matches("城市更新与城市发展", ["城市", "城市更新"])
    [(0, 4), (5, 7)]
    >>> text = "臺灣的ｉＰｈｏｎｅ"
    >>> [text[start:end] for start, end in find_matches(text, ["台湾", "iphone"])]
    ['臺灣', 'ｉＰｈｏｎｅ']
    """
    wanted = len(text) if end is None else min(end, len(text))
    folded = folded[:wanted] if len(folded) >= wanted else fold(text[:wanted])
    candidates: list[Span] = []
    for term in {fold(term) for term in terms if term}:
        start = folded.find(term)
        while start >= 0:
            candidates.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    candidates.sort(key=lambda span: (span[0] - span[1], span[0]))
    taken: list[Span] = []
    covered: set[int] = set()
    for start, stop in candidates:
        if not covered.intersection(range(start, stop)):
            taken.append((start, stop))
            covered.update(range(start, stop))
    return sorted(taken)


def make_snippet(text: str, terms: Sequence[str], max_fragments: int = MAX_FRAGMENTS, folded: str = "") -> Snippet:
    """Up to ``max_fragments`` fragments of about :data:`FRAGMENT_CHARS` characters where the matches are
    densest, cut at sentence ends where possible, in text order, with ``…`` where text was left out. Line
    breaks become spaces. With no match, the snippet is the start of the text.

    Only the neighbourhoods of the first :data:`MAX_ANCHORS` matches are split into sentences and scored,
    so the cost does not grow with the length of the article. ``folded``: as for :func:`find_matches`."""
    matches = _first_matches(text, terms, folded)
    windows: list[_Window] = []
    for start, end in _neighbourhoods(len(text), matches[:MAX_ANCHORS]):
        sentences = _sentences(text, start, end)
        nearby = matches[bisect.bisect_left(matches, (start, start)) : bisect.bisect_left(matches, (end, end))]
        windows += [_window(text, sentences, i, nearby) for i in range(len(sentences))]
    if not windows:
        return Snippet("")
    windows = [window for window in windows if window.matches] or [windows[0]]
    chosen: list[_Window] = []
    # Most distinct words, then most matches, then the window whose first match comes earliest in it.
    for window in sorted(windows, key=lambda w: (-w.score[0], -w.score[1], w.lead, w.start)):
        if len(chosen) == max_fragments:
            break
        if all(window.end <= other.start or window.start >= other.end for other in chosen):
            chosen.append(window)
    chosen.sort(key=lambda window: window.start)
    return _join(text, chosen, matches)


def _first_matches(text: str, terms: Sequence[str], folded: str) -> list[Span]:
    """The matches in a prefix of the text just long enough to hold the first MAX_ANCHORS of them and the
    fragments around those: a long article full of a common word is not searched to its end."""
    reach = 2 * FRAGMENT_CHARS + max((len(term) for term in terms), default=0)
    end = 4096
    while True:
        matches = find_matches(text, terms, end, folded)
        if end >= len(text):
            return matches
        if len(matches) >= MAX_ANCHORS:
            needed = matches[MAX_ANCHORS - 1][1] + reach
            return matches if needed <= end else find_matches(text, terms, needed, folded)
        end *= 4


def _neighbourhoods(length: int, anchors: list[Span]) -> list[Span]:
    """Stretches of text around the anchors, wide enough for a fragment on either side, merged where they
    overlap; the start of the text when there are no anchors."""
    reach = 2 * FRAGMENT_CHARS
    if not anchors:
        return [(0, min(length, 3 * FRAGMENT_CHARS))]
    merged: list[Span] = []
    for start, end in anchors:
        start, end = max(0, start - reach), min(length, end + reach)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@dataclass
class _Window:
    start: int
    end: int
    matches: list[Span]
    score: tuple[int, int]  # (distinct words matched, matches): variety first, then density

    @property
    def lead(self) -> int:
        """Characters before the first match: a fragment reads best when it starts near its match."""
        return self.matches[0][0] - self.start if self.matches else 0


def _sentences(text: str, start: int, end: int) -> list[Span]:
    """The sentences in ``text[start:end]`` (the first and last may be cut by the stretch's edges)."""
    spans = []
    for end_mark in _SENTENCE_END.finditer(text, start, end):
        if end_mark.end() > start:
            spans.append((start, end_mark.end()))
        start = end_mark.end()
    if start < end:
        spans.append((start, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _window(text: str, sentences: list[Span], first: int, matches: list[Span]) -> _Window:
    """Sentences from ``first`` on, as many as fit in a fragment; a long sentence is cut around its matches."""
    start, end = sentences[first]
    following = first + 1
    while end - start < MIN_FRAGMENT_CHARS and following < len(sentences):
        if sentences[following][1] - start > FRAGMENT_CHARS:
            break
        end = sentences[following][1]
        following += 1
    if end - start > FRAGMENT_CHARS:
        start, end = _cut_long(text, start, end, _inside(matches, start, end))
    inside = _inside(matches, start, end)
    distinct = len({text[m_start:m_end].lower() for m_start, m_end in inside})
    return _Window(start, end, inside, (distinct, len(inside)))


def _inside(matches: list[Span], start: int, end: int) -> list[Span]:
    """The matches within ``[start, end)``; ``matches`` are sorted and do not overlap (find_matches), so
    they are a slice of it, found by bisection: every window of a long article used to scan them all."""
    first = bisect.bisect_left(matches, (start,))
    last = bisect.bisect_left(matches, (end,))
    if last > first and matches[last - 1][1] > end:
        last -= 1
    return matches[first:last]


def _cut_long(text: str, start: int, end: int, matches: list[Span]) -> Span:
    """A stretch of at most FRAGMENT_CHARS inside [start, end), placed to hold the most matches, with its
    edges moved to clause boundaries (，、：) when one is near."""
    best_from, best_count = start, -1
    for anchor, _ in matches or [(start, start)]:
        origin = max(start, min(anchor - FRAGMENT_CHARS // 4, end - FRAGMENT_CHARS))
        count = sum(1 for m in matches if origin <= m[0] and m[1] <= origin + FRAGMENT_CHARS)
        if count > best_count:
            best_from, best_count = origin, count
    cut_start, cut_end = best_from, min(end, best_from + FRAGMENT_CHARS)
    if cut_start > start:
        clause = _CLAUSE_END.search(text, cut_start, min(cut_start + 20, cut_end))
        if clause and not any(m[0] < clause.end() for m in matches if m[0] >= cut_start):
            cut_start = clause.end()
    if cut_end < end:
        clause_ends = [m.end() for m in _CLAUSE_END.finditer(text, max(cut_start, cut_end - 20), cut_end)]
        last_match_end = max((m[1] for m in matches if m[1] <= cut_end), default=cut_start)
        usable = [c for c in clause_ends if c >= last_match_end]
        if usable:
            cut_end = usable[-1]
    return cut_start, cut_end


def _join(text: str, windows: list[_Window], matches: list[Span]) -> Snippet:
    pieces: list[str] = []
    highlights: list[Span] = []
    length = 0
    previous_end = 0
    for window in windows:
        start, end = window.start, window.end
        while start < end and text[start].isspace():
            start += 1
        if start > previous_end:
            pieces.append(ELLIPSIS)
            length += len(ELLIPSIS)
        fragment = text[start:end].rstrip().replace("\n", " ")
        for m_start, m_end in matches:
            if start <= m_start and m_end <= start + len(fragment):
                highlights.append((length + m_start - start, length + m_end - start))
        pieces.append(fragment)
        length += len(fragment)
        previous_end = start + len(fragment)
    if previous_end < len(text.rstrip()):
        pieces.append(ELLIPSIS)
    return Snippet("".join(pieces), highlights)


def highlight_text(text: str, terms: Sequence[str]) -> Snippet:
    """The whole text (a title) with its matches marked."""
    return Snippet(text, find_matches(text, terms))
