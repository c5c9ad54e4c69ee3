"""Shared fixtures: the shipped seed, a sample of the real news corpus, and indexes built from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from searcher import Index

from .helpers import CORPUS, SEEDS

SAMPLE_SIZE = 120


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the shared news corpus is missing: expected it at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_sample(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of every 25th corpus article (both genuine mirror posts included), in a temporary folder."""
    files = sorted(corpus_dir.glob("*.md"))
    chosen = files[:: len(files) // SAMPLE_SIZE][:SAMPLE_SIZE]
    chosen += [path for path in files if not path.stem.isdigit() and path not in chosen]
    folder = tmp_path_factory.mktemp("corpus-sample")
    for path in chosen:
        shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """An index of the seed article alone, built once for the read-only tests."""
    index = Index.open_or_create(tmp_path_factory.mktemp("indexes") / "seed")
    index.update([SEEDS])
    yield index
    index.close()


@pytest.fixture(scope="session")
def sample_index(corpus_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Index:
    """An index of the corpus sample and the seed, built once for the read-only tests."""
    index = Index.open_or_create(tmp_path_factory.mktemp("indexes") / "sample")
    report = index.update([corpus_sample, SEEDS])
    assert report.failures == []
    yield index
    index.close()
