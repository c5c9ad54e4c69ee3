"""The printed report: one aligned table, searcher against the baseline, and a few lines of context."""

from __future__ import annotations

import math
import os
import platform
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import naive
from .corpus import MAX_PREFIXES, Corpus
from .measure import CLI_QUERY, CLI_RUNS, Measurement, percentile

MB = 1e6  # bytes; the unit searcher's own `stats` uses
NOT_APPLICABLE = "n/a"


def render(
    baseline: Measurement, searcher: Measurement, corpus: Corpus, queries: int, prefixes: int, runs: int
) -> str:
    """The whole report: what it ran on, the table, and the notes that qualify it."""
    raw_bytes = corpus.raw_bytes
    base, ours = baseline.builds, searcher.builds
    floor = max(base.floor_bytes, ours.floor_bytes) / MB
    lines = [
        f"cores: {os.cpu_count()} · Python {platform.python_version()} · Whoosh {naive.whoosh.versionstring()} · "
        f"jieba {naive.jieba.__version__}",
        f"corpus: {corpus.folder} ({len(corpus.files):,} files, {raw_bytes / MB:.1f} MB) · {queries} queries · "
        f"{prefixes} prefixes · "
        + (f"build rows are medians of {runs} builds" if runs > 1 else "one build per engine"),
        "",
        format_table(Comparison(baseline, searcher).rows(raw_bytes)),
        "",
        f"queries with ≥1 hit: baseline {baseline.answered}/{queries}, searcher {searcher.answered}/{queries}",
        "builds: `python -m searcher index FOLDER --index PATH` and `python -m benchmarks.naive_build FOLDER PATH`, "
        "each a fresh process: wall time includes interpreter start-up and jieba's dictionary load (≈1 s)",
        f"build memory: main process = its peak RSS from wait4; all processes = the largest total resident memory "
        f"of the build's processes at one moment (VmRSS, sampled every 50 ms; pages shared after fork count in "
        f"each); processes seen: baseline {base.processes}, searcher {ours.processes}; largest single process: "
        f"baseline {base.largest_peak_bytes / MB:,.0f} MB, searcher {ours.largest_peak_bytes / MB:,.0f} MB; no "
        f"peak can be below the "
        f"measuring wrapper's {floor:,.0f} MB",
        "query and suggest latency: warm, in-process, after one untimed warm-up; jieba's dictionary load is "
        "excluded from them and included in the CLI row",
        f"suggest: searcher's Index.suggest (10 words, most documents first, and up to 5 titles); the baseline "
        f"expands the prefix in title and body and sorts by document frequency (top 10); prefixes: the first 1 "
        f"and 2 characters of the queries that start with a Chinese character (at most {MAX_PREFIXES})",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Row:
    metric: str
    baseline: str
    searcher: str
    ratio: str = ""


def latency(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (ms), or NaN when there are none (no prefixes were drawn)."""
    return percentile(values, fraction) if values else math.nan


def ratio(baseline: float, searcher: float, *, lower_is_better: bool, better: str, worse: str) -> str:
    """How searcher compares, as a factor of at least 1 with the word for its direction.

    >>> ratio(100.0, 40.0, lower_is_better=True, better="faster", worse="slower")
    '2.5x faster'
    >>> ratio(10.0, 5.0, lower_is_better=False, better="faster", worse="slower")
    '2.0x slower'
    """
    if baseline <= 0 or searcher <= 0:
        return ""
    factor = baseline / searcher if lower_is_better else searcher / baseline
    return f"{factor:.1f}x {better}" if factor >= 1 else f"{1 / factor:.1f}x {worse}"


@dataclass(frozen=True)
class Comparison:
    """The two engines' measurements, turned into table rows one metric at a time."""

    baseline: Measurement
    searcher: Measurement

    def row(
        self,
        metric: str,
        value: Callable[[Measurement], float],
        digits: int,
        *,
        lower_is_better: bool = True,
        better: str = "faster",
        worse: str = "slower",
    ) -> Row:
        base, ours = value(self.baseline), value(self.searcher)
        if math.isnan(base) or math.isnan(ours):
            return Row(metric, NOT_APPLICABLE, NOT_APPLICABLE)
        verdict = ratio(base, ours, lower_is_better=lower_is_better, better=better, worse=worse)
        return Row(metric, f"{base:,.{digits}f}", f"{ours:,.{digits}f}", verdict)

    def rows(self, raw_bytes: int) -> list[Row]:
        """The table's rows; every ratio reads "searcher is … than the baseline"."""
        base, ours = self.baseline.builds, self.searcher.builds
        return [
            Row("documents indexed", f"{base.documents:,}", f"{ours.documents:,}"),
            Row("failures (files skipped)", f"{base.outcome.failures:,}", f"{ours.outcome.failures:,}"),
            self.row("index build (s)", lambda m: m.builds.seconds, 1),
            self.row("index build (docs/s)", lambda m: m.builds.outcome.indexed / m.builds.seconds, 1,
                     lower_is_better=False),
            self.row("index build (MB/s of raw files)", lambda m: raw_bytes / MB / m.builds.seconds, 3,
                     lower_is_better=False),
            self.row("peak RSS of the build, main process (MB)", lambda m: m.builds.peak_rss_bytes / MB, 0,
                     better="smaller", worse="larger"),
            self.row("peak RSS of the build, all processes (MB)", lambda m: m.builds.tree_peak_bytes / MB, 0,
                     better="smaller", worse="larger"),
            self.row("index size on disk (MB)", lambda m: m.size_bytes / MB, 1, better="smaller", worse="larger"),
            self.row("index size / raw size", lambda m: m.size_bytes / raw_bytes, 2, better="smaller", worse="larger"),
            Row("update re-run, nothing changed (s, fresh process)", NOT_APPLICABLE,
                NOT_APPLICABLE if ours.rerun_seconds is None else f"{ours.rerun_seconds:.2f}"),
            self.row("query p50, 10 hits + snippets (ms)", lambda m: percentile(m.latencies_ms, 0.50), 1),
            self.row("query p95, 10 hits + snippets (ms)", lambda m: percentile(m.latencies_ms, 0.95), 1),
            self.row("query p99, 10 hits + snippets (ms)", lambda m: percentile(m.latencies_ms, 0.99), 1),
            self.row("suggest p50 (ms)", lambda m: latency(m.suggest_ms, 0.50), 2),
            self.row("suggest p95 (ms)", lambda m: latency(m.suggest_ms, 0.95), 2),
            self.row(f"CLI query {CLI_QUERY}, fresh process (s, median of {CLI_RUNS})", lambda m: m.cli_seconds, 2),
        ]


def format_table(rows: Sequence[Row]) -> str:
    """The comparison table: metric, baseline, searcher, ratio."""
    header = ("metric", "baseline", "searcher", "ratio (searcher vs baseline)")
    cells = [(row.metric, row.baseline, row.searcher, row.ratio) for row in rows]
    return format_grid(header, cells, right=(False, True, True, False))


def format_grid(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """A Markdown table with padded columns (Chinese characters count two), the ``right`` ones right-aligned."""
    lines = [list(header), *map(list, rows)]
    widths = [max(display_width(cells[column]) for cells in lines) for column in range(len(header))]

    def format_line(cells: Sequence[str]) -> str:
        gaps = (" " * (w - display_width(cell)) for cell, w in zip(cells, widths, strict=True))
        padded = (gap + cell if r else cell + gap for cell, gap, r in zip(cells, gaps, right, strict=True))
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if r else "-" * (w + 2) for w, r in zip(widths, right, strict=True)) + "|"
    return "\n".join([format_line(lines[0]), rule, *(format_line(cells) for cells in lines[1:])])


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two.

    >>> display_width("query 城市更新")
    14
    """
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
