"""Suggestions: complete what is being typed from the index's own words and titles.

A prefix in Chinese characters (or any script) completes to the words of titles and bodies that start with
it; a prefix of Latin letters also completes to the words whose pinyin or initials start with it
(``chengs`` → 城市, 城市更新; ``csg`` → 城市更新). Words come most frequent first (by how many documents
have them), so the completions a user most likely wants lead. The titles that contain the prefix complete
it to a whole article.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .analysis import query_analyzer
from .folding import fold
from .index import WhooshIndex
from .query import And, Query, WordPrefix, Words

TITLE_CANDIDATES = 5  # titles are drawn from this many times as many title matches as are shown


@dataclass(frozen=True)
class Completion:
    """A word that completes the prefix, in how many documents it is, and the pinyin or initials that
    matched when the prefix was read as a spelling (else None)."""

    word: str
    documents: int
    spelled: str | None = None

    def to_json(self) -> dict:
        return {"word": self.word, "documents": self.documents, "spelled": self.spelled}


@dataclass(frozen=True)
class TitleCompletion:
    title: str
    path: str

    def to_json(self) -> dict:
        return {"title": self.title, "path": self.path}


@dataclass
class Suggestions:
    prefix: str
    words: list[Completion] = field(default_factory=list)
    titles: list[TitleCompletion] = field(default_factory=list)
    took_ms: float = 0.0

    def to_json(self) -> dict:
        return {
            "prefix": self.prefix,
            "took_ms": round(self.took_ms, 2),
            "words": [word.to_json() for word in self.words],
            "titles": [title.to_json() for title in self.titles],
        }


def suggest(index: WhooshIndex, prefix: str, limit: int = 10, titles: int = 5) -> Suggestions:
    """Up to ``limit`` words and ``titles`` titles that complete ``prefix``. Raise ValueError for a negative
    limit."""
    started = time.perf_counter()
    if limit < 0 or titles < 0:
        raise ValueError("limit and titles must not be negative")
    typed = prefix.strip()
    if not typed:
        return Suggestions(prefix)
    found = Suggestions(prefix, _words(index, typed, limit), _titles(index, typed, titles) if titles else [])
    found.took_ms = (time.perf_counter() - started) * 1000
    return found


def _words(index: WhooshIndex, typed: str, limit: int) -> list[Completion]:
    folded = fold(typed)
    completions = {
        word: Completion(word, documents) for word, documents in index.words_with_prefix(folded) if word != folded
    }
    if folded.isascii() and folded.isalpha():
        for spelling, word, documents in index.spelled_words(folded):
            known = completions.get(word)
            if known is None or known.documents < documents:
                completions[word] = Completion(word, documents, spelling)
    ranked = sorted(completions.values(), key=lambda completion: (-completion.documents, completion.word))
    return ranked[:limit]


def _titles(index: WhooshIndex, typed: str, limit: int) -> list[TitleCompletion]:
    """The titles containing what was typed, best match first: found by its words, the last one as the
    prefix of a title word, then checked for the whole text."""
    query = _title_query(index, typed)
    if query is None:
        return []
    wanted = fold(typed)
    titles: list[TitleCompletion] = []
    for hit in index.search([query], limit * TITLE_CANDIDATES).hits:
        if wanted in fold(hit.title) and all(hit.title != seen.title for seen in titles):
            titles.append(TitleCompletion(hit.title, hit.path))
            if len(titles) == limit:
                break
    return titles


def _title_query(index: WhooshIndex, typed: str) -> Query | None:
    words = [token.text for token in query_analyzer(index.segmenter)(typed)]
    if not words:
        return None
    complete = [Words((word,), "title") for word in words[:-1]]
    return And((*complete, WordPrefix(words[-1], "title"))) if complete else WordPrefix(words[-1], "title")
