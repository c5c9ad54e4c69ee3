"""Chinese matching a user can trust: grep-exact recall, folding, and the tokens people type."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher import Index

from .helpers import write_article

ARTICLES = {
    "whale.md": ("海洋观察", "<p>一头座头鲸在近海出现，展区不仅吸引大量来访者，也吸引了科研人员。</p>"),
    "renewal.md": ("行动", "<p>本市推进城市更新行动，总投资达到5.3万亿元，增长3.5%。</p>"),
    "apart.md": ("换代", "<p>我们关注城市的更新换代。</p>"),
    "taiwan.md": ("臺灣軟體", "<p>臺灣的軟體產業在2022年7月12日發表報告。</p>"),
    "width.md": ("全角", "<p>型号ＡＢＣ１２３与PYTHON教材。</p>"),
    "tokens.md": ("型号", "<p>iPhone14、RTX4090、v9.6.0、股票601939，邮件 press@example.com，网址 github.com/xitu。</p>"),
    "tutorial.md": ("Python入门教程", "<p>从零开始学习编程语言。</p>"),
    "function.md": ("说明", "<p>这是在北京的会议，他说了很多的话。</p>"),
    "scenic.md": ("旅游", "<p>这个景点很有名。</p>"),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Index:
    folder = tmp_path_factory.mktemp("matching")
    for name, (title, body) in ARTICLES.items():
        write_article(folder, name, title, body)
    index = Index.open_or_create(tmp_path_factory.mktemp("ix") / "matching")
    assert index.update([folder]).failures == []
    yield index
    index.close()


def found(index: Index, query: str) -> set[str]:
    return {Path(hit.path).name for hit in index.search(query, limit=50).hits}


@pytest.mark.parametrize(
    ("query", "article"),
    [
        ("鲸", "whale.md"),  # one character inside a dictionary word (座头鲸)
        ("展区不仅吸引大量来", "whale.md"),  # a fragment across word boundaries
        ("头鲸在近", "whale.md"),
        ("市更新行", "renewal.md"),
        ("5.3万亿", "renewal.md"),
        ("万亿元", "renewal.md"),
        ("3.5%", "renewal.md"),
    ],
)
def test_any_substring_finds_its_article(index, query, article):
    assert article in found(index, query)


def test_a_quoted_phrase_is_exact_and_a_bare_run_ranks_exact_matches_first(index):
    assert found(index, '"城市更新"') == {"renewal.md"}
    assert found(index, '"城市的更新"') == {"apart.md"}
    assert [Path(hit.path).name for hit in index.search("城市更新").hits][0] == "renewal.md"


@pytest.mark.parametrize("query", ["臺灣", "台灣", "台湾", "软体", "軟體", "台湾软体"])
def test_traditional_and_simplified_find_one_another(index, query):
    assert "taiwan.md" in found(index, query)


@pytest.mark.parametrize("query", ["abc123", "ＡＢＣ１２３", "ABC123", "python", "ＰＹＴＨＯＮ"])
def test_width_and_case_are_folded(index, query):
    assert "width.md" in found(index, query)


@pytest.mark.parametrize(
    ("query", "article"),
    [
        ("iphone", "tokens.md"), ("iPhone14", "tokens.md"), ("rtx4090", "tokens.md"), ("RTX", "tokens.md"),
        ("4090", "tokens.md"), ("v9.6.0", "tokens.md"), ("9.6", "tokens.md"), ("601939", "tokens.md"),
        ("press@example.com", "tokens.md"), ("example.com", "tokens.md"), ("github.com/xitu", "tokens.md"),
        ("2022年", "taiwan.md"), ("7月12日", "taiwan.md"), ("python教程", "tutorial.md"),
    ],
)
def test_tokens_people_type(index, query, article):
    assert article in found(index, query)


def test_a_phrase_with_function_words_still_matches(index):
    assert found(index, '"在北京的会议"') == {"function.md"}
    assert found(index, '"说了很多的话"') == {"function.md"}


def test_highlights_point_at_the_original_characters(index):
    hit = index.search("台湾软体").hits[0]
    assert [hit.title[s:e] for s, e in hit.title_highlights] == ["臺灣軟體"]
    assert "臺灣" in [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]
    hit = index.search("abc123").hits[0]
    assert [hit.snippet.text[s:e] for s, e in hit.snippet.highlights] == ["ＡＢＣ１２３"]



@pytest.mark.parametrize("query", ["chengshi gengxin", "chengshigengxin", "csgx", "ChengShiGengXin"])
def test_pinyin_and_initials_find_chinese_and_highlight_it(seed_index, query):
    results = seed_index.search(query)
    assert results.total == 1 and results.as_pinyin
    hit = results.hits[0]
    words = {hit.snippet.text[s:e] for s, e in hit.snippet.highlights}
    assert words and words <= {"城市更新", "城市", "更新"}


def test_pinyin_uses_the_phrase_dictionary(seed_index):
    hit = seed_index.search("yinhang").hits[0]
    assert "银行" in {hit.snippet.text[s:e] for s, e in hit.snippet.highlights}


def test_pinyin_never_replaces_what_was_typed(index):
    # A Latin word that occurs as typed is matched as typed, not as pinyin.
    assert found(index, "python") == {"width.md", "tutorial.md"}
    assert not index.search("python").as_pinyin
    # Chinese is never turned into pinyin: 经典 (jingdian) does not find 景点 (jingdian).
    assert found(index, "经典") == set()
    assert found(index, "jingdian") == {"scenic.md"}


def test_pinyin_follows_the_index_as_articles_come_and_go(tmp_path):
    # The spellings of the bodies' words are kept beside the index and only ever grow: a word no article
    # has any more is not found.
    folder = tmp_path / "articles"
    write_article(folder, "scenic.md", "游记", "<p>这个景点很美。</p>")
    write_article(folder, "city.md", "规划", "<p>城市更新正在推进。</p>")
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder])
        assert found(index, "jingdian") == {"scenic.md"}
        (folder / "scenic.md").unlink()
        write_article(folder, "bank.md", "金融", "<p>银行利率下调。</p>")
        index.update([folder])
        assert found(index, "jingdian") == set()
        assert found(index, "yinhang") == {"bank.md"}
        assert found(index, "csgx") == {"city.md"}


def test_pinyin_works_on_an_index_given_by_a_relative_path(tmp_path, monkeypatch):
    # As the README's quick start runs it: the default index is the relative path indexes/default.
    write_article(tmp_path / "articles", "city.md", "规划", "<p>城市更新正在推进。</p>")
    monkeypatch.chdir(tmp_path)
    with Index.open_or_create(Path("relative-ix")) as index:
        index.update([Path("articles")])
        assert found(index, "chengshi") == {"city.md"}


def test_function_words_do_not_dominate_ranking(tmp_path):
    folder = tmp_path / "articles"
    write_article(folder, "topic.md", "甲", "<p>城市更新是重点。城市更新在推进。城市更新的成效。</p>")
    write_article(folder, "chatter.md", "乙", "<p>" + "我的你的他的" * 15 + "城市更新</p>")
    write_article(folder, "other.md", "丙", "<p>" + "这是别的文章的内容" * 3 + "</p>")
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder])
        assert [Path(hit.path).name for hit in index.search("城市更新 的").hits][:2] == ["topic.md", "chatter.md"]
