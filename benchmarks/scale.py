"""How searcher scales: ``python -m benchmarks.scale [--docs 100000,300000] [--queries 300] [--work DIR] …``.

For each corpus size, the first N poems of :mod:`benchmarks.poetry` are indexed by ``python -m searcher index
FOLDER --index PATH`` in a fresh process, measured from outside (wall time, peak RSS: :mod:`benchmarks.child`),
and the index is then opened in this process to time a query set. The naive baseline
(:mod:`benchmarks.naive`) is measured the same way in the same run unless ``--skip-baseline``. The report is
one table on stdout, a row per engine and size, and progress goes to stderr.

What it checks: the project's targets for 300,000 poems are a build in at most 10 minutes with a peak RSS
of at most 1.5 GB, and a query p95 of at most 100 ms; and memory that stays flat as the corpus grows
(an index build that holds the whole corpus in memory would not reach the next order of magnitude).

The query set is drawn once, from a seeded sample of the first N poems of the smallest size: every larger
size holds those poems too, so the same queries have answers at every size and the rows compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from searcher.documents import Document, discover_files
from searcher.folding import fold

from . import poetry
from .cache import DEFAULT_WORK
from .child import ChildError, ChildRun, run_measured
from .corpus import _title_words, read_documents
from .engines import Engine, NaiveEngine, SearcherEngine
from .measure import MeasurementError, folder_bytes, measure_queries, percentile, progress
from .report import MB, format_grid

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (100_000, 300_000)
SEED = 42
SAMPLE_POEMS = 3000  # poems read to draw the queries from
WARM_UP_QUERY = "明月"

# Shares of the query set; the rest are rare characters. Half of all queries are then written in simplified
# characters (the poems are traditional): searcher folds both to the same terms, the baseline does not.
SHARE_TITLES, SHARE_PHRASES, SHARE_AUTHORS, SHARE_FREQUENT = 0.35, 0.35, 0.10, 0.10
SHARE_SIMPLIFIED = 0.5
FREQUENT_POOL = 30  # the characters in the most sampled poems
PHRASE_CHARS = (2, 4)
_CJK_RUN = re.compile(f"[\u4e00-\u9fff]{{{PHRASE_CHARS[0]},}}")
_CJK_CHAR = re.compile("[\u4e00-\u9fff]")

TARGET_DOCS = 300_000
TARGET_BUILD_S, TARGET_RSS_MB, TARGET_P95_MS = 600.0, 1500.0, 100.0


@dataclass(frozen=True)
class Row:
    """One engine at one corpus size."""

    engine: str
    docs: int  # documents in the index
    build: ChildRun
    index_bytes: int
    latencies_ms: list[float]
    answered: int  # queries with at least one hit

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies_ms, 0.95)


def sizes(text: str) -> list[int]:
    """``--docs``: a comma-separated list of corpus sizes, in increasing order without repeats."""
    try:
        values = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError(f"sizes must be at least 1: {text!r}")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale",
        description="Index growing prefixes of ~312k Chinese poems in fresh processes; time, memory, queries.",
    )
    add = parser.add_argument
    add("--docs", type=sizes, default=list(DEFAULT_SIZES), metavar="N,N…", help="corpus sizes [100000,300000]")
    add("--queries", type=poetry.positive_int, default=300, metavar="N", help="queries in the set [%(default)s]")
    add(
        "--work",
        type=Path,
        default=DEFAULT_WORK,
        metavar="DIR",
        help="cache root: poetry/ for the converted poems, scale/ for the indexes [%(default)s]",
    )
    add("--skip-baseline", action="store_true", help="measure searcher only")
    add("--keep-indexes", action="store_true", help="keep each index (they are rebuilt on every run anyway)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        converted = poetry.prepare(args.work / "poetry")
        if args.docs[-1] > converted.poems:
            raise poetry.PoetryError(f"--docs {args.docs[-1]:,} is more than the {converted.poems:,} poems there are")
        progress(f"drawing {args.queries} queries from the first {args.docs[0]:,} poems")
        queries = make_queries(sample_documents(poetry.subset(converted, args.docs[0])), args.queries)
        rows = []
        for docs in args.docs:
            folder = poetry.subset(converted, docs)
            rows.append(measure_size(SearcherEngine, docs, folder, queries, args))
            if not args.skip_baseline:
                rows.append(measure_size(NaiveEngine, docs, folder, queries, args))
    except (poetry.PoetryError, ChildError, MeasurementError) as error:
        print(f"benchmarks: {error}", file=sys.stderr)
        return 1
    print(render(rows, queries, converted))
    return 0


def measure_size(
    engine_type: type[SearcherEngine] | type[NaiveEngine],
    docs: int,
    folder: Path,
    queries: QuerySet,
    args: argparse.Namespace,
) -> Row:
    """Build ``engine_type``'s index of ``folder`` in a fresh process, then time ``queries`` over it here."""
    scratch = args.work / "scale"
    scratch.mkdir(parents=True, exist_ok=True)
    engine: Engine = engine_type(scratch / f"{engine_type.name}-{docs}")
    shutil.rmtree(engine.path, ignore_errors=True)
    command = engine.build_command(folder)
    progress(f"{engine.name}: indexing {docs:,} poems in a fresh process: {' '.join(command[1:])}")
    build = run_measured(command, cwd=REPO, log=scratch / f"{engine.name}-{docs}.log", what=f"{engine.name}'s build")
    progress(f"{engine.name}: built in {build.seconds:.1f} s, peak RSS {build.tree_peak_bytes / MB:,.0f} MB")
    indexed = engine.count_documents()
    if indexed != docs:
        raise MeasurementError(f"{engine.name}'s index of {folder} holds {indexed:,} documents, not {docs:,}")
    engine.load_dictionary()
    latencies, answered = measure_queries(engine, queries.texts, warm_up=WARM_UP_QUERY)
    row = Row(engine.name, indexed, build, folder_bytes(engine.path), latencies, answered)
    if not args.keep_indexes:
        shutil.rmtree(engine.path, ignore_errors=True)
    return row


