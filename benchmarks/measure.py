"""The measurements, each written once and run for both engines.

Builds run as fresh processes, the commands a user would run (``python -m searcher index``, and the baseline's
:mod:`benchmarks.naive_build`), measured from outside by :mod:`benchmarks.child`: so their peak memory is the
build's own, worker processes included, and not the benchmark's. Queries and suggestions run warm in this
process, over the indexes those builds made.
"""

from __future__ import annotations

import math
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

from .child import ChildError, ChildRun, run_measured
from .corpus import Corpus
from .engines import BuildOutcome, Engine

WARM_UP_QUERY = "城市更新"
WARM_UP_PREFIX = "城"
CLI_QUERY = "城市更新"
CLI_RUNS = 5

P = ParamSpec("P")
T = TypeVar("T")


class MeasurementError(Exception):
    """A measurement that cannot be trusted or made; ``str(error)`` is the one-line reason."""


@dataclass(frozen=True)
class Builds:
    """An engine's indexing runs."""

    outcome: BuildOutcome  # of the last full build
    documents: int  # in the index after it
    seconds: float  # median over the runs, of the fresh process (start-up and dictionary load included)
    peak_rss_bytes: float  # median over the runs: the build's main process (wait4)
    tree_peak_bytes: float  # median over the runs: the most memory the build's processes held at one time
    largest_peak_bytes: float  # median over the runs: the largest single process
    processes: int  # processes seen in the last full build
    floor_bytes: int  # the measuring wrapper's own peak, which no peak can be below
    rerun_seconds: float | None  # update over the unchanged corpus (median, fresh process); None if not incremental


@dataclass(frozen=True)
class Measurement:
    """Everything the report shows about one engine."""

    builds: Builds
    size_bytes: int
    latencies_ms: list[float]  # one per query of the set
    answered: int  # queries with at least one hit
    suggest_ms: list[float]  # one per prefix
    cli_seconds: float  # median wall time of the fresh-process query


def timed(action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, float]:
    """``action(*args, **kwargs)``'s result and its wall time in seconds."""
    started = time.perf_counter()
    result = action(*args, **kwargs)
    return result, time.perf_counter() - started


def measure_builds(engines: Sequence[Engine], corpus: Corpus, runs: int, scratch: Path, cwd: Path) -> dict[str, Builds]:
    """Build each engine's index from scratch ``runs`` times, each a fresh process, then (incremental engines
    only) update it over the unchanged corpus, a fresh process again. The engines take turns within each run,
    so slow drift of the machine (thermal, page cache) spreads over both instead of favouring one."""
    folder = corpus_folder(corpus, scratch / "corpus")
    outcomes: dict[str, BuildOutcome] = {}
    builds: dict[str, list[ChildRun]] = {engine.name: [] for engine in engines}
    reruns: dict[str, list[float]] = {engine.name: [] for engine in engines}
    for run in range(1, runs + 1):
        for engine in engines:
            shutil.rmtree(engine.path, ignore_errors=True)
            progress(f"{engine.name}: building the index in a fresh process (run {run}/{runs})")
            outcomes[engine.name], child = run_build(engine, folder, scratch, cwd, "build")
            progress(f"{engine.name}: built in {child.seconds:.1f} s, {child.processes} processes, peak RSS "
                     f"{child.tree_peak_bytes / 1e6:,.0f} MB all together")
            builds[engine.name].append(child)
            if engine.incremental:
                rerun, child = run_build(engine, folder, scratch, cwd, "update re-run")
                if rerun.indexed:
                    raise MeasurementError(f"{engine.name} re-indexed {rerun.indexed} unchanged files")
                reruns[engine.name].append(child.seconds)
    return {
        engine.name: Builds(
            outcome=outcomes[engine.name],
            documents=engine.count_documents(),
            seconds=statistics.median(child.seconds for child in builds[engine.name]),
            peak_rss_bytes=statistics.median(child.peak_rss_bytes for child in builds[engine.name]),
            tree_peak_bytes=statistics.median(child.tree_peak_bytes for child in builds[engine.name]),
            largest_peak_bytes=statistics.median(child.largest_peak_bytes for child in builds[engine.name]),
            processes=builds[engine.name][-1].processes,
            floor_bytes=max(child.floor_bytes for child in builds[engine.name]),
            rerun_seconds=statistics.median(reruns[engine.name]) if engine.incremental else None,
        )
        for engine in engines
    }


