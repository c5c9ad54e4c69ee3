"""The printed report: one aligned table, searcher against the baseline, and a few lines of context."""

from __future__ import annotations

import os
import platform
import resource
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import naive
from .corpus import Corpus
from .measure import CLI_QUERY, CLI_RUNS, Measurement, percentile

MB = 1e6  # bytes; the unit searcher's own `stats` uses
NOT_APPLICABLE = "n/a"


def render(baseline: Measurement, searcher: Measurement, corpus: Corpus, queries: int, runs: int) -> str:
    """The whole report: what it ran on, the table, and the notes that qualify it."""
    raw_bytes = corpus.raw_bytes
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KB
    lines = [
        f"cores: {os.cpu_count()} · Python {platform.python_version()} · Whoosh {naive.whoosh.versionstring()} · "
        f"jieba {naive.jieba.__version__}",
        f"corpus: {corpus.folder} ({len(corpus.files):,} files, {raw_bytes / MB:.1f} MB) · {queries} queries · "
        + (f"indexing times are medians of {runs} runs" if runs > 1 else "one indexing run"),
        "",
        format_table(Comparison(baseline, searcher).rows(raw_bytes)),
        "",
        f"queries with ≥1 hit: baseline {baseline.answered}/{queries}, searcher {searcher.answered}/{queries}",
        "query latency: warm, in-process, after one untimed warm-up query; jieba's dictionary load (≈1 s per "
        "process) is excluded from it and from the builds, and included in the CLI row",
        f"peak RSS of the benchmark process (both engines): {peak_rss_mb:,.0f} MB",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Row:
    metric: str
    baseline: str
    searcher: str
    ratio: str = ""


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
            self.row("index size on disk (MB)", lambda m: m.size_bytes / MB, 1, better="smaller", worse="larger"),
            self.row("index size / raw size", lambda m: m.size_bytes / raw_bytes, 2, better="smaller", worse="larger"),
            Row("update re-run, nothing changed (s)", NOT_APPLICABLE,
                NOT_APPLICABLE if ours.rerun_seconds is None else f"{ours.rerun_seconds:.3f}"),
            self.row("query p50, 10 hits + snippets (ms)", lambda m: percentile(m.latencies_ms, 0.50), 1),
            self.row("query p95, 10 hits + snippets (ms)", lambda m: percentile(m.latencies_ms, 0.95), 1),
            self.row("query p99, 10 hits + snippets (ms)", lambda m: percentile(m.latencies_ms, 0.99), 1),
            self.row(f"CLI query {CLI_QUERY}, fresh process (s, median of {CLI_RUNS})", lambda m: m.cli_seconds, 2),
        ]


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table with padded columns: text left-aligned, numbers right-aligned."""
    header = Row("metric", "baseline", "searcher", "ratio (searcher vs baseline)")
    lines = [(row.metric, row.baseline, row.searcher, row.ratio) for row in (header, *rows)]
    widths = [max(display_width(cells[column]) for cells in lines) for column in range(4)]
    right = (False, True, True, False)

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
