"""The library's entry point: an :class:`Index` on disk that you update from folders and search.

>>> from searcher import Index
>>> with Index.open_or_create("indexes/default") as index:       # doctest: +SKIP
...     print(index.update(["seeds/"]).summary())
...     for hit in index.search("城市更新").hits:
...         print(hit.title, hit.snippet.text)

The command line is a thin layer over exactly these calls.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .index import IndexStats, WhooshIndex
from .query import option_filters
from .search import Article, SearchResults, search, show, similar
from .suggest import Suggestions, suggest
from .sync import ProgressCallback, UpdateReport, update_index

DEFAULT_INDEX = Path("indexes", "default")


def default_index_path() -> Path:
    """``$SEARCHER_INDEX`` if set, else ``indexes/default`` under the current directory."""
    return Path(os.environ.get("SEARCHER_INDEX") or DEFAULT_INDEX)


class Index:
    """A searcher index in a folder."""

    def __init__(self, engine: WhooshIndex):
        self.engine = engine

    @property
    def path(self) -> Path:
        return self.engine.path

    @classmethod
    def open(cls, path: Path | str | None = None) -> Index:
        """Open an existing index; raise :class:`~searcher.index.IndexNotFoundError` if there is none."""
        return cls(WhooshIndex.open(path or default_index_path()))

    @classmethod
    def open_or_create(cls, path: Path | str | None = None, *, user_dictionary: Path | str | None = None) -> Index:
        """Open the index at ``path``, creating an empty one if the folder is missing or empty, whose
        segmentation adds the words of ``user_dictionary`` (jieba's format) to jieba's dictionary."""
        dictionary = Path(user_dictionary) if user_dictionary else None
        return cls(WhooshIndex.open_or_create(path or default_index_path(), dictionary))

    @property
    def warnings(self) -> list[str]:
        """Things a user should know about this index (a user dictionary that changed since the build)."""
        return self.engine.warnings

    def set_synonyms(self, path: Path | str) -> None:
        """Expand queries with the synonym groups of this file (one group per line: ``浙大 浙江大学``); the
        index keeps a copy."""
        self.engine.set_synonyms(Path(path))

    def update(
        self,
        sources: Iterable[Path | str],
        *,
        progress: ProgressCallback | None = None,
        wait_seconds: float = 0.0,
        on_wait: Callable[[], None] | None = None,
        batch_size: int | None = None,
        workers: int | None = None,
    ) -> UpdateReport:
        """Index new and changed articles under ``sources``, drop vanished ones, with ``workers`` processes
        (one per core by default); see :func:`update_index`."""
        return update_index(self.engine, sources, progress=progress, wait_seconds=wait_seconds, on_wait=on_wait,
                            batch_size=batch_size, workers=workers)

    @classmethod
    def rebuild(
        cls,
        path: Path | str | None,
        sources: Iterable[Path | str],
        *,
        progress: ProgressCallback | None = None,
        batch_size: int | None = None,
        user_dictionary: Path | str | None = None,
        workers: int | None = None,
    ) -> tuple[Index, UpdateReport]:
        """Build a new index of ``sources`` beside ``path`` and swap it in for the old one, which stays
        searchable (and is kept if the build fails or is interrupted). Needed when an index was built by an
        incompatible version of searcher."""
        target = Path(path or default_index_path())
        replacement = WhooshIndex.create_replacement(target, Path(user_dictionary) if user_dictionary else None)
        try:
            report = update_index(replacement, sources, progress=progress, batch_size=batch_size, workers=workers)
        except BaseException:
            replacement.close()
            raise
        return cls(replacement.replace(target)), report

    def search(
        self,
        query: str,
        limit: int = 10,
        offset: int = 0,
        *,
        sort: str = "relevance",
        facets: Sequence[str] = (),
        author: str | None = None,
        category: str | None = None,
        since: str | None = None,
        until: str | None = None,
        collapse: bool = True,
    ) -> SearchResults:
        """Ranked hits for ``query`` with snippets; see :mod:`searcher.query` for the syntax.

        ``sort``: ``"relevance"``, ``"date"`` or ``"-date"`` (newest first); ``facets``: ``"author"`` and/or
        ``"category"``, counted over every match; ``author``, ``category``, ``since`` and ``until`` (dates as
        ``2022``, ``2022-07`` or ``2022-07-12``, both ends included) narrow the results like ``author:`` …
        ``date:`` in the query, without changing their scores. Near-duplicates of a better-ranked hit are
        folded into it (``hit.near_duplicates``) unless ``collapse`` is False.
        """
        filters = option_filters(author=author, category=category, since=since, until=until)
        return search(self.engine, query, limit=limit, offset=offset, sort=sort, facets=facets, filters=filters,
                      collapse=collapse)

    def suggest(self, prefix: str, limit: int = 10, titles: int = 5) -> Suggestions:
        """Words of the index that complete ``prefix`` (also read as pinyin), most frequent first, and
        titles that contain it."""
        return suggest(self.engine, prefix, limit, titles)

    def show(self, path: Path | str, highlight: str | None = None) -> Article | None:
        """The stored article of the file at ``path``, with the words of the query ``highlight`` marked in
        its text; None if the index does not hold that file."""
        return show(self.engine, os.path.abspath(path), highlight)

    def similar(self, path: Path | str, limit: int = 10) -> SearchResults | None:
        """Articles like the one from the file at ``path`` (by its most characteristic words), without it and
        exact copies of its text; None if the index does not hold that file."""
        return similar(self.engine, os.path.abspath(path), limit)

    def stats(self) -> IndexStats:
        return self.engine.stats()

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
