"""Analysis: tokens with correct positions and offsets, the words people type kept, query and index agreeing."""

from __future__ import annotations

import zlib
from pathlib import Path

import jieba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.analysis import (
    Segmenter,
    default_segmenter,
    folded_index_analyzer,
    independent_pieces,
    index_analyzer,
    ngram_codes,
    ngram_texts,
    query_analyzer,
)
from searcher.documents import read_document
from searcher.duplicates import folded_sketch, shingles
from searcher.folding import fold

from .helpers import ODD_RUNS, SEED_ARTICLE, han_runs

# Common characters, most pairs of which are words, and a few others: Latin, digits, punctuation, spaces.
COMMON = "城市更新北京中华人民共和国发展经济的是在了有和这大为上个我以要时来用们生到作地于出就分对成会可主行年动"
MIXED_TEXT = st.text(alphabet=st.sampled_from(COMMON + "臺灣ＡＢ abc-v9.6%，。\n\u3000"), max_size=60)


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


def test_indexing_segments_every_corpus_run_as_jieba_does(corpus_sample):
    # Indexing cuts with rjieba (jieba compiled, with jieba's dictionary); a query with jieba or its table.
    # Both must give the same words, or a query would miss what the index holds.
    indexing = Segmenter().load()
    assert indexing._compiled is not None
    real = jieba.Tokenizer()
    runs = han_runs(corpus_sample)
    assert len(runs) > 3000
    assert [run for run in runs if indexing.cut(run) != real.lcut(run, HMM=False)] == []
    for run in ODD_RUNS:
        assert indexing.cut(run) == real.lcut(run, HMM=False), run
    # The sub-words of search mode are looked up in rjieba's dictionary too: every entry of jieba's (words,
    # and prefixes that are no words) must be the same word or no word there.
    assert [entry for entry, frequency in real.FREQ.items() if indexing.is_word(entry) != bool(frequency)] == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(COMMON), min_size=1, max_size=40))
def test_indexing_segments_runs_of_common_words_as_jieba_does(run):
    assert default_segmenter().load().cut(run) == JIEBA.lcut(run, HMM=False)


JIEBA = jieba.Tokenizer()  # (loads on its first cut)


def test_a_user_dictionary_is_segmented_by_jieba_itself(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("振江表示 1000 n\n", encoding="utf-8")
    custom = Segmenter(words).load()
    assert custom._compiled is None
    assert custom.cut("隋振江表示") == ["隋", "振江表示"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_ngram_codes_are_every_character_and_pair_of_neighbours(text):
    chars = [char for char in text if not char.isspace()]
    for size, expected in [(1, chars), (2, [first + second for first, second in zip(chars, chars[1:])])]:
        codes, positions = ngram_codes(text, size)
        assert ngram_texts(codes) == expected and positions.tolist() == list(range(len(expected)))
        # Codes sort as the n-grams' UTF-8 bytes do: the order of a segment's terms.
        assert sorted(ngram_texts(codes), key=str.encode) == ngram_texts(np.sort(codes))


@settings(max_examples=300, deadline=None)
@given(MIXED_TEXT, st.integers(1, 8))
def test_a_text_analysed_in_pieces_gives_the_tokens_of_the_whole(text, size):
    analyzer = folded_index_analyzer()
    whole = analyzer(text)
    texts, positions, carried = [], [], 0
    for piece in independent_pieces(text, size):
        tokens = analyzer(piece)
        texts += tokens.texts
        positions += [position + carried for position in tokens.positions]
        carried += tokens.next_position
    assert "".join(independent_pieces(text, size)) == text
    assert sorted(zip(texts, positions)) == sorted(zip(whole.texts, whole.positions))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_a_sketch_is_the_smallest_crc32_of_the_shingles(text):
    expected = sorted({zlib.crc32(piece.encode("utf-8")) for piece in shingles(text)})[:32]
    assert list(folded_sketch(fold(text))) == expected
