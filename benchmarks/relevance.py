"""Ranking quality: ``python -m benchmarks.relevance [--seed 42] [--known-items 300]
[--insurance-questions N] [--skip-insurance] [--work DIR] [--rebuild]``.

Two tests, each run for searcher and the naive baseline in the same process, on the first page (10 hits,
with the snippets or highlights that page shows, so its latency is a user's):

* known-item search on the news corpus (:mod:`benchmarks.known_items`): MRR@10 of the one target article;
* InsuranceQA-zh (:mod:`benchmarks.insurance`): each valid-split question against all answers, MRR@10 of
  the first relevant answer and Recall@10 (the share of a question's relevant answers on the page,
  averaged over questions).

A query an engine rejects scores 0 and is counted as an error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass

from . import insurance
from .cache import open_baseline, open_searcher
from .corpus import CorpusError
from .evaluation import (
    Row,
    add_common_options,
    context_line,
    count_row,
    format_table,
    latency_rows,
    load_news,
    mean,
    news_retrievers,
    number_row,
    positive_int,
    warm_up,
)
from .known_items import KINDS, make_known_items
from .measure import progress
from .retrieval import BaselineRetriever, Retriever, SearcherRetriever
from .sampling import QUERY_NOTE, as_typed

PAGE = 10


@dataclass(frozen=True)
class Judged:
    """One query's first page, judged against its relevant documents."""

    group: str  # what the query belongs to (a known-item kind, or the data set)
    reciprocal_rank: float  # 1/rank of the first relevant hit on the page, 0 if none
    recall: float  # share of the relevant documents on the page
    error: str | None
    milliseconds: float


def judge(retriever: Retriever, group: str, text: str, relevant: Collection[str],
          key: Callable[[str], str] = lambda path: path) -> Judged:
    """Run ``text`` for a first page and judge it; ``key`` maps a hit's path to what ``relevant`` holds."""
    answer = retriever.first_page(text, PAGE)
    keys = [key(path) for path in answer.paths[:PAGE]]
    rank = next((position for position, found in enumerate(keys, start=1) if found in relevant), None)
    found = len(set(keys).intersection(relevant))
    return Judged(group, 1 / rank if rank else 0.0, found / len(relevant), answer.error, answer.milliseconds)


def quality_rows(label: str, judged: dict[str, list[Judged]], *, with_recall: bool) -> list[Row]:
    """MRR@10 (and Recall@10) for both engines, then how often the page had a relevant hit at all."""
    base, ours = judged["baseline"], judged["searcher"]
    n = len(base)
    rows = [number_row(f"MRR@{PAGE}, {label} ({n})", mean([j.reciprocal_rank for j in base]),
                       mean([j.reciprocal_rank for j in ours]), 3, higher_is_better=True)]
    if with_recall:
        rows.append(number_row(f"Recall@{PAGE}, {label}", mean([j.recall for j in base]),
                               mean([j.recall for j in ours]), 3, higher_is_better=True))
    return rows


def outcome_rows(judged: dict[str, list[Judged]]) -> list[Row]:
    base, ours = judged["baseline"], judged["searcher"]
    n = len(base)
    return [
        count_row("relevant hit at rank 1", sum(j.reciprocal_rank == 1 for j in base),
                  sum(j.reciprocal_rank == 1 for j in ours), n),
        count_row(f"relevant hit in the top {PAGE}", sum(j.reciprocal_rank > 0 for j in base),
                  sum(j.reciprocal_rank > 0 for j in ours), n),
        count_row("queries rejected (errors)", sum(j.error is not None for j in base),
                  sum(j.error is not None for j in ours), n),
        *latency_rows(f"query, {PAGE} hits + snippets,", [j.milliseconds for j in base],
                      [j.milliseconds for j in ours]),
    ]


