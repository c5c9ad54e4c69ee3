"""The naive baseline: jieba's own Whoosh integration, used the way its README shows.

A ``ChineseAnalyzer`` on both text fields, Whoosh's ``MultifieldParser`` for queries and Whoosh's own
``hit.highlights()`` for snippets, all with default settings. This is the yardstick searcher is measured
against, so nothing here is tuned.

The file is also a standalone script, ``python naive.py INDEX QUERY``, which prints ten hits with their
highlights: the baseline's counterpart of ``searcher query`` for the fresh-process timing. For that reason it
imports only Whoosh and jieba (no ``searcher``, no ``benchmarks``), so a fresh process pays for exactly
what a naive user's script would load.
"""

from __future__ import annotations

import logging
import sys
import warnings

with warnings.catch_warnings():
    # Whoosh 2.7.4 and jieba 0.42.1 hold invalid string escapes (DeprecationWarning or SyntaxWarning when
    # compiled) and jieba imports the deprecated pkg_resources; none of it is the benchmark's concern.
    warnings.simplefilter("ignore")
    import jieba
    import whoosh.fields
    import whoosh.index
    import whoosh.qparser
    import whoosh.reading
    import whoosh.searching
    from jieba.analyse import ChineseAnalyzer

# jieba logs its dictionary loading at DEBUG level to stderr.
jieba.setLogLevel(logging.WARNING)

LIMIT = 10
TEXT_FIELDS = ["title", "body"]


def make_schema() -> whoosh.fields.Schema:
    """The schema a naive user writes: a unique path, and title and body analyzed by jieba."""
    return whoosh.fields.Schema(
        path=whoosh.fields.ID(unique=True, stored=True),
        title=whoosh.fields.TEXT(analyzer=ChineseAnalyzer(), stored=True),
        body=whoosh.fields.TEXT(analyzer=ChineseAnalyzer(), stored=True),
    )


def make_parser(schema: whoosh.fields.Schema, any_word: bool = False) -> whoosh.qparser.MultifieldParser:
    """Whoosh's default query language over title and body (quotes make a phrase, words are all required;
    with ``any_word``, any of them is enough)."""
    group = whoosh.qparser.OrGroup if any_word else whoosh.qparser.AndGroup
    return whoosh.qparser.MultifieldParser(TEXT_FIELDS, schema, group=group)


def search_with_highlights(
    searcher: whoosh.searching.Searcher, parser: whoosh.qparser.MultifieldParser, text: str
) -> list[tuple[str, str]]:
    """The top hits for ``text`` as ``(title, body highlights)``; Whoosh re-analyzes each body to highlight."""
    return [(title, highlights) for _, title, highlights in ranked_hits(searcher, parser, text)]


def ranked_hits(
    searcher: whoosh.searching.Searcher, parser: whoosh.qparser.MultifieldParser, text: str, limit: int = LIMIT
) -> list[tuple[str, str, str]]:
    """The top ``limit`` hits for ``text`` as ``(path, title, body highlights)``, best first: what the
    relevance evaluation ranks, at the cost a user's results page has (the highlights)."""
    results = searcher.search(parser.parse(text), limit=limit)
    return [(hit["path"], hit["title"], hit.highlights("body")) for hit in results]


def complete(reader: whoosh.reading.IndexReader, prefix: str, limit: int = LIMIT) -> list[tuple[str, int]]:
    """The words of title and body that start with ``prefix``, as ``(word, documents)``, the ``limit`` in
    most documents first: Whoosh's own prefix expansion, each word's document frequency in each field added up
    (a document with the word in both fields counts twice), and a sort; no pinyin, no titles, no folding."""
    frequencies: dict[str, int] = {}
    for field in TEXT_FIELDS:
        for term in reader.expand_prefix(field, prefix):
            word = term.decode("utf-8")
            frequencies[word] = frequencies.get(word, 0) + reader.doc_frequency(field, term)
    return sorted(frequencies.items(), key=lambda item: (-item[1], item[0]))[:limit]


def main(argv: list[str]) -> int:
    """Open the index at ``argv[0]``, run the query ``argv[1]`` and print its hits."""
    if len(argv) != 2:
        print("usage: naive.py INDEX QUERY", file=sys.stderr)
        return 2
    index = whoosh.index.open_dir(argv[0])
    with index.searcher() as searcher:
        hits = search_with_highlights(searcher, make_parser(index.schema), argv[1])
        for rank, (title, highlights) in enumerate(hits, start=1):
            print(f"{rank:>2}. {title}\n    {highlights}")
    index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
