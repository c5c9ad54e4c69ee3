"""The measurements, each written once and run for both engines."""

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

from .corpus import Corpus
from .engines import BuildOutcome, Engine

WARM_UP_QUERY = "城市更新"
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
    seconds: float  # median over the runs
    rerun_seconds: float | None  # update over the unchanged corpus (median); None if not incremental


@dataclass(frozen=True)
class Measurement:
    """Everything the report shows about one engine."""

    builds: Builds
    size_bytes: int
    latencies_ms: list[float]  # one per query of the set
    answered: int  # queries with at least one hit
    cli_seconds: float  # median wall time of the fresh-process query


def timed(action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, float]:
    """``action(*args, **kwargs)``'s result and its wall time in seconds."""
    started = time.perf_counter()
    result = action(*args, **kwargs)
    return result, time.perf_counter() - started


def measure_builds(engines: Sequence[Engine], corpus: Corpus, runs: int) -> dict[str, Builds]:
    """Build each engine's index from scratch ``runs`` times, then (incremental engines only) update it over
    the unchanged corpus. The engines take turns within each run, so slow drift of the machine (thermal,
    page cache) spreads over both instead of favouring one."""
    outcomes: dict[str, BuildOutcome] = {}
    seconds: dict[str, list[float]] = {engine.name: [] for engine in engines}
    reruns: dict[str, list[float]] = {engine.name: [] for engine in engines}
    for run in range(1, runs + 1):
        for engine in engines:
            shutil.rmtree(engine.path, ignore_errors=True)
            progress(f"{engine.name}: building the index (run {run}/{runs})")
            outcomes[engine.name], took = timed(engine.build, corpus)
            seconds[engine.name].append(took)
            if engine.incremental:
                rerun, took = timed(engine.build, corpus)
                if rerun.indexed:
                    raise MeasurementError(f"{engine.name} re-indexed {rerun.indexed} unchanged files")
                reruns[engine.name].append(took)
    return {
        engine.name: Builds(
            outcome=outcomes[engine.name],
            documents=engine.count_documents(),
            seconds=statistics.median(seconds[engine.name]),
            rerun_seconds=statistics.median(reruns[engine.name]) if engine.incremental else None,
        )
        for engine in engines
    }


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
    engines: Sequence[Engine], corpus: Corpus, queries: Sequence[str], runs: int, scratch: Path, cwd: Path
) -> dict[str, Measurement]:
    """All measurements for all engines, by engine name (``cwd``: where the fresh processes start)."""
    for engine in engines:
        engine.load_dictionary()
    builds = measure_builds(engines, corpus, runs)
    measurements = {}
    for engine in engines:
        latencies, answered = measure_queries(engine, queries)
        measurements[engine.name] = Measurement(
            builds=builds[engine.name],
            size_bytes=folder_bytes(engine.path),
            latencies_ms=latencies,
            answered=answered,
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