def known_item_section(args: argparse.Namespace) -> list[str]:
    """The news corpus test, as report lines."""
    news = load_news(args.corpus)
    progress(f"drawing known-item queries for {args.known_items} articles")
    items = make_known_items(news.documents, args.known_items, args.seed)
    with news_retrievers(news, args.work, rebuild=args.rebuild) as retrievers:
        warm_up(*retrievers)
        judged = {}
        for retriever in retrievers:
            progress(f"{retriever.name}: {len(items)} known-item queries")
            judged[retriever.name] = [judge(retriever, item.kind, as_typed(item.text), {item.target})
                                      for item in items]
    rows: list[Row] = []
    for kind in KINDS:
        rows += quality_rows(kind, {name: [j for j in js if j.group == kind] for name, js in judged.items()},
                             with_recall=False)
    rows += quality_rows("all", judged, with_recall=False)
    rows += outcome_rows(judged)
    return [
        (f"known-item search: {news.corpus.folder} ({len(news.documents):,} articles), "
         f"{len(items) // len(KINDS)} target articles, one query of each kind"),
        "",
        format_table(rows),
        "",
        ("keywords: 2–3 of the article's top 8 jieba TF-IDF tags, space-separated; fragment: 6–12 letters/"
         "digits/Han of its body; a hit counts only if it is the target file itself (near-duplicates do not)"),
    ]


def insurance_section(args: argparse.Namespace) -> list[str]:
    """The InsuranceQA test, as report lines (raises :class:`~benchmarks.insurance.InsuranceDataMissing`)."""
    package = insurance.load_package()
    progress("loading InsuranceQA answers and questions")
    pool = insurance.load_pool(package, args.work)
    questions, total = insurance.load_questions(package, args.insurance_questions, args.seed)
    baseline_index = open_baseline(args.work, insurance.DATASET, pool.fingerprint,
                                   lambda path: insurance.build_baseline(pool, path), rebuild=args.rebuild)
    baseline, baseline_or = BaselineRetriever(baseline_index), BaselineRetriever(baseline_index, any_word=True)
    try:
        index = open_searcher(args.work, insurance.DATASET, pool.folder, rebuild=args.rebuild)
        try:
            retrievers: tuple[Retriever, ...] = (baseline, baseline_or, SearcherRetriever(index, len(pool.answers)))
            documents = {"baseline": baseline.index.doc_count(), "searcher": index.stats().documents}
            warm_up(*retrievers)
            judged = {}
            for retriever in retrievers:
                progress(f"{retriever.name}: {len(questions)} InsuranceQA questions")
                judged[retriever.name] = [
                    judge(retriever, "insuranceqa", as_typed(question.text), question.answers, insurance.answer_id)
                    for question in questions
                ]
        finally:
            index.close()
    finally:
        baseline_or.searcher.close()
        baseline.close()
    with_or = {"baseline": judged["baseline-or"], "searcher": judged["searcher"]}
    rows = [
        Row("answers indexed", f"{documents['baseline']:,}", f"{documents['searcher']:,}"),
        *quality_rows("valid questions", judged, with_recall=True),
        *quality_rows("baseline with OR between words", with_or, with_recall=True),
        *outcome_rows(judged),
    ]
    sample = "all" if len(questions) == total else "a seeded sample of"
    return [
        (f"InsuranceQA-zh (insuranceqa-data 1.2): {sample} {len(questions):,} of {total:,} valid-split questions "
         f"against all {len(pool.answers):,} answers"),
        "",
        format_table(rows),
        "",
        (f"Recall@{PAGE}: relevant answers on the page / relevant answers, averaged over questions "
         f"(mean {mean([len(q.answers) for q in questions]):.2f} relevant answers per question)"),
        ("searcher reads each answer file with its own reader, which takes the file name (the answer id) as the "
         "title when a file has none; the baseline's title is empty"),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.relevance",
                                     description="Ranking quality (MRR@10) of searcher against the baseline.")
    add = parser.add_argument
    add("--known-items", type=positive_int, default=300, metavar="N", help="target articles [%(default)s]")
    add("--insurance-questions", type=positive_int, metavar="N",
        help="a seeded sample of N InsuranceQA valid questions [all]")
    add("--skip-insurance", action="store_true", help="leave out the InsuranceQA test")
    add_common_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.skip_insurance:
        try:
            insurance.load_package()
        except insurance.InsuranceDataMissing as error:
            print(f"benchmarks.relevance: {error}", file=sys.stderr)
            return 1
    try:
        lines = [context_line(f"seed {args.seed}"), "", *known_item_section(args)]
    except CorpusError as error:
        print(f"benchmarks.relevance: {error}", file=sys.stderr)
        return 1
    if not args.skip_insurance:
        lines += ["", *insurance_section(args)]
    lines += ["", f"{QUERY_NOTE}; a rejected query scores 0; latency: warm, in-process"]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
