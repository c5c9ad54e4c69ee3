"""A query starts fast: it segments over the copy of jieba's dictionary on disk, which must give jieba's
own words, and a fresh process answers without importing jieba or the article parsers at all."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

from searcher.analysis import Segmenter

from .helpers import ODD_RUNS, han_runs

@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SEARCHER_CACHE_DIR", str(folder))
    return folder


def load_jieba_through(segmenter: Segmenter) -> None:
    """Make the segmenter load jieba (a text longer than a query does), which writes the table."""
    segmenter.cut("城市" * 200)


def test_the_table_segments_every_corpus_run_as_jieba_does(corpus_sample, cache):
    load_jieba_through(Segmenter())
    assert list(cache.glob("*.sqlite")), "loading jieba writes the table"
    quick = Segmenter()
    real = jieba.Tokenizer()
    runs = han_runs(corpus_sample)
    assert len(runs) > 3000
    differing = [run for run in runs if quick.cut(run) != real.lcut(run, HMM=False)]
    assert differing == []
    assert quick._jieba is None, "the table did the segmenting, not jieba"


def test_the_table_keeps_a_user_dictionary(tmp_path, cache):
    words = tmp_path / "words.txt"
    # With a frequency, without one (jieba then suggests one from the dictionary), and with a tag only.
    words.write_text("隋振江 1000 n\n城市更新联盟\n首钢园区 nz\n", encoding="utf-8")
    load_jieba_through(Segmenter(words))
    quick = Segmenter(words)
    real = jieba.Tokenizer()
    real.load_userdict(io.BytesIO(words.read_bytes()))  # a path would leave the file open
    for run in ["副市长隋振江表示", "北京城市更新联盟成立", "首钢园区举行", *ODD_RUNS]:
        assert quick.cut(run) == real.lcut(run, HMM=False), run
    assert quick._jieba is None


def test_a_fresh_query_process_needs_neither_jieba_nor_the_article_parsers(sample_index, tmp_path):
    script = (
        "import sys, json; from searcher import Index\n"
        f"index = Index.open({str(sample_index.path)!r})\n"
        "hits = index.search('北京城市更新').hits\n"
        "print(json.dumps([len(hits), sorted(m for m in ('jieba', 'lxml', 'frontmatter', 'yaml', 'pypinyin')"
        " if m in sys.modules)]))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    found, imported = json.loads(run.stdout)
    assert found > 0 and imported == []
