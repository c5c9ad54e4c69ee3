"""What the recall and relevance evaluations share: their common options, the news corpus and both
engines' (cached) indexes of it, and the table of results.

The evaluations measure what the benchmark in :mod:`benchmarks.__main__` does not: whether the engines
find what they should (``benchmarks.recall``) and rank it well (``benchmarks.relevance``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from searcher import Document

from . import naive
from .__main__ import DEFAULT_CORPUS, positive_int
from .cache import DEFAULT_WORK, files_fingerprint, open_baseline, open_searcher
from .corpus import Corpus, find_corpus, read_documents
from .engines import NaiveEngine
from .measure import percentile, progress
from .report import Row, format_table, ratio
from .retrieval import BaselineRetriever, SearcherRetriever

NEWS = "news"


def add_common_options(parser: argparse.ArgumentParser, *, corpus: bool = True) -> None:
    """``--seed``, ``--work``, ``--rebuild`` and (for the news corpus) ``--corpus``."""
    add = parser.add_argument
    if corpus:
        add("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="PATH", help="folder of articles [%(default)s]")
    add("--seed", type=int, default=42, help="seed of every random draw [%(default)s]")
    add("--work", type=Path, default=DEFAULT_WORK, metavar="DIR", help="cache of indexes and data [%(default)s]")
    add("--rebuild", action="store_true", help="build the cached indexes again")


@dataclass
class News:
    """The news corpus: its files and their parsed documents (the same reader searcher indexes with)."""

    corpus: Corpus
    documents: list[Document]  # those that parse, in file order


def load_news(folder: Path) -> News:
    """The corpus under ``folder`` (made absolute: both engines store absolute paths); raises
    :class:`~benchmarks.corpus.CorpusError` with a one-line reason if there is none."""
    corpus = find_corpus(Path(os.path.abspath(folder)), None)
    progress(f"reading {len(corpus.files):,} articles of {corpus.folder}")
    return News(corpus, read_documents(corpus.files))


@contextmanager
def news_retrievers(news: News, work: Path, *, rebuild: bool) -> Iterator[tuple[BaselineRetriever, SearcherRetriever]]:
    """Both engines over their cached indexes of the news corpus, built or brought up to date first."""
    corpus = news.corpus
    baseline = BaselineRetriever(
        open_baseline(work, NEWS, files_fingerprint(corpus.files), lambda path: NaiveEngine(path).build(corpus),
                      rebuild=rebuild)
    )
    try:
        index = open_searcher(work, NEWS, corpus.folder, rebuild=rebuild)
        try:
            yield baseline, SearcherRetriever(index, max(len(corpus.files), index.stats().documents))
        finally:
            index.close()
    finally:
        baseline.close()


def warm_up(*retrievers: BaselineRetriever | SearcherRetriever) -> None:
    """One untimed query per engine, so what a first query pays once (readers, caches, jieba's dictionary)
    is not charged to the timed ones."""
    for retriever in retrievers:
        retriever.first_page("城市更新", naive.LIMIT)


def context_line(what: str) -> str:
    """The first line of a report: the machine and the libraries, and what was measured."""
    return (
        f"cores: {os.cpu_count()} · Python {platform.python_version()} · Whoosh {naive.whoosh.versionstring()} · "
        f"jieba {naive.jieba.__version__} · {what}"
    )


def number_row(metric: str, baseline: float, searcher: float, digits: int, *, higher_is_better: bool) -> Row:
    """A row of two numbers and how searcher compares ("1.3x better"), in the style of :mod:`report`."""
    verdict = ratio(baseline, searcher, lower_is_better=not higher_is_better,
                    better="better" if higher_is_better else "faster",
                    worse="worse" if higher_is_better else "slower")
    return Row(metric, f"{baseline:,.{digits}f}", f"{searcher:,.{digits}f}", verdict)


def count_row(metric: str, baseline: int, searcher: int, out_of: int) -> Row:
    return Row(metric, f"{baseline:,}/{out_of:,}", f"{searcher:,}/{out_of:,}")


def latency_rows(label: str, baseline_ms: Sequence[float], searcher_ms: Sequence[float]) -> list[Row]:
    """p50 and p95 of two engines' query latencies."""
    return [
        number_row(f"{label} p{round(q * 100)} (ms)", percentile(baseline_ms, q), percentile(searcher_ms, q), 1,
                   higher_is_better=False)
        for q in (0.50, 0.95)
    ]


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


# Re-exported for the evaluation scripts, which take their table and option helpers from here.
__all__ = ["Row", "format_table", "positive_int"]
