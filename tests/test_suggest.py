"""Completions on the real corpus sample: words that start with what was typed, most frequent first, read as
pinyin when it is letters, and titles that contain it."""

from __future__ import annotations

import json

import pytest
from pypinyin import Style, lazy_pinyin

from searcher.folding import fold

from .helpers import searcher


def documents_with(index, word: str) -> int:
    """How many documents hold ``word`` as a word of their title or of their body (searched field by field,
    so that the n-gram field's substrings do not count)."""
    return max(index.search(f"{field}:{word}", limit=0, collapse=False).total for field in ("title", "body"))


@pytest.mark.parametrize("prefix", ["发展", "中国", "城市"])
def test_completions_start_with_the_prefix_most_frequent_first(sample_index, prefix):
    words = sample_index.suggest(prefix, limit=8).words
    assert words, prefix
    assert all(completion.word.startswith(prefix) and completion.word != prefix for completion in words)
    counts = [completion.documents for completion in words]
    assert counts == sorted(counts, reverse=True)
    for completion in words[:3]:
        assert completion.documents == documents_with(sample_index, completion.word)


def test_the_most_frequent_completion_is_the_most_frequent_word_with_that_start(sample_index):
    top = sample_index.suggest("发展", limit=1).words[0]
    others = sample_index.suggest("发展", limit=50).words
    assert all(top.documents >= completion.documents for completion in others)


def test_a_pinyin_prefix_completes_to_chinese_words(sample_index):
    words = sample_index.suggest("fazh", limit=10).words
    assert "发展" in [completion.word for completion in words]
    for completion in words:
        spelled = "".join(lazy_pinyin(completion.word, style=Style.NORMAL))
        initials = "".join(syllable[0] for syllable in lazy_pinyin(completion.word, style=Style.NORMAL))
        assert completion.spelled in (spelled, initials) and completion.spelled.startswith("fazh")


def test_initials_complete_too(sample_index):
    assert "发展" in [completion.word for completion in sample_index.suggest("fz", limit=20).words]


def test_titles_contain_what_was_typed_even_mid_word(sample_index):
    titles = sample_index.suggest("城市更", titles=5).titles
    assert titles
    assert all("城市更" in fold(title.title) for title in titles)
    # The seed and its original in the corpus share the title: it is listed once.
    assert [title.title for title in titles].count("北京城市更新联盟成立 探索减量发展下的城市更新路径") == 1


def test_nothing_to_complete_is_empty_not_an_error(sample_index):
    assert sample_index.suggest("   ").words == []
    found = sample_index.suggest("qqqxz")
    assert found.words == [] and found.titles == []


def test_suggest_from_the_command_line(sample_index, tmp_path):
    text = searcher("suggest", "fazh", "--index", str(sample_index.path), "-n", "3", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "发展" in text.stdout and "(fazhan)" in text.stdout
    data = json.loads(searcher("suggest", "城市", "--index", str(sample_index.path), "--json", cwd=tmp_path).stdout)
    assert set(data) == {"prefix", "took_ms", "words", "titles"}
    assert set(data["words"][0]) == {"word", "documents", "spelled"}
