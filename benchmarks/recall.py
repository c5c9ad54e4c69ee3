"""Grep-exact recall: ``python -m benchmarks.recall [--queries 300] [--seed 42] [--corpus PATH]``.

A person who searches for a string they saw in an article expects every article that contains it, as
``grep`` would find it. The queries are random 1–6 character substrings of the articles' cleaned text
(uniform in length, from runs of letters, digits and Han only); the truth for each is the set of articles
whose folded title and body contain its folded form (:func:`searcher.folding.fold`: NFKC, lowercase,
traditional → simplified), so ``ＡＢＣ`` in an article is found by ``abc``. Each engine runs each substring
as a query for *all* its matches; recall is micro-averaged (found relevant pairs / relevant pairs). Both
engines are measured in the same run, over indexes cached in the work folder.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from searcher.folding import fold

from .corpus import CorpusError
from .evaluation import (
    News,
    Row,
    add_common_options,
    context_line,
    count_row,
    format_table,
    latency_rows,
    load_news,
    news_retrievers,
    number_row,
    positive_int,
    warm_up,
)
from .measure import progress
from .report import NOT_APPLICABLE
from .retrieval import Answer, Retriever
from .sampling import substring_of_runs, text_runs

LENGTHS = (1, 6)
PAGE = 10  # the page size of the latency measurement
SHOWN_MISSES = 20


@dataclass(frozen=True)
class Probe:
    """One substring query and the articles that contain it."""

    text: str
    truth: frozenset[str]  # paths


@dataclass(frozen=True)
class Outcome:
    """One engine's result for one probe."""

    probe: Probe
    found: int  # relevant articles it returned
    found_whole: int  # relevant articles among the hits that have all of the query's words
    extra: int  # articles it returned that are not relevant (a sanity check: returning everything is no recall)
    error: str | None

    @property
    def complete(self) -> bool:
        return self.error is None and self.found == len(self.probe.truth)


def make_probes(news: News, count: int, seed: int) -> list[Probe]:
    """``count`` substrings: a length drawn uniformly, then random articles until one has a run that long,
    then a uniformly random position in its runs; with the truth computed over the whole corpus."""
    rng = random.Random(seed)
    documents = news.documents
    runs = [text_runs(f"{document.title}\n{document.body}") for document in documents]
    progress(f"folding {len(documents):,} articles for the truth")
    folded = [fold(f"{document.title}\n{document.body}") for document in documents]
    probes = []
    while len(probes) < count:
        length = rng.randint(*LENGTHS)
        text = None
        while text is None:
            text = substring_of_runs(rng, runs[rng.randrange(len(documents))], length)
        needle = fold(text)
        truth = frozenset(document.path for document, haystack in zip(documents, folded, strict=True)
                          if needle in haystack)
        probes.append(Probe(text, truth))
    return probes


def run_probes(retriever: Retriever, probes: Sequence[Probe]) -> list[Outcome]:
    """Every match of every probe, compared with its truth."""
    progress(f"{retriever.name}: {len(probes)} queries for all their matches")
    outcomes = []
    for probe in probes:
        answer = retriever.every_match(probe.text)
        found = len(probe.truth.intersection(answer.paths))
        whole = len(probe.truth.intersection(answer.paths).difference(answer.partial))
        outcomes.append(Outcome(probe, found, whole, len(set(answer.paths)) - found, answer.error))
    return outcomes


def page_latencies(retriever: Retriever, probes: Sequence[Probe]) -> list[float]:
    """Wall time (ms) of each probe as a first page of ``PAGE`` hits with snippets (highlights)."""
    progress(f"{retriever.name}: {len(probes)} queries for a page of {PAGE} hits, timed")
    answers: list[Answer] = [retriever.first_page(probe.text, PAGE) for probe in probes]
    return [answer.milliseconds for answer in answers]


