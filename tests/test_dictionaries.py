"""User dictionaries and synonyms, kept with the index, so that queries segment and expand as it was built."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from searcher import Index
from searcher.index import IndexFormatError

from .helpers import write_article


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    write_article(articles, "a.md", "讲话", "<p>副市长隋振江表示，城市更新要稳步推进。</p>")
    write_article(articles, "b.md", "高校", "<p>浙江大学发布新的招生计划。</p>")
    return articles


def words_file(tmp_path: Path, name: str, *words: str) -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{word} 1000 n\n" for word in words), encoding="utf-8")
    return path


def test_a_user_dictionary_changes_segmentation_and_stays_with_the_index(tmp_path, folder):
    dictionary = words_file(tmp_path, "words.txt", "隋振江")
    with Index.open_or_create(tmp_path / "ix", user_dictionary=dictionary) as index:
        index.update([folder])
    dictionary.unlink()  # the index keeps its own copy
    with Index.open(tmp_path / "ix") as index:
        assert index.engine.segmenter.cut("隋振江表示") == ["隋振江", "表示"]
        hit = index.search("隋振江").hits[0]
        assert hit.title == "讲话" and "隋振江" in [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]
        assert index.warnings == []


def test_two_indexes_with_different_dictionaries_in_one_process(tmp_path, folder):
    first = Index.open_or_create(tmp_path / "one", user_dictionary=words_file(tmp_path, "1.txt", "隋振江"))
    second = Index.open_or_create(tmp_path / "two", user_dictionary=words_file(tmp_path, "2.txt", "振江表示"))
    plain = Index.open_or_create(tmp_path / "three")
    for index in (first, second, plain):
        index.update([folder])
    assert first.engine.segmenter.cut("隋振江表示") == ["隋振江", "表示"]
    assert second.engine.segmenter.cut("隋振江表示") == ["隋", "振江表示"]
    assert plain.engine.segmenter.cut("隋振江表示") == ["隋", "振", "江", "表示"]
    for index in (first, second, plain):
        assert index.search("隋振江表示").total == 1
        index.close()


def test_a_changed_dictionary_warns_and_another_one_needs_a_rebuild(tmp_path, folder):
    dictionary = words_file(tmp_path, "words.txt", "隋振江")
    with Index.open_or_create(tmp_path / "ix", user_dictionary=dictionary) as index:
        index.update([folder])
    dictionary.write_text("隋振江 1000 n\n招生计划 1000 n\n", encoding="utf-8")
    with Index.open(tmp_path / "ix") as index:
        assert len(index.warnings) == 1 and "--rebuild --userdict" in index.warnings[0]
    with pytest.raises(IndexFormatError, match="another user dictionary"):
        Index.open_or_create(tmp_path / "ix", user_dictionary=dictionary)
    rebuilt, report = Index.rebuild(tmp_path / "ix", [folder], user_dictionary=dictionary)
    with rebuilt:
        assert report.added == 2 and rebuilt.warnings == []
        assert rebuilt.engine.segmenter.cut("招生计划") == ["招生计划"]


def test_synonyms_expand_queries_from_the_cli(tmp_path, folder):
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("# 高校简称\n浙大 浙江大学\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "searcher", "index", str(folder), "--index", "ix", "--synonyms", str(synonyms)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    with Index.open(tmp_path / "ix") as index:
        hit = index.search("浙大").hits[0]
        assert Path(hit.path).name == "b.md"
        assert "浙江大学" in [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]
        assert index.search("浙江大学").total == 1
