"""Narrowing and browsing on the real corpus sample: date/author/category filters, sorting, paging, facets,
showing one article and finding similar ones. Expected values come from the article files themselves."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest

from searcher import Index, QuerySyntaxError
from searcher.documents import read_document

from .helpers import SEED_ARTICLE

WORD = "发展"  # common in the news half of the sample


@pytest.fixture(scope="module")
def articles(corpus_sample: Path) -> dict[str, object]:
    """Every article of the sample index (the corpus sample and the seed) by its path, as the reader parses it."""
    return {str(path): read_document(path) for path in [*sorted(corpus_sample.iterdir()), SEED_ARTICLE]}


def every_hit(index: Index, query: str, **options):
    return index.search(query, limit=1000, collapse=False, **options).hits


def in_month(date: dt.datetime | None, year: int, month: int) -> bool:
    return date is not None and (date.year, date.month) == (year, month)


def busiest_month(articles) -> tuple[int, int]:
    months = Counter((doc.date.year, doc.date.month) for doc in articles.values() if doc.date)
    return months.most_common(1)[0][0]


def test_a_date_filter_keeps_exactly_the_articles_of_that_month(sample_index, articles):
    year, month = busiest_month(articles)
    expected = {path for path, doc in articles.items() if in_month(doc.date, year, month)}
    found = {hit.path for hit in every_hit(sample_index, f"date:{year}-{month:02d}")}
    assert found == expected and len(expected) > 1


def test_date_ranges_bounds_and_the_since_until_options_agree(sample_index, articles):
    dates = sorted(doc.date for doc in articles.values() if doc.date)
    first, last = dates[len(dates) // 4].date(), dates[3 * len(dates) // 4].date()
    expected = {path for path, doc in articles.items() if doc.date and first <= doc.date.date() <= last}
    by_range = {hit.path for hit in every_hit(sample_index, f"date:{first}..{last}")}
    by_options = {hit.path for hit in every_hit(sample_index, WORD, since=str(first), until=str(last))}
    after = {path for path, doc in articles.items() if doc.date and doc.date.date() > last}
    assert by_range == expected
    assert by_options == {hit.path for hit in every_hit(sample_index, f"{WORD} date:{first}..{last}")}
    assert {hit.path for hit in every_hit(sample_index, f"date:>{last}")} == after


def test_a_bad_date_is_one_clear_line(sample_index):
    with pytest.raises(QuerySyntaxError, match="bad date '2022-13': use 2022, 2022-07"):
        sample_index.search("城市 date:2022-13")


def test_filters_narrow_without_changing_scores(sample_index, articles):
    authors = Counter(doc.author for doc in articles.values() if doc.author)
    author = authors.most_common(1)[0][0]
    unfiltered = {hit.path: hit.score for hit in every_hit(sample_index, WORD)}
    by_query = every_hit(sample_index, f"{WORD} author:{author}")
    by_option = every_hit(sample_index, WORD, author=author)
    assert [hit.path for hit in by_query] == [hit.path for hit in by_option]
    assert {hit.author for hit in by_query} == {author}
    expected = {path for path in unfiltered if articles.get(path) and articles[path].author == author}
    assert {hit.path for hit in by_query} == expected
    assert all(hit.score == pytest.approx(unfiltered[hit.path]) for hit in by_query)


def test_a_category_filter_matches_any_of_an_articles_categories(sample_index, articles):
    categories = Counter(category for doc in articles.values() for category in doc.categories)
    category = next(name for name, _ in categories.most_common() if name != categories.most_common(1)[0][0])
    expected = {path for path, doc in articles.items() if category in doc.categories}
    assert {hit.path for hit in every_hit(sample_index, f"category:{category}")} == expected
    with_word = {hit.path for hit in every_hit(sample_index, WORD)}
    assert {hit.path for hit in every_hit(sample_index, WORD, category=category)} == expected & with_word


def test_sorting_by_date_both_ways_with_undated_articles_last(sample_index):
    newest = every_hit(sample_index, WORD, sort="-date")
    oldest = every_hit(sample_index, WORD, sort="date")
    dated_newest = [hit.date for hit in newest if hit.date]
    assert dated_newest == sorted(dated_newest, reverse=True)
    assert [hit.date for hit in oldest if hit.date] == sorted(dated_newest)
    assert {hit.path for hit in newest} == {hit.path for hit in oldest}
    assert {hit.path for hit in newest} == {hit.path for hit in every_hit(sample_index, WORD) if hit.matched_all}


def test_a_query_of_filters_alone_lists_newest_first(sample_index, articles):
    year, month = busiest_month(articles)
    results = sample_index.search(f"date:{year}-{month:02d}", limit=100)
    assert results.sort == "-date"
    assert [hit.date for hit in results.hits] == sorted((hit.date for hit in results.hits), reverse=True)


@pytest.mark.parametrize("sort", ["relevance", "-date"])
def test_pages_join_up_to_the_whole_list(sample_index, sort):
    whole = [hit.path for hit in every_hit(sample_index, WORD, sort=sort)]
    pages = [hit.path for offset in range(0, len(whole), 7)
             for hit in sample_index.search(WORD, limit=7, offset=offset, sort=sort, collapse=False).hits]
    assert pages == whole and len(whole) > 14
    assert sample_index.search(WORD, limit=7, offset=7, sort=sort).total == len(whole)


def test_facets_count_every_match_not_just_the_page(sample_index):
    results = sample_index.search(WORD, limit=3, facets=["author", "category"])
    hits = every_hit(sample_index, WORD)
    authors = Counter(hit.author for hit in hits if hit.author)
    categories = Counter(category for hit in hits for category in hit.categories)
    assert results.facets["author"] == sorted(authors.items(), key=lambda pair: (-pair[1], pair[0]))[:10]
    assert results.facets["category"] == sorted(categories.items(), key=lambda pair: (-pair[1], pair[0]))[:10]
    assert sum(count for _, count in results.facets["author"]) > len(results.hits)


def test_an_unknown_facet_or_sort_is_refused(sample_index):
    with pytest.raises(ValueError, match="unknown facet 'colour'"):
        sample_index.search(WORD, facets=["colour"])
    with pytest.raises(ValueError, match="unknown sort 'size'"):
        sample_index.search(WORD, sort="size")


def test_show_gives_the_stored_article_with_a_query_marked(sample_index, articles):
    path, document = next((path, doc) for path, doc in articles.items() if WORD in doc.body)
    article = sample_index.show(path, highlight=WORD)
    assert (article.title, article.body.text, article.author) == (document.title, document.body, document.author)
    assert article.body.highlights
    assert all(article.body.text[start:end] == WORD for start, end in article.body.highlights)
    assert sample_index.show(Path(path).with_name("no-such-file.md")) is None


def test_similar_articles_exclude_the_article_and_its_copies(corpus_sample, tmp_path, articles):
    folder = tmp_path / "articles"
    shutil.copytree(corpus_sample, folder)
    original = next(path for path, doc in articles.items() if "编程" in doc.categories)
    copy = folder / "copy-of-original.md"
    shutil.copy(original, copy)
    original_here = str(folder / Path(original).name)
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder])
        results = index.similar(original_here, limit=5)
    paths = [hit.path for hit in results.hits]
    assert len(paths) == 5
    assert original_here not in paths and str(copy) not in paths
    # A programming article is most like other programming articles (the sample is half news, half code).
    assert sum("编程" in hit.categories for hit in results.hits) >= 4


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("城事更新", "城市更新"),  # a homophone
        ("函数式编成", "函数式编程"),
        ("北京城事更新", "北京城市更新"),
        ("城市更兴", "城市更新"),  # sounds alike with in/ing merged
        ("经济发屏", "经济发展"),  # no sound-alike: a character that slipped
        ("城市更親", "城市更新"),  # in traditional characters, and mistyped
    ],
)
def test_a_typo_is_corrected_from_the_index_vocabulary(sample_index, typed, meant):
    results = sample_index.search(typed)
    assert results.did_you_mean == meant
    if results.corrected:
        assert results.hits and all(meant in hit.title + hit.snippet.text for hit in results.hits[:1])


@pytest.mark.parametrize("query", ["城市更新", "函数式编程", "发展", "习近平"])
def test_a_query_found_as_typed_is_never_corrected(sample_index, query):
    assert sample_index.search(query).did_you_mean is None