def run_build(engine: Engine, folder: Path, scratch: Path, cwd: Path, what: str) -> tuple[BuildOutcome, ChildRun]:
    """Run ``engine``'s build command over ``folder`` as a measured fresh process; what it did, as its output
    says, and the measurements."""
    log = scratch / f"{engine.name}-{what.replace(' ', '-')}.log"
    try:
        child = run_measured(engine.build_command(folder), cwd=cwd, log=log, what=f"{engine.name}'s {what}",
                             accept=engine.build_exit_codes)
    except ChildError as error:
        raise MeasurementError(str(error)) from None
    output = log.read_text(encoding="utf-8", errors="replace")
    outcome = engine.build_outcome(output)
    if outcome is None:
        lines = output.strip().splitlines()
        reason = lines[-1] if lines else f"exit status {child.exit_code}"
        raise MeasurementError(f"{engine.name}'s {what} failed: {reason} (whole output in {log})")
    return outcome, child


def corpus_folder(corpus: Corpus, links: Path) -> Path:
    """A folder that holds exactly the corpus's files, for the build commands, which take a folder: the corpus
    folder itself, or when ``--limit-docs`` chose some of its files, ``links``, made afresh with a symlink to
    each chosen file at the same relative path (both engines follow them and read the same files)."""
    if not corpus.limited:
        return corpus.folder
    shutil.rmtree(links, ignore_errors=True)
    for path in corpus.files:
        link = links / path.relative_to(corpus.folder)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())
    return links


def measure_queries(engine: Engine, queries: Sequence[str], warm_up: str = WARM_UP_QUERY) -> tuple[list[float], int]:
    """Per-query latency in ms over an open index, and how many queries had hits. One query first, untimed
    (``warm_up``: one with hits in the corpus), so that what a first query pays once (opening readers,
    caches) is not charged to the set."""
    progress(f"{engine.name}: running {len(queries)} queries")
    engine.open()
    try:
        engine.search(warm_up)
        latencies: list[float] = []
        answered = 0
        for text in queries:
            hits, took = timed(engine.search, text)
            latencies.append(took * 1000)
            answered += hits > 0
    finally:
        engine.close()
    return latencies, answered


def measure_suggest(engine: Engine, prefixes: Sequence[str], warm_up: str = WARM_UP_PREFIX) -> list[float]:
    """Per-prefix latency in ms of the engine's completions over an open index, after one untimed warm-up
    prefix (``warm_up``), as for the queries."""
    progress(f"{engine.name}: completing {len(prefixes)} prefixes")
    engine.open()
    try:
        engine.suggest(warm_up)
        return [timed(engine.suggest, prefix)[1] * 1000 for prefix in prefixes]
    finally:
        engine.close()


def measure_cli(engine: Engine, scratch: Path, cwd: Path) -> float:
    """Median wall time of ``CLI_RUNS`` fresh processes that each answer ``CLI_QUERY``."""
    progress(f"{engine.name}: timing {CLI_RUNS} fresh-process queries")
    command = engine.cli_command(CLI_QUERY, scratch)
    walls = []
    for _ in range(CLI_RUNS):
        finished, took = timed(subprocess.run, command, cwd=cwd, capture_output=True, text=True)
        if finished.returncode != 0:
            reason = (finished.stderr.strip().splitlines() or [f"exit status {finished.returncode}"])[-1]
            raise MeasurementError(f"{engine.name}'s query command failed: {reason}")
        walls.append(took)
    return statistics.median(walls)


def measure(
    engines: Sequence[Engine],
    corpus: Corpus,
    queries: Sequence[str],
    prefixes: Sequence[str],
    runs: int,
    scratch: Path,
    cwd: Path,
) -> dict[str, Measurement]:
    """All measurements for all engines, by engine name (``cwd``: where the fresh processes start)."""
    builds = measure_builds(engines, corpus, runs, scratch, cwd)
    for engine in engines:
        engine.load_dictionary()  # here, so that neither the queries nor the suggestions pay for it
    measurements = {}
    for engine in engines:
        latencies, answered = measure_queries(engine, queries)
        measurements[engine.name] = Measurement(
            builds=builds[engine.name],
            size_bytes=folder_bytes(engine.path),
            latencies_ms=latencies,
            answered=answered,
            suggest_ms=measure_suggest(engine, prefixes),
            cli_seconds=measure_cli(engine, scratch, cwd),
        )
    return measurements


def folder_bytes(folder: Path) -> int:
    """The size of the files under ``folder``: both indexes are measured the same way."""
    return sum(entry.stat().st_size for entry in folder.rglob("*") if entry.is_file())


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile, interpolating between the closest ranks (as numpy's default does)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def progress(message: str) -> None:
    """Say on stderr what a run of several minutes is doing; stdout is kept for the table."""
    print(f"… {message}", file=sys.stderr, flush=True)
