"""Search: parse a query, run it against the index, and return ranked hits with snippets.

Ranking is BM25F over title and body (the index decides the scores). On top of that one rule a person
expects of a few keywords: documents that contain *all* of them come before those that contain only some;
a question or a sentence ranks by score alone (:func:`~searcher.query.ranking_tiers`). ``total`` counts
every match, exactly.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from .analysis import HAN_RUN, homophones, near_homophones, query_analyzer
from .duplicates import collapse as collapse_near_duplicates
from .folding import fold
from .highlight import Snippet, highlight_text, make_snippet
from .index import FACET_FIELDS, EngineResults, StoredHit, WhooshIndex
from .query import (
    Everything,
    Phrase,
    Query,
    highlight_terms,
    parse_query,
    parse_synonyms,
    pinyin_terms,
    query_runs,
    ranking_tiers,
    split_filters,
    text_matches,
    with_pinyin,
)


@dataclass
class Hit:
    """One ranked result."""

    path: str
    title: str
    author: str
    date: dt.datetime | None
    categories: list[str]
    score: float
    snippet: Snippet
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    matched_all: bool = True  # False for a document that has only some of the query's words
    # Paths of the lower-ranked near-duplicates of this article that the results fold into it.
    near_duplicates: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            **_described(self),
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "title_highlights": [list(span) for span in self.title_highlights],
            "matched_all": self.matched_all,
            "near_duplicates": self.near_duplicates,
        }


def _described(article: Hit | Article) -> dict:
    """The keys a hit and a shown article share in JSON."""
    return {
        "path": article.path,
        "title": article.title,
        "author": article.author,
        "date": article.date.isoformat() if article.date else None,
        "categories": article.categories,
    }


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[Hit]
    took_ms: float
    offset: int = 0
    as_pinyin: bool = False  # the query's letters matched nothing as typed and were read as pinyin
    sort: str = "relevance"
    # For each facet asked for: its most frequent values among all the matches (not just this page).
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # A corrected query when this one found (almost) nothing as typed (see did_you_mean), and whether the
    # hits are those of the correction because the query as typed found nothing at all.
    did_you_mean: str | None = None
    corrected: bool = False
    # Near-duplicates are folded into the best-ranked article of each group; ``offset`` then counts groups.
    collapsed: bool = False

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "took_ms": round(self.took_ms, 2),
            "offset": self.offset,
            "sort": self.sort,
            "as_pinyin": self.as_pinyin,
            "did_you_mean": self.did_you_mean,
            "corrected": self.corrected,
            "collapsed": self.collapsed,
            "facets": {name: [list(pair) for pair in counts] for name, counts in self.facets.items()},
            "hits": [hit.to_json() for hit in self.hits],
        }


SORTS = ("relevance", "date", "-date")
FACETS = tuple(FACET_FIELDS)


def search(
    index: WhooshIndex,
    text: str,
    limit: int = 10,
    offset: int = 0,
    *,
    sort: str = "relevance",
    facets: Sequence[str] = (),
    filters: Sequence[Query] = (),
    collapse: bool = True,
) -> SearchResults:
    """Run the query ``text``, narrowed by ``filters`` (see :func:`~searcher.query.option_filters`), sorted by
    ``sort`` (one of :data:`SORTS`; a query of filters alone, which nothing ranks, comes newest first), with
    the value counts of ``facets`` (of :data:`FACETS`). With ``collapse``, each near-duplicate
    (:mod:`searcher.duplicates`) of a better-ranked hit is folded into it, and ``offset`` and ``limit``
    count hits as shown; ``total`` always counts every match. Raise :class:`~searcher.query.QuerySyntaxError` if
    the query is malformed, ValueError for a bad limit, offset, sort or facet."""
    started = time.perf_counter()
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r} (sorts: {', '.join(SORTS)})")
    unknown = [name for name in facets if name not in FACETS]
    if unknown:
        raise ValueError(f"unknown facet {unknown[0]!r} (facets: {', '.join(FACETS)})")
    tree = _parsed(index, text)
    ranked, query_filters = split_filters(tree)
    all_filters = (*query_filters, *filters)
    if sort == "relevance" and isinstance(ranked, Everything):
        sort = "-date"
    page = _Page(limit, offset, sort, facets, collapse)
    found, matched_all, shown = _ranked(index, ranked, page, all_filters)
    terms = highlight_terms(tree)
    spelled = with_pinyin(ranked) if found.total == 0 else None
    pinyin: list[str] = []
    if spelled is not None:
        # Nothing matches the letters as typed: read them as pinyin (see query.with_pinyin).
        found, matched_all, shown = _ranked(index, spelled, page, all_filters)
        pinyin = pinyin_terms(spelled)
    suggestion = did_you_mean(index, text, ranked) if found.first_tier_total < FEW_MATCHES and not pinyin else None
    corrected = suggestion is not None and found.first_tier_total == 0
    if corrected:
        # Nothing has what was typed: show what the correction finds, saying so.
        tree = _parsed(index, suggestion)
        ranked, query_filters = split_filters(tree)
        found, matched_all, shown = _ranked(index, ranked, page, (*query_filters, *filters))
        terms = highlight_terms(tree)
    # A pinyin query highlights the words it stands for, which the index lists by their spelling.
    terms += [word for spelling in pinyin for word in index.words_spelled(spelling)]
    hits = [
        _make_hit(found.hits[first], terms, matched_all[first], [found.hits[copy].path for copy in copies])
        for first, copies in shown
    ]
    took_ms = (time.perf_counter() - started) * 1000
    return SearchResults(text, found.total, hits, took_ms, offset, as_pinyin=bool(pinyin) and found.total > 0,
                         sort=sort, facets=found.facets, did_you_mean=suggestion, corrected=corrected,
                         collapsed=collapse)


# A query that finds fewer documents than this with all its words may be mistyped: did_you_mean looks for a
# correction. One that finds more is never corrected.
FEW_MATCHES = 3
# The Han runs of this length or less are checked for a typo (a longer one is pasted text rather than typed).
MAX_CORRECTED_RUN = 12
# A correction replaces a piece of 2–4 characters of a run by a word one character away; of the candidate
# words of one kind, the most frequent few are tried.
CORRECTED_WORD = (2, 4)
CORRECTIONS_TRIED = 10


def did_you_mean(index: WhooshIndex, text: str, tree: Query) -> str | None:
    """``text`` with one mistyped character corrected, or None. For each run of Han characters that occurs
    nowhere as typed: the word of the index that differs from a 2–4 character piece of the run by one
    character and makes the run occur, the most frequent such word, looking first at characters that sound
    the same (tones ignored), then at those that sound alike to many speakers (zh/z, n/l, ing/in …), then at
    any character after the first (a slip of the keyboard or of the eye: 形近字). ``城事更新`` → ``城市更新``;
    a run found as typed is never changed.

    The index is the vocabulary, so a correction is always something the index holds."""
    folded = fold(text)
    for run in query_runs(tree):
        if not HAN_RUN.fullmatch(run.text) or len(run.text) > MAX_CORRECTED_RUN:
            continue
        if index.count(Phrase(run.tokens, None, run.text)) > 0:
            continue
        corrected = _corrected_run(index, run.text)
        at = folded.find(run.text)
        if corrected is not None and at >= 0:
            # Folding keeps lengths, so the run's place in the folded text is its place in what was typed.
            return text[:at] + corrected + text[at + len(run.text) :]
    return None


def _corrected_run(index: WhooshIndex, run: str) -> str | None:
    """The run with one piece replaced by a word of the index one character away, such that the run then
    occurs: sound-alike characters first, then any."""
    words_among = index.segmenter.words_among

    def sounding_like(similar: Callable[[str], Sequence[str]]) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
        replacements = _sound_alike_words(run, similar, words_among)
        return replacements, index.word_frequencies(replacements)

    # One kind after the other, each only if the ones before found nothing: the last one walks the index's
    # words, which is most of did-you-mean's time.
    for candidates in (lambda: sounding_like(homophones), lambda: sounding_like(near_homophones),
                       lambda: _one_character_away(index, run)):
        replacements, frequencies = candidates()
        likeliest = sorted(frequencies, key=lambda word: (-frequencies[word], word))[:CORRECTIONS_TRIED]
        # Of the most frequent words, the one that makes the run occur in the most documents.
        found = []
        for word in likeliest:
            start, end = replacements[word]
            corrected = run[:start] + word + run[end:]
            found.append((index.count(Phrase((corrected,), None, corrected)), corrected))
        best = max(found, key=lambda pair: pair[0], default=(0, None))
        if best[0] > 0:
            return best[1]
    return None


def _pieces(run: str) -> Iterator[tuple[int, str]]:
    """The 2–4 character pieces of a run, with where they start."""
    for length in range(CORRECTED_WORD[0], min(CORRECTED_WORD[1], len(run)) + 1):
        for start in range(len(run) - length + 1):
            yield start, run[start : start + length]


def _sound_alike_words(run: str, sounding_like: Callable[[str], Sequence[str]],
                       words_among: Callable[[list[str]], set[str]]) -> dict[str, tuple[int, int]]:
    """Candidate words: a piece with one character replaced by one that sounds like it, each with the
    ``(start, end)`` of the piece of the run it would replace. Only dictionary words: every word of 2–4
    Chinese characters in the index is one (unknown words fall apart into single characters), and the
    dictionary answers faster than the index, whose every segment is asked (thousands of candidates cost
    2 s over the nine segments of 20,000 poems)."""
    candidates: dict[str, tuple[int, int]] = {}
    for start, piece in _pieces(run):
        for position, char in enumerate(piece):
            for other in sounding_like(char):
                candidates.setdefault(piece[:position] + other + piece[position + 1 :], (start, start + len(piece)))
    words = words_among(list(candidates))
    return {word: span for word, span in candidates.items() if word in words}


def _one_character_away(index: WhooshIndex, run: str) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """Words of the index that differ from a piece in one character after its first (found by the
    characters before it, as a prefix of the index's words), with where the piece is, and the number of
    documents of each (which the prefix walk gives). Overlapping pieces share their prefixes (城市, 城市更,
    城市更新 all start 城), and each is looked up in the index once."""
    candidates: dict[str, tuple[int, int]] = {}
    frequencies: dict[str, int] = {}
    by_prefix: dict[str, list[tuple[str, int]]] = {}
    for start, piece in _pieces(run):
        for position in range(1, len(piece)):
            prefix = piece[:position]
            if prefix not in by_prefix:
                by_prefix[prefix] = index.words_with_prefix(prefix)
            for word, documents in by_prefix[prefix]:
                if len(word) == len(piece) and word[position + 1 :] == piece[position + 1 :] and word != piece:
                    candidates.setdefault(word, (start, start + len(piece)))
                    frequencies[word] = documents
    return candidates, frequencies


def _parsed(index: WhooshIndex, text: str) -> Query:
    """A query as this index reads it: segmented with its dictionary, expanded with its synonyms."""
    return parse_query(text, query_analyzer(index.segmenter), parse_synonyms(index.synonyms_text()))


@dataclass(frozen=True)
class _Page:
    """Which results a search shows."""

    limit: int
    offset: int
    sort: str
    facets: Sequence[str]
    collapse: bool


Groups = list[tuple[int, list[int]]]  # (a hit shown, the near-duplicates folded into it), as indexes of hits


def _ranked(index: WhooshIndex, tree: Query, page: _Page, filters: Sequence[Query]) -> tuple[EngineResults, list[bool], Groups]:
    """The engine's results, for each hit whether it matches the query as typed (all its words), and the
    hits of the page. Collapsing near-duplicates, the engine's hits are every match from the first one on,
    as far as it takes to fill the page with articles that are not near-duplicates of better-ranked ones."""
    tiers = ranking_tiers(tree)
    if not page.collapse:
        found = index.search(tiers, page.limit, page.offset, filters=filters, sort=page.sort, facets=page.facets)
        shown: Groups = [(number, []) for number in range(len(found.hits))]
    else:
        wanted = page.offset + page.limit
        reach = 2 * wanted
        while True:
            found = index.search(tiers, reach, 0, filters=filters, sort=page.sort, facets=page.facets)
            groups = _collapsed(found.hits)
            if reach >= found.total or len(groups) >= wanted:
                break
            reach *= 2
        shown = groups[page.offset : wanted]
    if tiers[0] == tree:  # the query as typed is the first tier: its hits are those with all the words
        return found, [hit.tier == 0 for hit in found.hits], shown
    return found, [text_matches(tree, fold(f"{hit.title}\n{hit.body}")) for hit in found.hits], shown


def _collapsed(hits: Sequence[StoredHit]) -> Groups:
    return collapse_near_duplicates(range(len(hits)), lambda number: hits[number].body, lambda number: hits[number].sketch)


def _make_hit(stored: StoredHit, terms: list[str], matched_all: bool, near_duplicates: Sequence[str] = ()) -> Hit:
    return Hit(
        path=stored.path,
        title=stored.title,
        author=stored.author,
        date=stored.date,
        categories=stored.categories,
        score=stored.score,
        snippet=make_snippet(stored.body, terms, folded=stored.folded_body),
        title_highlights=highlight_text(stored.title, terms).highlights,
        matched_all=matched_all,
        near_duplicates=list(near_duplicates),
    )


@dataclass
class Article:
    """One indexed article as stored, for ``searcher show``."""

    path: str
    title: str
    author: str
    date: dt.datetime | None
    categories: list[str]
    metadata: dict
    body: Snippet  # the whole cleaned text, with the matches of a query marked if one was given
    title_highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            **_described(self),
            "metadata": self.metadata,
            "body": self.body.text,
            "highlights": [list(span) for span in self.body.highlights],
            "title_highlights": [list(span) for span in self.title_highlights],
        }


def show(index: WhooshIndex, path: str, highlight: str | None = None) -> Article | None:
    """The article indexed from ``path`` (absolute, as indexed), with the words of the query ``highlight``
    marked; None if the index has no such article."""
    stored = index.document(path)
    if stored is None:
        return None
    terms = highlight_terms(parse_query(highlight, query_analyzer(index.segmenter))) if highlight else []
    return Article(stored.path, stored.title, stored.author, stored.date, stored.categories, stored.metadata,
                   highlight_text(stored.body, terms), highlight_text(stored.title, terms).highlights)


def similar(index: WhooshIndex, path: str, limit: int = 10) -> SearchResults | None:
    """The articles most like the one indexed from ``path``, without it and copies of its text; None if
    the index has no such article. Each snippet is the start of the article."""
    started = time.perf_counter()
    stored = index.similar(path, limit)
    if stored is None:
        return None
    hits = [_make_hit(hit, [], True) for hit in stored]
    return SearchResults(f"similar:{path}", len(hits), hits, (time.perf_counter() - started) * 1000)
