"""Search: parse a query, run it against the index, and return ranked hits with snippets.

Ranking is BM25F over title and body (the index decides the scores). On top of that one rule a person
expects of a few keywords: documents that contain *all* of them come before those that contain only some;
a question or a sentence ranks by score alone (:func:`~searcher.query.ranking_tiers`). ``total`` counts
every match, exactly.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from .analysis import query_analyzer, words_spelled
from .folding import fold
from .highlight import Snippet, highlight_text, make_snippet
from .index import StoredHit, WhooshIndex
from .query import (
    Query,
    highlight_terms,
    parse_query,
    parse_synonyms,
    pinyin_terms,
    ranking_tiers,
    text_matches,
    with_pinyin,
)


@dataclass
class Hit:
    """One ranked result."""

    path: str
    title: str
    author: str
    date: dt.datetime | None
    categories: list[str]
    score: float
    snippet: Snippet
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    matched_all: bool = True  # False for a document that has only some of the query's words

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "title": self.title,
            "author": self.author,
            "date": self.date.isoformat() if self.date else None,
            "categories": self.categories,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "title_highlights": [list(span) for span in self.title_highlights],
            "matched_all": self.matched_all,
        }


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    took_ms: float
    offset: int = 0
    as_pinyin: bool = False  # the query's letters matched nothing as typed and were read as pinyin

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "took_ms": round(self.took_ms, 2),
            "offset": self.offset,
            "as_pinyin": self.as_pinyin,
            "hits": [hit.to_json() for hit in self.hits],
        }


def search(index: WhooshIndex, text: str, limit: int = 10, offset: int = 0) -> SearchResults:
    """Run the query ``text``; raise :class:`~searcher.query.QuerySyntaxError` if it is malformed."""
    started = time.perf_counter()
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    tree = parse_query(text, query_analyzer(index.segmenter), parse_synonyms(index.synonyms_text()))
    total, stored = _ranked(index, tree, limit, offset)
    terms = highlight_terms(tree)
    spelled = with_pinyin(tree) if total == 0 else None
    pinyin: list[str] = []
    if spelled is not None:
        # Nothing matches the letters as typed: read them as pinyin (see query.with_pinyin).
        total, stored = _ranked(index, spelled, limit, offset)
        pinyin = pinyin_terms(spelled)
    hits = []
    for hit, matched_all in stored:
        spelled_words = words_spelled(hit.title, hit.body, pinyin, index.segmenter) if pinyin else []
        hits.append(_make_hit(hit, terms + spelled_words, matched_all))
    took_ms = (time.perf_counter() - started) * 1000
    return SearchResults(text, total, hits, took_ms, offset, as_pinyin=bool(pinyin) and total > 0)


def _ranked(index: WhooshIndex, tree: Query, limit: int, offset: int) -> tuple[int, list[tuple[StoredHit, bool]]]:
    """The total and the requested page, each hit with whether it matches the query as typed (all its words)."""
    tiers = ranking_tiers(tree)
    found = index.search(tiers, limit=limit, offset=offset)
    if tiers[0] == tree:  # the query as typed is the first tier: its hits are those with all the words
        return found.total, [(hit, hit.tier == 0) for hit in found.hits]
    return found.total, [(hit, text_matches(tree, fold(f"{hit.title}\n{hit.body}"))) for hit in found.hits]


def _make_hit(stored: StoredHit, terms: list[str], matched_all: bool) -> Hit:
    return Hit(
        path=stored.path,
        title=stored.title,
        author=stored.author,
        date=stored.date,
        categories=stored.categories,
        score=stored.score,
        snippet=make_snippet(stored.body, terms),
        title_highlights=highlight_text(stored.title, terms).highlights,
        matched_all=matched_all,
    )
