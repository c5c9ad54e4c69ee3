"""Benchmark searcher against a naive jieba + Whoosh baseline: ``python -m benchmarks [--corpus PATH] …``.

Both engines index the same article files, parsed by the same reader, each build a fresh process (the command
a user would run, measured from outside: wall time, peak memory of all its processes); then both answer the
same seeded query set and complete the same prefixes in this process, one after the other. The report is one
table on stdout (progress goes to stderr).
What the baseline is, and why it is the yardstick, is in :mod:`benchmarks.naive`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from .corpus import CorpusError, find_corpus, make_prefixes, make_queries, read_documents
from .engines import Engine, NaiveEngine, SearcherEngine
from .measure import MeasurementError, measure, progress
from .report import render

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Benchmark searcher against a naive jieba + Whoosh baseline."
    )
    add = parser.add_argument
    add("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="PATH", help="folder of articles [%(default)s]")
    add("--queries", type=positive_int, default=300, metavar="N", help="queries in the set [%(default)s]")
    add("--runs", type=positive_int, default=3, metavar="N", help="index builds, medians reported [%(default)s]")
    add("--limit-docs", type=positive_int, metavar="N", help="index only the first N files [all]")
    add("--work", type=Path, metavar="DIR", help="scratch folder for the indexes, kept [a temporary one, removed]")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        corpus = find_corpus(args.corpus, args.limit_docs)
        progress(f"reading {len(corpus.files):,} files to draw {args.queries} queries from")
        queries = make_queries(read_documents(corpus.files), args.queries)
    except CorpusError as error:
        print(f"benchmarks: {error}", file=sys.stderr)
        return 1
    work = args.work or Path(tempfile.mkdtemp(prefix="searcher-benchmarks-"))
    work.mkdir(parents=True, exist_ok=True)
    engines: list[Engine] = [NaiveEngine(work / "baseline"), SearcherEngine(work / "searcher")]
    prefixes = make_prefixes(queries)
    try:
        results = measure(engines, corpus, queries, prefixes, args.runs, scratch=work, cwd=REPO)
    except MeasurementError as error:
        # The scratch folder is kept: the error may name a build's log in it.
        print(f"benchmarks: {error}", file=sys.stderr)
        return 1
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    print(render(results["baseline"], results["searcher"], corpus, len(queries), len(prefixes), args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
