"""The two engines as the evaluations query them: every match of a query, or its ranked first page.

Both engines answer through the same small interface, so the recall and relevance scripts run one code
path for each. A query the engine rejects is an *error*, reported as such and scored as finding nothing,
rather than a crash: the point is to count how often that happens.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import ClassVar, Protocol

from searcher import Index, QuerySyntaxError

from . import naive


@dataclass(frozen=True)
class Answer:
    """An engine's answer to one query."""

    paths: list[str]  # absolute paths, best first
    error: str | None = None  # why the engine rejected the query; None if it ran
    milliseconds: float = 0.0  # wall time of the call
    # Hits that have only some of the query's words: searcher fills its pages up with them after those that
    # have all; the baseline (every word required) has none.
    partial: frozenset[str] = frozenset()


class Retriever(Protocol):
    """What the evaluations ask of an engine."""

    name: ClassVar[str]

    def every_match(self, text: str) -> Answer:
        """All documents that match ``text``, unranked as far as the caller cares (no snippets needed)."""

    def first_page(self, text: str, limit: int) -> Answer:
        """The top ``limit`` hits, with the snippets or highlights a results page shows (timed)."""


class SearcherRetriever:
    """searcher through its library API, ``Index.search``, which makes a snippet for every hit it returns."""

    name = "searcher"

    def __init__(self, index: Index, documents: int):
        self.index = index
        self.documents = documents  # a limit that covers every document in the index

    def every_match(self, text: str) -> Answer:
        # Every copy of a near-duplicate listed on its own: recall counts documents, and a copy folded into
        # another hit is not one of the hits.
        return self._search(text, self.documents, collapse=False)

    def first_page(self, text: str, limit: int) -> Answer:
        return self._search(text, limit, collapse=True)

    def _search(self, text: str, limit: int, collapse: bool) -> Answer:
        started = time.perf_counter()
        try:
            results = self.index.search(text, limit=limit, collapse=collapse)
        except QuerySyntaxError as error:
            return Answer([], f"{type(error).__name__}: {error}", _since(started))
        took = _since(started)
        paths = [os.path.abspath(hit.path) for hit in results.hits]
        partial = frozenset(os.path.abspath(hit.path) for hit in results.hits if not hit.matched_all)
        if results.total > len(paths) and limit >= self.documents:
            return Answer(paths, f"{results.total} matches but only {len(paths)} returned", took, partial)
        return Answer(paths, None, took, partial)


class BaselineRetriever:
    """The naive baseline: Whoosh's ``MultifieldParser`` and searcher, with ``hit.highlights`` on the page.

    With ``any_word``, its parser joins words with OR instead of Whoosh's default AND: not the baseline as a
    naive user runs it, but the fairer yardstick for long questions, which no document answers word for word.
    """

    name = "baseline"

    def __init__(self, index: naive.whoosh.index.Index, any_word: bool = False):
        self.index = index
        self.searcher = index.searcher()
        self.parser = naive.make_parser(index.schema, any_word=any_word)
        if any_word:
            self.name = "baseline-or"

    def every_match(self, text: str) -> Answer:
        started = time.perf_counter()
        try:
            results = self.searcher.search(self.parser.parse(text), limit=None)
            paths = [os.path.abspath(hit["path"]) for hit in results]
        except Exception as error:  # noqa: BLE001 - any failure of the baseline's parser or search is counted
            return Answer([], f"{type(error).__name__}: {error}", _since(started))
        return Answer(paths, None, _since(started))

    def first_page(self, text: str, limit: int) -> Answer:
        started = time.perf_counter()
        try:
            hits = naive.ranked_hits(self.searcher, self.parser, text, limit)
        except Exception as error:  # noqa: BLE001 - as above
            return Answer([], f"{type(error).__name__}: {error}", _since(started))
        return Answer([os.path.abspath(path) for path, _, _ in hits], None, _since(started))

    def close(self) -> None:
        self.searcher.close()
        self.index.close()


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
