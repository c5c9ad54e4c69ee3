"""Interrupted indexing (kill -9, Ctrl-C) leaves the last committed index usable, and a re-run completes it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searcher import Index

from .helpers import SEEDS


def start_indexing(folder: Path, index: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "searcher", "index", str(folder), "--index", str(index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_writing(index: Path, process: subprocess.Popen) -> None:
    """Whoosh keeps a MAIN.tmp folder while a writer has uncommitted documents."""
    deadline = time.monotonic() + 60
    while not (index / "MAIN.tmp").exists():
        assert process.poll() is None, "indexing ended before it could be interrupted"
        assert time.monotonic() < deadline, "indexing never started writing"
        time.sleep(0.01)


def assert_usable_with(index_path: Path, documents: int) -> None:
    with Index.open(index_path) as index:
        assert index.stats().documents == documents
        assert index.search("城市更新").total >= 1


@pytest.fixture(scope="module")
def articles(corpus_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus sample four times over (~500 articles): enough for one batch that runs a few seconds, so
    that a kill a second in still finds it writing."""
    folder = tmp_path_factory.mktemp("articles")
    for copy in range(4):
        shutil.copytree(corpus_sample, folder / str(copy))
    return folder


@pytest.mark.parametrize("delay", [0.05, 1.0])
def test_kill_9_during_indexing_keeps_the_committed_index(tmp_path, articles, delay):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        assert index.update([SEEDS]).added == 1

    process = start_indexing(articles, index_path)
    wait_until_writing(index_path, process)
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert_usable_with(index_path, documents=1)
    rerun = start_indexing(articles, index_path)
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    size = len(list(articles.glob("*/*")))
    assert f"{size} added, 0 updated, 0 removed, 0 unchanged, 0 failed" in stdout
    assert_usable_with(index_path, documents=size + 1)
    assert not (index_path / "MAIN.tmp").exists()


def test_ctrl_c_stops_cleanly_and_keeps_the_committed_index(tmp_path, articles):
    index_path = tmp_path / "ix"
    with Index.open_or_create(index_path) as index:
        index.update([SEEDS])
    process = start_indexing(articles, index_path)
    wait_until_writing(index_path, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert_usable_with(index_path, documents=1)
