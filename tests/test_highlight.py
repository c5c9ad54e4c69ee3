"""Snippets: readable fragments around the matches, with highlight offsets that point at the query words."""

from __future__ import annotations

from searcher.documents import read_document
from searcher.highlight import ELLIPSIS, FRAGMENT_CHARS, find_matches, make_snippet

from .helpers import SEED_ARTICLE

SEED_BODY = read_document(SEED_ARTICLE).body


def highlighted(snippet) -> list[str]:
    return [snippet.text[start:end] for start, end in snippet.highlights]


def test_every_occurrence_in_the_snippet_is_highlighted_and_offsets_point_at_it():
    snippet = make_snippet(SEED_BODY, ["城市更新"])
    assert highlighted(snippet) and set(highlighted(snippet)) == {"城市更新"}
    assert len(highlighted(snippet)) == snippet.text.count("城市更新")


def test_the_longest_overlapping_match_wins():
    assert find_matches("北京城市更新联盟", ["城市", "城市更新", "更新联盟", "北京"]) == [(0, 2), (2, 6)]


def test_matching_is_folded_and_finds_substrings_like_grep():
    text = "Apple 发布 ｉＰｈｏｎｅ14，臺灣軟體"
    spans = find_matches(text, ["iphone", "app", "台湾", "软体"])
    assert [text[s:e] for s, e in spans] == ["App", "ｉＰｈｏｎｅ", "臺灣", "軟體"]


def test_fragments_are_cut_at_sentence_ends_and_marked_where_text_was_left_out():
    snippet = make_snippet(SEED_BODY, ["田国立"])
    assert snippet.text.startswith(ELLIPSIS)
    for fragment in filter(None, snippet.text.split(ELLIPSIS)):
        assert len(fragment) <= FRAGMENT_CHARS + 10
        assert fragment.rstrip()[-1] in "。！？；”", fragment
    assert "田国立" in highlighted(snippet)


def test_at_most_two_fragments_choosing_the_densest():
    snippet = make_snippet(SEED_BODY, ["建设银行", "田国立"])
    fragments = [f for f in snippet.text.split(ELLIPSIS) if f]
    assert 1 <= len(fragments) <= 2
    assert "田国立" in snippet.text and "建设银行" in snippet.text


def test_a_very_long_sentence_is_cut_around_the_match():
    text = "甲" * 400 + "，城市更新行动" + "乙" * 400 + "。"
    snippet = make_snippet(text, ["城市更新"])
    assert len(snippet.text) <= FRAGMENT_CHARS + 2 * len(ELLIPSIS)
    assert highlighted(snippet) == ["城市更新"]
    assert snippet.text.startswith(ELLIPSIS) and snippet.text.endswith(ELLIPSIS)


def test_without_a_match_the_snippet_is_the_beginning():
    snippet = make_snippet(SEED_BODY, ["不存在的词"])
    assert SEED_BODY.replace("\n", " ").startswith(snippet.text.rstrip(ELLIPSIS))
    assert snippet.highlights == []


def test_snippets_are_one_line():
    assert "\n" not in make_snippet(SEED_BODY, ["北京"]).text


def test_long_texts_snippet_their_first_dense_matches_and_a_match_near_the_end():
    late = "甲。" * 500_000 + "最后才出现城市更新。"
    snippet = make_snippet(late, ["城市更新"])
    assert highlighted(snippet) == ["城市更新"] and snippet.text.startswith(ELLIPSIS)
    crowded = "城市更新与乡村振兴同步推进。" * 100_000
    snippet = make_snippet(crowded, ["城市更新", "乡村振兴"])
    assert snippet.text.startswith("城市更新与乡村振兴")
    assert set(highlighted(snippet)) == {"城市更新", "乡村振兴"}
    assert len(highlighted(snippet)) == snippet.text.count("城市更新") + snippet.text.count("乡村振兴")
