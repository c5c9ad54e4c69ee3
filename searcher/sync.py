"""Incremental indexing: bring an index in line with folders of articles.

New files are added, changed ones re-indexed, vanished ones removed, unchanged ones skipped without being
read (same modification time and size) or without being parsed (same content hash). Work is committed in
checkpoints, each atomic, so an interrupted run keeps what it finished and the next run does the rest.
A file that cannot be read or parsed is reported and skipped; an older indexed version of it is kept.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .documents import ARTICLE_SUFFIXES, DocumentError, discover_files, document_from_file, file_state, load_file
from .index import IndexedFile, IndexWriter, WhooshIndex

# A run commits its files in batches of at least BATCH_SIZE, and in at most MAX_BATCHES of them: each batch
# adds segments to the index (one per worker), and many small segments make Whoosh merge them, in one
# process, over and over (20,000 poems: 113 s as one batch, 332 s in batches of 2,000).
BATCH_SIZE = 2000
MAX_BATCHES = 4

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while files are read and indexed."""


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class UpdateReport:
    """What one run of :func:`update_index` did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        """One line, as ``searcher index`` prints it.

        >>> UpdateReport(added=3, unchanged=1, seconds=0.42).summary()
        '3 added, 0 updated, 0 removed, 1 unchanged, 0 failed in 0.42 s'
        """
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged, {self.failed} failed in {self.seconds:.2f} s"
        )


def update_index(
    index: WhooshIndex,
    sources: Iterable[Path | str],
    *,
    progress: ProgressCallback | None = None,
    wait_seconds: float = 0.0,
    on_wait: Callable[[], None] | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
) -> UpdateReport:
    """Add, update and remove the articles under ``sources`` (folders, or single files).

    Each ``batch_size`` files (by default :data:`BATCH_SIZE`, or a :data:`MAX_BATCHES`-th of the files to
    index when that is more) are committed together, atomically, indexed by ``workers`` processes (one per
    core by default). If another process is updating the index,
    wait up to ``wait_seconds`` for it (``on_wait`` is called when waiting starts), else raise
    :class:`~searcher.index.IndexLockedError`.
    """
    if batch_size is not None and batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    roots = [Path(os.path.abspath(source)) for source in sources]
    for root in roots:
        if not root.exists():
            raise FileNotFoundError(f"no such folder: {root}")
    report = UpdateReport()
    indexed = index.indexed_files()

    # Paths as text, in the order found: a Path object costs ~600 bytes, and 300,000 of them held through the
    # run were counted again in every worker process forked from this one.
    found: dict[str, None] = {}
    for root in roots:
        files = [root] if root.is_file() else discover_files(root)
        for path in files:
            found[str(path)] = None
    vanished = [path for path in indexed if path not in found and _is_under_any(path, roots)]

    pending: list[tuple[str, IndexedFile | None]] = []
    for key in found:
        earlier = indexed.get(key)
        if not _is_valid_text(key):
            report.failures.append(Failure(ascii(key), "file name is not valid UTF-8: rename the file"))
            continue
        try:
            state = file_state(Path(key))
        except OSError as error:
            report.failures.append(Failure(key, f"cannot read: {error.strerror or error}"))
            continue
        if earlier is not None and (earlier.mtime_ns, earlier.size) == (state.mtime_ns, state.size):
            report.unchanged += 1
        else:
            pending.append((key, earlier))

    done = 0
    if progress:
        progress(done, len(pending))
    if vanished or pending:
        size = batch_size or max(BATCH_SIZE, -(-len(pending) // MAX_BATCHES))
        batches = [pending[i : i + size] for i in range(0, len(pending), size)] or [[]]
        for number, batch in enumerate(batches):
            with index.writer(wait_seconds, on_wait, workers) as writer:
                if number == 0:
                    for path in vanished:
                        writer.delete(path)
                    report.removed = len(vanished)
                for path, earlier in batch:
                    _index_file(writer, Path(path), earlier, report)
                    done += 1
                    if progress:
                        progress(done, len(pending))
    report.seconds = time.perf_counter() - started
    return report


def _index_file(writer: IndexWriter, path: Path, earlier: IndexedFile | None, report: UpdateReport) -> None:
    try:
        article = load_file(path)
        if earlier is not None and article.content_hash == earlier.content_hash:
            report.unchanged += 1
            return
        document = document_from_file(article)
    except DocumentError as error:
        report.failures.append(Failure(str(path), str(error)))
        return
    writer.add(document, replace=earlier is not None)
    if earlier is None:
        report.added += 1
    else:
        report.updated += 1


def _is_valid_text(name: str) -> bool:
    """False for a file name with bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_under_any(path: str, roots: list[Path]) -> bool:
    candidate = Path(path)
    for root in roots:
        if candidate == root or (root in candidate.parents and candidate.suffix.lower() in ARTICLE_SUFFIXES):
            return True
    return False
