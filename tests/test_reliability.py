"""Crashes, a full disk, concurrent use and old indexes: the committed index is never lost or corrupted."""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searcher import Index, IndexNotFoundError
from searcher.index import MARKER_FILE, IndexFormatError

from .helpers import SEEDS


def indexing(folder: Path, index: Path, *extra: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "searcher", "index", str(folder), "--index", str(index), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )


def documents_in(index_path: Path) -> int:
    with Index.open(index_path) as index:
        count = index.stats().documents
        assert index.search("城市更新").total >= 1  # still answers queries
        return count


def test_repeated_kills_lose_at_most_the_current_batch_and_reruns_resume(tmp_path, corpus_sample):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
    sample_size = len(list(corpus_sample.iterdir()))
    batch = 10
    counts = [1]
    moments = random.Random(7)
    for _ in range(5):
        process = indexing(corpus_sample, index_path, "--batch-size", str(batch))
        time.sleep(moments.uniform(0.5, 4.0))  # jieba loading, parsing, writing or committing
        process.kill()
        process.communicate(timeout=30)
        counts.append(documents_in(index_path))
        assert counts[-1] >= counts[-2]  # committed batches survive every later kill
        assert (counts[-1] - 1) % batch == 0 or counts[-1] == sample_size + 1  # only whole batches
    final = indexing(corpus_sample, index_path, "--batch-size", str(batch))
    stdout, stderr = final.communicate(timeout=300)
    assert final.returncode == 0, stderr
    assert f"{sample_size + 1 - counts[-1]} added" in stdout
    assert documents_in(index_path) == sample_size + 1
    print("documents after each kill:", counts)


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


def test_a_full_disk_is_a_clear_error_and_the_old_index_stays(tmp_path, corpus_sample):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
        index.search("城市更新")  # jieba's dictionary cache exists before the limit applies
    # A 256 KB limit on file size: Whoosh's writes fail as they would on a full disk (EFBIG, not ENOSPC).
    process = indexing(corpus_sample, index_path, preexec_fn=_limit_file_size)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1
    assert stderr.strip().splitlines() == [
        f"searcher: cannot write the index at {index_path}: File too large; it keeps its last commit"
    ]
    assert documents_in(index_path) == 1


def test_a_worker_killed_mid_batch_is_a_clear_error_and_the_old_index_stays(tmp_path, corpus_sample):
    # What the kernel's out-of-memory killer does to an indexing worker process.
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
    process = indexing(corpus_sample, index_path)
    deadline = time.monotonic() + 60
    while not (workers := Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()):
        assert process.poll() is None, "indexing ended before a worker started"
        assert time.monotonic() < deadline, "no worker process started"
        time.sleep(0.01)
    os.kill(int(workers[0]), signal.SIGKILL)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert stderr.strip().splitlines() == [
        f"searcher: a process indexing into {index_path} died (out of memory?); the index keeps its last commit"
    ]
    assert documents_in(index_path) == 1
    with Index.open(index_path) as index:  # and the next run indexes them all
        assert index.update([corpus_sample]).added == len(list(corpus_sample.iterdir()))


def test_a_read_only_index_folder_is_a_clear_error_and_still_answers_queries(tmp_path):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
    extra = tmp_path / "more"
    shutil.copytree(SEEDS, extra)
    with read_only(index_path) as reason:
        process = indexing(extra, index_path)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 1
        assert stderr.strip().splitlines() == [
            f"searcher: cannot write the index at {index_path}: {reason}; it keeps its last commit"
        ]
        assert documents_in(index_path) == 1


@contextlib.contextmanager
def read_only(folder: Path):
    """Make a folder read-only for this user; yield the error a write into it gives. Root ignores
    permissions, so as root (as CI runs) the folder is made immutable, which binds root too."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield "Operation not permitted"
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield "Permission denied"
        finally:
            folder.chmod(mode)


def test_queries_see_the_last_commit_while_an_update_runs(tmp_path, corpus_sample):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
    process = indexing(corpus_sample, index_path, "--batch-size", "10")
    seen = []
    with Index.open(index_path) as index:
        while process.poll() is None:
            results = index.search("城市更新 OR 发展", limit=5)
            seen.append(index.stats().documents)
            assert results.total >= 1 and len(results.hits) >= 1
            time.sleep(0.05)
    process.communicate()
    assert process.returncode == 0
    assert seen == sorted(seen) and seen[0] >= 1 and len(set(seen)) > 2  # grew commit by commit


def test_an_index_from_an_incompatible_version_asks_for_a_rebuild(tmp_path):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
    marker = index_path / MARKER_FILE
    info = json.loads(marker.read_text())
    marker.write_text(json.dumps({**info, "analysis": "jieba 0.39, HMM on"}))
    with pytest.raises(IndexFormatError, match=r"--rebuild"):
        Index.open(index_path)
    run = subprocess.run(
        [sys.executable, "-m", "searcher", "query", "城市更新", "--index", str(index_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 1 and "searcher index FOLDER --rebuild" in run.stderr

    rebuilt = subprocess.run(
        [sys.executable, "-m", "searcher", "index", str(SEEDS), "--index", str(index_path), "--rebuild"],
        capture_output=True, text=True, timeout=120,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert documents_in(index_path) == 1
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["ix"]


def test_a_failed_rebuild_keeps_the_old_index(tmp_path):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
    with pytest.raises(FileNotFoundError):
        Index.rebuild(index_path, [tmp_path / "missing"])
    assert documents_in(index_path) == 1


def test_a_swap_interrupted_between_its_renames_is_undone_on_open(tmp_path):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
    os.rename(index_path, tmp_path / "ix.old")  # as if killed right after moving the old index aside
    assert documents_in(index_path) == 1


def test_a_stale_lock_from_a_killed_writer_does_not_block(tmp_path, corpus_sample):
    index_path = tmp_path / "ix"
    process = indexing(corpus_sample, index_path)
    deadline = time.monotonic() + 60
    while not (index_path / "MAIN.tmp").exists():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert (index_path / "MAIN_WRITELOCK").exists()  # the lock file stays; the OS lock on it died
    with Index.open(index_path) as index:
        assert index.update([SEEDS]).added == 1


def test_a_folder_that_is_not_an_index_is_never_written_into(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.txt").write_text("我的论文", encoding="utf-8")
    with pytest.raises(IndexNotFoundError):
        Index.open_or_create(tmp_path / "docs")
    assert [entry.name for entry in (tmp_path / "docs").iterdir()] == ["thesis.txt"]


def test_an_index_of_an_older_format_is_refused_in_one_line_before_whoosh_reads_it(tmp_path):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path):
        pass
    # An index of an earlier searcher: an older marker, and a schema whose pickled classes this version
    # cannot load (Whoosh would fail inside pickle).
    (index_path / "searcher.json").write_text('{"format": 1, "created": "2026-01-01T00:00:00+00:00"}\n')
    for toc in index_path.glob("*.toc"):
        toc.write_bytes(b"not a pickle")
    for opener in (Index.open, Index.open_or_create):
        with pytest.raises(IndexFormatError, match="rebuild it with `searcher index FOLDER --rebuild"):
            opener(index_path)
