"""The two engines behind one interface, so that every measurement runs the same code for both."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from searcher import Index
from searcher.analysis import default_segmenter
from searcher.documents import DocumentError, read_document

from . import naive
from .corpus import Corpus


@dataclass(frozen=True)
class BuildOutcome:
    """What one build did."""

    indexed: int  # files this build read and indexed (0 for a re-run over unchanged files)
    failures: int  # files that could not be read or parsed, and were skipped


class Engine(Protocol):
    """What the benchmark needs from an engine: build an index at ``path`` (in this process, or by a command
    in a fresh one), search it and complete prefixes over it, and a command line that answers one query in a
    fresh process."""

    name: ClassVar[str]
    incremental: ClassVar[bool]  # whether build() on an existing index only does what changed
    build_exit_codes: ClassVar[tuple[int, ...]]  # the statuses of a build command that finished its build
    path: Path

    def load_dictionary(self) -> None:
        """Load jieba's dictionary (≈1 s, once per process), so that no timing but the CLI's includes it."""

    def build(self, corpus: Corpus) -> BuildOutcome:
        """Read, parse and index the files of ``corpus`` into the index at ``path`` (creating it if there is
        none); an incremental engine skips the files its index already holds unchanged."""

    def build_command(self, folder: Path) -> list[str]:
        """The command that builds (an incremental engine: updates) the index at ``path`` from every article
        file under ``folder``, as a user would run it."""

    def build_outcome(self, output: str) -> BuildOutcome | None:
        """What a build command did, read from its output; None if the output does not say (it failed)."""

    def count_documents(self) -> int:
        """How many documents the index holds (not part of any timing: it may walk the whole index)."""

    def open(self) -> None:
        """Open the index for :meth:`search`."""

    def search(self, text: str) -> int:
        """Run one query for the top hits, with a snippet for each; return how many hits there were."""

    def suggest(self, prefix: str) -> int:
        """Complete ``prefix`` from the index (what a search box offers while it is typed in); return how
        many completions there were."""

    def close(self) -> None:
        """Close what :meth:`open` opened."""

    def cli_command(self, text: str, scratch: Path) -> list[str]:
        """The command that opens the index, runs ``text`` and prints its hits (``scratch``: a folder for
        any file the command needs)."""


class NaiveEngine:
    """The baseline: one default Whoosh writer fed documents one by one; see :mod:`benchmarks.naive`."""

    name = "baseline"
    incremental = False
    build_exit_codes = (0,)

    def __init__(self, path: Path):
        self.path = path
        self._index: naive.whoosh.index.Index | None = None
        self._searcher: naive.whoosh.searching.Searcher | None = None
        self._parser: naive.whoosh.qparser.MultifieldParser | None = None

    def load_dictionary(self) -> None:
        naive.jieba.initialize()

    def build(self, corpus: Corpus) -> BuildOutcome:
        self.path.mkdir(parents=True, exist_ok=True)
        index = naive.whoosh.index.create_in(self.path, naive.make_schema())
        writer = index.writer()
        indexed = failures = 0
        # Reading and parsing are part of the build, as they are inside searcher's update().
        for path in corpus.files:
            try:
                document = read_document(path)
            except DocumentError:
                failures += 1
                continue
            writer.add_document(path=document.path, title=document.title, body=document.body)
            indexed += 1
        writer.commit()
        index.close()
        return BuildOutcome(indexed=indexed, failures=failures)

    def build_command(self, folder: Path) -> list[str]:
        return [sys.executable, "-m", "benchmarks.naive_build", str(folder), str(self.path)]

    def build_outcome(self, output: str) -> BuildOutcome | None:
        found = _NAIVE_BUILD_SUMMARY.search(output)
        return BuildOutcome(indexed=_count(found[1]), failures=_count(found[2])) if found else None

    def count_documents(self) -> int:
        index = naive.whoosh.index.open_dir(self.path)
        try:
            return index.doc_count()
        finally:
            index.close()

    def open(self) -> None:
        self._index = naive.whoosh.index.open_dir(self.path)
        self._searcher = self._index.searcher()
        self._parser = naive.make_parser(self._index.schema)

    def search(self, text: str) -> int:
        assert self._searcher is not None and self._parser is not None, "open() first"
        return len(naive.search_with_highlights(self._searcher, self._parser, text))

    def suggest(self, prefix: str) -> int:
        assert self._searcher is not None, "open() first"
        return len(naive.complete(self._searcher.reader(), prefix))

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        if self._index is not None:
            self._index.close()
        self._index = self._searcher = self._parser = None

    def cli_command(self, text: str, scratch: Path) -> list[str]:
        # The script a naive user would write: naive.py itself, copied out of the package so that it runs
        # as a plain script with nothing of searcher or the benchmarks on its path.
        script = scratch / "naive_query.py"
        script.write_text(Path(naive.__file__).read_text(encoding="utf-8"), encoding="utf-8")
        return [sys.executable, str(script), str(self.path), text]


class SearcherEngine:
    """searcher through its library API, and its CLI for the fresh-process timing."""

    name = "searcher"
    incremental = True
    build_exit_codes = (0, 1)  # 1 also when the build finished but some files failed (its summary says so)

    def __init__(self, path: Path):
        self.path = path
        self._index: Index | None = None

    def load_dictionary(self) -> None:
        # searcher segments with its own jieba.Tokenizer (not jieba's global one the baseline uses).
        default_segmenter().cut("城市更新")

    def build(self, corpus: Corpus) -> BuildOutcome:
        with Index.open_or_create(self.path) as index:
            report = index.update(corpus.sources)
        return BuildOutcome(indexed=report.added + report.updated, failures=report.failed)

    def build_command(self, folder: Path) -> list[str]:
        return [sys.executable, "-m", "searcher", "index", str(folder), "--index", str(self.path)]

    def build_outcome(self, output: str) -> BuildOutcome | None:
        found = _SEARCHER_SUMMARY.search(output)
        if not found:
            return None
        added, updated, failed = map(_count, found.group("added", "updated", "failed"))
        return BuildOutcome(indexed=added + updated, failures=failed)

    def count_documents(self) -> int:
        with Index.open(self.path) as index:
            return index.stats().documents

    def open(self) -> None:
        self._index = Index.open(self.path)

    def search(self, text: str) -> int:
        assert self._index is not None, "open() first"
        # Snippets (text and highlight offsets) are made inside search(), for every hit it returns; the page
        # size is the baseline's.
        return len(self._index.search(text, limit=naive.LIMIT).hits)

    def suggest(self, prefix: str) -> int:
        assert self._index is not None, "open() first"
        # Words (the baseline's number of them) and, as searcher's suggest always does, up to 5 titles.
        found = self._index.suggest(prefix, limit=naive.LIMIT)
        return len(found.words) + len(found.titles)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self._index = None

    def cli_command(self, text: str, scratch: Path) -> list[str]:
        return [sys.executable, "-m", "searcher", "query", text, "--index", str(self.path)]


# The last lines the build commands print: benchmarks.naive_build's, and searcher index's (UpdateReport.summary).
_NAIVE_BUILD_SUMMARY = re.compile(r"baseline: indexed ([\d,]+) files, ([\d,]+) failed")
_SEARCHER_SUMMARY = re.compile(
    r"(?P<added>[\d,]+) added, (?P<updated>[\d,]+) updated, [\d,]+ removed, [\d,]+ unchanged, "
    r"(?P<failed>[\d,]+) failed in "
)


def _count(text: str) -> int:
    return int(text.replace(",", ""))
