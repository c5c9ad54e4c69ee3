"""Analysis: tokens with correct positions and offsets, the words people type kept, query and index agreeing."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.analysis import Segmenter, index_analyzer, query_analyzer
from searcher.documents import read_document
from searcher.folding import fold

from .helpers import SEED_ARTICLE


def texts(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text)]


def test_offsets_point_at_the_token_in_the_original_text(corpus_sample: Path):
    analyzer = index_analyzer()
    for path in sorted(corpus_sample.iterdir())[:30]:
        body = read_document(path).body
        for token in analyzer(body):
            assert fold(body[token.start : token.end]) == token.text, (path.name, token)


def test_positions_count_words_and_subwords_share_their_parent_position():
    tokens = list(index_analyzer()("中华人民共和国成立了"))
    positions = {token.text: token.position for token in tokens}
    assert positions["中华人民共和国"] == positions["人民"] == positions["共和国"] == 0
    assert positions["成立"] == 1 and positions["了"] == 2


def test_query_words_follow_each_other_by_position():
    tokens = list(query_analyzer()("北京城市更新联盟成立"))
    assert [t.text for t in tokens] == ["北京", "城市更新", "联盟", "成立"]
    assert [t.position for t in tokens] == [0, 1, 2, 3]


@pytest.mark.parametrize("typed", ["5.3", "3.5%", "601939", "iphone14", "v9.6.0", "2.3", "github.com"])
def test_numbers_versions_and_codes_survive_whole(typed):
    text = "总投资达到5.3万亿元，增长3.5%，股票601939，发布iPhone14与v9.6.0，共2.3万个，见github.com。"
    assert typed in texts(index_analyzer(), text)
    assert typed in texts(query_analyzer(), text)


def test_parts_of_compound_words_are_indexed():
    indexed = texts(index_analyzer(), "iPhone14 v9.6.0 3.5%")
    assert {"iphone", "14", "9.6.0", "3.5"} <= set(indexed)


def test_punctuation_is_not_a_token_and_latin_is_lowercased():
    tokens = texts(index_analyzer(), "《Python》入门：GO语言，“你好”！—— ... (C++)")
    assert "python" in tokens and "go" in tokens and "c++" in tokens
    assert not any(all(not ch.isalnum() for ch in token) for token in tokens)


def test_every_query_token_is_in_the_index_tokens_of_the_same_text():
    body = read_document(SEED_ARTICLE).body
    for sentence in body.split("。")[:20]:
        assert set(texts(query_analyzer(), sentence)) <= set(texts(index_analyzer(), sentence)), sentence


def test_segmenters_with_different_dictionaries_do_not_interfere(tmp_path):
    dictionary = tmp_path / "words.txt"
    dictionary.write_text("振江表示 1000 n\n", encoding="utf-8")
    custom = Segmenter(dictionary)
    default = Segmenter()
    assert "振江表示" not in default.cut("隋振江表示")
    assert "振江表示" in custom.cut("隋振江表示")
    assert "振江表示" not in default.cut("隋振江表示")


def test_jieba_dictionary_cache_is_written_to_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SEARCHER_CACHE_DIR", str(tmp_path / "cache"))
    Segmenter().cut("城市更新")
    assert list((tmp_path / "cache").glob("jieba*.cache"))