def recall(outcomes: Sequence[Outcome], *, whole_only: bool = False) -> float:
    """Found relevant (query, article) pairs over all relevant pairs; 1.0 when there are none. With
    ``whole_only``, only hits that have all of the query's words count as found."""
    relevant = sum(len(outcome.probe.truth) for outcome in outcomes)
    found = sum(outcome.found_whole if whole_only else outcome.found for outcome in outcomes)
    return found / relevant if relevant else 1.0


def render(news: News, probes: Sequence[Probe], results: dict[str, list[Outcome]],
           latencies: dict[str, list[float]], seed: int) -> str:
    base, ours = results["baseline"], results["searcher"]
    n = len(probes)
    rows: list[Row] = [
        Row("relevant (query, article) pairs", f"{sum(len(p.truth) for p in probes):,}", ""),
        number_row("recall, micro-averaged", recall(base), recall(ours), 3, higher_is_better=True),
    ]
    for length in range(LENGTHS[0], LENGTHS[1] + 1):
        of_length = [i for i, probe in enumerate(probes) if len(probe.text) == length]
        label = f"  recall, {length}-character queries ({len(of_length)})"
        if not of_length:
            rows.append(Row(label, NOT_APPLICABLE, NOT_APPLICABLE))
            continue
        rows.append(number_row(label, recall([base[i] for i in of_length]), recall([ours[i] for i in of_length]), 3,
                               higher_is_better=True))
    rows += [
        count_row("queries with complete recall", sum(o.complete for o in base), sum(o.complete for o in ours), n),
        number_row("recall, hits with all the query's words only", recall(base, whole_only=True),
                   recall(ours, whole_only=True), 3, higher_is_better=True),
        Row("returned, not in the truth (pairs)", f"{sum(o.extra for o in base):,}", f"{sum(o.extra for o in ours):,}"),
        count_row("queries rejected (errors)", sum(o.error is not None for o in base),
                  sum(o.error is not None for o in ours), n),
        *latency_rows(f"query, {PAGE} hits + snippets,", latencies["baseline"], latencies["searcher"]),
    ]
    lines = [
        context_line(f"{n} substring queries, seed {seed}"),
        f"corpus: {news.corpus.folder} ({len(news.corpus.files):,} files, {len(news.documents):,} parsed)",
        "",
        format_table(rows),
        "",
        ("truth: articles whose folded title + body contain the folded substring (NFKC, lowercase, t2s); "
         "substrings are 1–6 letters/digits/Han, uniform in length"),
        ("recall: all matches of each query (searcher: Index.search with a limit of every document; baseline: "
         "Whoosh search with limit=None); latency: warm, in-process, a separate pass"),
        f"queries with no relevant article (folding changed the source's text): {sum(not p.truth for p in probes)}",
    ]
    misses = [outcome for outcome in ours if not outcome.complete]
    lines += ["", f"searcher missed {len(misses)} of {n} queries" + (":" if misses else "")]
    for outcome in misses[:SHOWN_MISSES]:
        why = f" ({outcome.error})" if outcome.error else ""
        lines.append(f"  {outcome.probe.text!r}: found {outcome.found}/{len(outcome.probe.truth)}{why}")
    if len(misses) > SHOWN_MISSES:
        lines.append(f"  … and {len(misses) - SHOWN_MISSES} more")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recall", description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=positive_int, default=300, metavar="N",
                        help="substring queries [%(default)s]")
    add_common_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        news = load_news(args.corpus)
    except CorpusError as error:
        print(f"benchmarks.recall: {error}", file=sys.stderr)
        return 1
    probes = make_probes(news, args.queries, args.seed)
    with news_retrievers(news, args.work, rebuild=args.rebuild) as retrievers:
        warm_up(*retrievers)
        results = {retriever.name: run_probes(retriever, probes) for retriever in retrievers}
        latencies = {retriever.name: page_latencies(retriever, probes) for retriever in retrievers}
    print(render(news, probes, results, latencies, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
