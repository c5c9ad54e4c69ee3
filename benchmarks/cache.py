"""Indexes that the evaluations keep between runs, one per data set and engine, under a scratch folder.

Building an index is most of an evaluation's run time (≈40 s per engine for the news corpus, minutes for
InsuranceQA), while what is measured is the search over it; so the built indexes are cached. A cache entry's
name holds a hash of everything that decides what the index contains, so a change to any of it makes a new
entry (and the stale ones are removed) instead of a silently outdated measurement:

* searcher: its version, index format and analysis signature (the index refuses other ones anyway), and
  the data folder. searcher's ``update`` is incremental, so it also runs over a cached index: changed or
  new files are indexed, an unchanged folder costs only a scan.
* baseline: the source of :mod:`benchmarks.naive`, Whoosh's and jieba's versions, and a fingerprint of
  the data (names, sizes and modification times). Whoosh has no incremental update, so an entry is either
  complete (it has a marker written after the commit) or built again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import searcher
from searcher import Index
from searcher import analysis as searcher_analysis
from searcher import index as searcher_index

from . import naive
from .measure import progress, timed

DEFAULT_WORK = Path(tempfile.gettempdir()) / "searcher-bench-cache"
COMPLETE_MARKER = "baseline-complete.json"


def digest(*parts: object) -> str:
    """A short stable hash of ``parts`` (their ``repr``), for cache entry names."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:12]


def files_fingerprint(files: Iterable[Path]) -> str:
    """What changes when a file is added, removed, renamed, or rewritten (its size or mtime changes)."""
    entries = []
    for path in files:
        info = path.stat()
        entries.append((str(path), info.st_size, info.st_mtime_ns))
    return digest(sorted(entries))


def searcher_key(folder: Path) -> str:
    """What decides the content of searcher's index of ``folder``, other than the files themselves."""
    return digest(
        searcher.__version__,
        getattr(searcher_index, "FORMAT_VERSION", None),
        getattr(searcher_analysis, "ANALYSIS_SIGNATURE", None),
        os.path.abspath(folder),
    )


def baseline_key(data_fingerprint: str) -> str:
    """What decides the content of the baseline's index: its code, its libraries and its data."""
    return digest(
        Path(naive.__file__).read_text(encoding="utf-8"),
        naive.whoosh.versionstring(),
        naive.jieba.__version__,
        data_fingerprint,
    )


def entry(work: Path, dataset: str, engine: str, key: str) -> Path:
    """The cache folder for ``dataset`` and ``engine``; other entries of that pair are stale and removed."""
    root = work / "indexes"
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{dataset}-{engine}-{key}"
    for stale in root.glob(f"{dataset}-{engine}-*"):
        if stale != path:
            progress(f"removing stale cached index {stale.name}")
            shutil.rmtree(stale, ignore_errors=True)
    return path


def open_searcher(work: Path, dataset: str, folder: Path, *, rebuild: bool) -> Index:
    """searcher's index of ``folder``, brought up to date with ``update``; opened, for the caller to close.

    A cached index this searcher cannot open is deleted and built again, as ``--rebuild`` would: searcher is
    developed while these evaluations run, and an index of an earlier version may be refused (another format
    or analysis: :class:`~searcher.SearcherIndexError`) or fail to load at all (a pickled schema whose
    classes changed). A new index that cannot be opened is an error.
    """
    path = entry(work, dataset, "searcher", searcher_key(folder))
    if rebuild:
        shutil.rmtree(path, ignore_errors=True)
    try:
        index = Index.open_or_create(path)
    except Exception as error:  # SearcherIndexError, or anything else an unreadable cache entry raises
        if not path.exists():
            raise
        reason = str(error).splitlines()[0] if str(error) else ""
        progress(f"searcher: cannot use the cached index ({type(error).__name__}: {reason}); building it again")
        shutil.rmtree(path, ignore_errors=True)
        index = Index.open_or_create(path)
    progress(f"searcher: updating the index of {folder} at {path}")
    try:
        report, seconds = timed(index.update, [folder], progress=_progress_every(10, "searcher"))
    except BaseException:
        index.close()
        raise
    progress(f"searcher: {report.summary()} ({seconds:.1f} s)")
    return index


def open_baseline(
    work: Path, dataset: str, data_fingerprint: str, build: Callable[[Path], None], *, rebuild: bool
) -> naive.whoosh.index.Index:
    """The baseline's index, built by ``build(path)`` into an empty folder unless a complete one is cached."""
    path = entry(work, dataset, "baseline", baseline_key(data_fingerprint))
    marker = path / COMPLETE_MARKER
    if rebuild or not marker.is_file():
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        progress(f"baseline: building the index at {path}")
        _, seconds = timed(build, path)
        marker.write_text(json.dumps({"seconds": round(seconds, 1)}), encoding="utf-8")
        progress(f"baseline: built in {seconds:.1f} s")
    else:
        progress(f"baseline: using the cached index at {path}")
    return naive.whoosh.index.open_dir(path)


def _progress_every(percent: int, name: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback that reports each further ``percent`` of the work on stderr."""
    reported = -1

    def report(done: int, total: int) -> None:
        nonlocal reported
        if total == 0:
            return
        step = done * 100 // total // percent
        if step > reported:
            reported = step
            progress(f"{name}: indexed {done:,}/{total:,} files")

    return report