def sample_documents(folder: Path, count: int = SAMPLE_POEMS, seed: int = SEED) -> list[Document]:
    """A seeded sample of the poems under ``folder``, read as searcher reads them, in file order."""
    files = list(discover_files(folder))
    chosen = sorted(random.Random(seed).sample(range(len(files)), min(count, len(files))))
    return read_documents([files[number] for number in chosen])


@dataclass(frozen=True)
class QuerySet:
    """The queries every engine and size answers."""

    texts: list[str]
    simplified: int  # how many were written in simplified characters (and so differ from the poems' text)
    poems: int  # how many poems they were drawn from


def make_queries(documents: Sequence[Document], count: int, seed: int = SEED) -> QuerySet:
    """``count`` queries in a shuffled mix drawn from ``documents``: ~35% one to three words of a title, ~35%
    two to four characters of one line (every third one quoted, a phrase query), ~10% an author, ~10% one of
    the most frequent characters, ~10% a character that only one sampled poem has. About half of them are
    then written in simplified characters.

    Everything that feeds the generator is in a deterministic order (no set iteration), so the same seed
    gives the same queries whatever the hash seed of the process.
    """
    rng = random.Random(seed)
    titles = [words for document in documents if (words := _title_words(document.title))]
    runs = [found for document in documents if (found := _CJK_RUN.findall(document.body))]
    authors = [document.author for document in documents if len(document.author) >= 2]
    frequency = Counter(char for document in documents for char in dict.fromkeys(_CJK_CHAR.findall(document.body)))
    frequent = [char for char, _ in frequency.most_common(FREQUENT_POOL)]
    rare = [char for char, seen in frequency.items() if seen == 1]
    if not (titles and runs and authors and rare):
        raise MeasurementError("too few poems with titles, authors and text to draw queries from")

    n_titles = round(count * SHARE_TITLES)
    n_phrases = round(count * SHARE_PHRASES)
    n_authors = round(count * SHARE_AUTHORS)
    n_frequent = round(count * SHARE_FREQUENT)
    n_rare = count - n_titles - n_phrases - n_authors - n_frequent

    queries = [_title_query(rng, rng.choice(titles)) for _ in range(n_titles)]
    for number in range(n_phrases):
        phrase = _phrase(rng, rng.choice(rng.choice(runs)))
        queries.append(f'"{phrase}"' if number % 3 == 0 else phrase)
    queries += [rng.choice(authors) for _ in range(n_authors)]
    queries += [rng.choice(frequent) for _ in range(n_frequent)]
    queries += [rng.choice(rare) for _ in range(n_rare)]
    written = [fold(text) if rng.random() < SHARE_SIMPLIFIED else text for text in queries]
    simplified = sum(1 for before, after in zip(queries, written, strict=True) if after != before)
    rng.shuffle(written)
    return QuerySet(written, simplified, poems=len(documents))


def _title_query(rng: random.Random, words: list[str]) -> str:
    """One to three of a title's words, in the title's order."""
    chosen = sorted(rng.sample(range(len(words)), rng.randint(1, min(3, len(words)))))
    return " ".join(words[number] for number in chosen)


