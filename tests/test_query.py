"""The query language: what people type parses into the intended query, and mistakes get one clear line."""

from __future__ import annotations

import re

import pytest

from searcher.query import (
    QUESTION_WORDS,
    And,
    Exact,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Words,
    highlight_terms,
    parse_query,
    ranking_tiers,
)


def word(text: str, *tokens: str, field: str | None = None) -> Words:
    """The node for one typed run: its words (``text`` itself when none are given) and the run."""
    return Words(tokens or (text,), field, text)


def test_a_chinese_run_is_segmented_into_required_words():
    assert parse_query("北京城市更新") == word("北京城市更新", "北京", "城市更新")


def test_space_separated_words_are_all_required():
    assert parse_query("北京  城市更新") == And((word("北京"), word("城市更新")))


def test_quotes_make_a_phrase_in_ascii_and_chinese_quotes():
    expected = Phrase(("城市", "的", "更新"), None, "城市的更新")
    assert parse_query('"城市的更新"') == expected
    assert parse_query("“城市的更新”") == expected
    assert parse_query('"城市 更新"') == Phrase(("城市", "更新"), None, "城市更新")


def test_runs_are_folded():
    assert parse_query("臺灣ＰＹＴＨＯＮ") == word("台湾python", "台湾", "python")


def test_or_not_and_parentheses():
    assert parse_query("北京 OR 上海") == Or((word("北京"), word("上海")))
    assert parse_query("城市 -住房") == And((word("城市"), Not(word("住房"))))
    assert parse_query("城市 NOT 住房") == parse_query("城市 -住房")
    assert parse_query("(北京 OR 上海) 更新") == And((Or((word("北京"), word("上海"))), word("更新")))


def test_fields():
    assert parse_query("title:城市") == word("城市", field="title")
    assert parse_query("author:证券时报网") == Exact("author", "证券时报网")
    assert parse_query("category:要闻") == Exact("categories", "要闻")
    assert parse_query('title:"城市的更新"') == Phrase(("城市", "的", "更新"), "title", "城市的更新")


def test_operator_words_inside_text_are_plain_words():
    assert parse_query("ANDROID") == word("android")
    assert parse_query("or") == word("or")
    assert parse_query("A-B") == word("a-b")
    assert parse_query("https://github.com") == word("https://github.com", "https", "github.com")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ("，。！", "nothing to search for"),
        ('"城市更新', "unclosed quote"),
        ("(城市 更新", "')' is missing"),
        ("城市 更新)", "unbalanced ')'"),
        ("OR 城市", "'OR' needs"),
        ("城市 OR", "'OR' needs"),
        ("城市 AND", "'AND' needs"),
        ("-城市", "not excluded"),
        ("城市 OR -更新", "not excluded"),
        ("foo:城市", "unknown field 'foo'"),
        ("title:", "needs a value"),
        ("城" * 3000, "too long"),
        ("(" * 40 + "城市" + ")" * 40, "nested"),
    ],
)
def test_malformed_queries_raise_one_clear_line(query, message):
    with pytest.raises(QuerySyntaxError, match=re.escape(message)) as caught:
        parse_query(query)
    assert "\n" not in str(caught.value)


def test_keywords_rank_all_words_first_then_some_keeping_filters_and_exclusions_required():
    tree = parse_query("北京 城市更新 -住房 author:证券时报网")
    strict, relaxed = ranking_tiers(tree)
    assert strict == tree
    assert relaxed == And(
        (
            Not(word("住房")),
            Exact("author", "证券时报网"),
            Or((Words(("北京",)), Words(("城市更新",)))),
        )
    )
    assert ranking_tiers(parse_query("城市更新")) == (parse_query("城市更新"),)


def test_a_question_is_one_tier_of_any_of_its_words_with_the_typed_run_as_a_bonus():
    tree = parse_query("人寿保险可以退保吗")
    assert len(tree.tokens) >= QUESTION_WORDS
    (tier,) = ranking_tiers(tree)
    assert tier == Or((*(Words((token,)) for token in tree.tokens), Phrase(tree.tokens, None, tree.text)))


def test_highlight_terms_include_the_whole_typed_run_and_skip_exclusions():
    assert highlight_terms(parse_query("北京城市更新 -住房")) == ["北京城市更新", "城市更新", "北京"]
    assert "证券时报网" not in highlight_terms(parse_query("城市 author:证券时报网"))