def _phrase(rng: random.Random, run: str) -> str:
    """A random substring of ``run`` (a run of Chinese characters) of 2 to 4 characters."""
    length = rng.randint(PHRASE_CHARS[0], min(PHRASE_CHARS[1], len(run)))
    start = rng.randrange(len(run) - length + 1)
    return run[start : start + length]


def render(rows: Sequence[Row], queries: QuerySet, converted: poetry.Converted) -> str:
    """The table and the lines that qualify it."""
    header = [
        "engine",
        "docs",
        "build (s)",
        "docs/s",
        "peak RSS, all processes (MB)",
        "index (MB)",
        "p50 (ms)",
        "p95 (ms)",
        "p99 (ms)",
        "≥1 hit",
    ]
    cells = [
        [
            row.engine,
            f"{row.docs:,}",
            f"{row.build.seconds:,.1f}",
            f"{row.docs / row.build.seconds:,.0f}",
            f"{row.build.tree_peak_bytes / MB:,.0f}",
            f"{row.index_bytes / MB:,.1f}",
            f"{percentile(row.latencies_ms, 0.50):,.1f}",
            f"{row.p95_ms:,.1f}",
            f"{percentile(row.latencies_ms, 0.99):,.1f}",
            f"{row.answered}/{len(queries.texts)}",
        ]
        for row in rows
    ]
    floor = max(row.build.floor_bytes for row in rows) / MB
    lines = [
        f"cores: {os.cpu_count()} · Python {platform.python_version()} · corpus: chinese-poetry "
        f"({converted.poems:,} poems: {converted.tang:,} Tang, {converted.song:,} Song, interleaved; first N used)",
        "",
        format_grid(header, cells, right=[False] + [True] * (len(header) - 1)),
        "",
        "build: `python -m searcher index FOLDER --index PATH` (baseline: `python -m benchmarks.naive_build`) in a "
        "fresh process; wall time includes start-up and jieba's dictionary load; peak RSS: the most resident "
        f"memory its processes (workers included) held at one moment, sampled every 50 ms, through a wrapper "
        f"whose {floor:,.0f} MB it cannot go below",
        f"queries: {len(queries.texts)} from {queries.poems:,} sampled poems of the smallest size (seed {SEED}), "
        f"{queries.simplified} of them turned into simplified characters (the poems are traditional); warm, "
        f"in-process, 10 hits + snippets, after one untimed warm-up query ({WARM_UP_QUERY})",
        *memory_lines(rows),
        targets_line(rows),
    ]
    return "\n".join(lines)


def memory_lines(rows: Sequence[Row]) -> list[str]:
    """Per engine, its peak RSS at the smallest and the largest size: it should stay flat."""
    lines = []
    for engine in dict.fromkeys(row.engine for row in rows):
        own = [row for row in rows if row.engine == engine]
        if len(own) < 2:
            continue
        first, last = own[0], own[-1]
        growth = last.build.tree_peak_bytes / first.build.tree_peak_bytes
        lines.append(
            f"memory should stay flat between sizes: {engine} peak RSS {first.docs:,} → {last.docs:,} docs: "
            f"{first.build.tree_peak_bytes / MB:,.0f} → {last.build.tree_peak_bytes / MB:,.0f} MB ({growth:.2f}x "
            f"for {last.docs / first.docs:.1f}x the poems)"
        )
    return lines


def targets_line(rows: Sequence[Row]) -> str:
    """The project's targets, checked on searcher's row at 300,000 poems when there is one."""
    at_target = [row for row in rows if row.engine == SearcherEngine.name and row.docs >= TARGET_DOCS]
    wanted = (
        f"build ≤ {TARGET_BUILD_S:.0f} s, peak RSS ≤ {TARGET_RSS_MB:,.0f} MB, query p95 ≤ {TARGET_P95_MS:.0f} "
        f"ms at {TARGET_DOCS:,} poems"
    )
    if not at_target:
        return f"targets ({wanted}): not measured, no size of {TARGET_DOCS:,} or more here"
    row = at_target[0]
    checks = [
        ("build", row.build.seconds <= TARGET_BUILD_S),
        ("peak RSS", row.build.tree_peak_bytes / MB <= TARGET_RSS_MB),
        ("query p95", row.p95_ms <= TARGET_P95_MS),
    ]
    verdict = ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in checks)
    return f"targets ({wanted}), searcher at {row.docs:,}: {verdict}"


if __name__ == "__main__":
    sys.exit(main())
