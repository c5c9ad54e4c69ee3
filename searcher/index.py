"""The index: the one module that knows Whoosh.

Everything Whoosh-specific lives here: the schema, the adapter that lets our analyzers feed Whoosh, writing
and committing documents, translating a parsed :mod:`searcher.query` tree into Whoosh queries, and reading
hits back. The rest of the package speaks in plain Python values (:class:`~searcher.documents.Document`,
:class:`IndexedFile`, :class:`StoredHit`), so another engine can replace this module.

Only the classic Whoosh API is used, so both ``Whoosh`` 2.7.4 and its maintained fork ``whoosh3`` carry it.
"""

from __future__ import annotations

import array
import collections
import contextlib
import ctypes
import datetime as dt
import hashlib
import itertools
import json
import math
import mmap
import multiprocessing
import os
import pickle
import shutil
import signal
import sqlite3
import sys
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import analysis, duplicates
from .documents import Document
from .folding import fold
from .query import (
    MAX_TYPED_RUN,
    TEXT_FIELDS,
    And,
    DateRange,
    Everything,
    Exact,
    Not,
    Or,
    Phrase,
    Pinyin,
    Query,
    WordPrefix,
    Words,
)

with warnings.catch_warnings():
    # Whoosh 2.7.4's sources hold invalid string escapes and an `is` comparison with a literal, which warn
    # when Python compiles them (a fresh install, a -W error run). Silence exactly those, and only here,
    # by importing every Whoosh module searcher uses inside this block.
    for message in ("invalid escape sequence", '"is" with a literal'):
        warnings.filterwarnings("ignore", message=message, category=SyntaxWarning)
        warnings.filterwarnings("ignore", message=message, category=DeprecationWarning)
    import whoosh.analysis
    import whoosh.codec.base
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.fields
    import whoosh.filedb.filestore
    import whoosh.filedb.filetables
    import whoosh.filedb.structfile
    import whoosh.formats
    import whoosh.index
    import whoosh.matching
    import whoosh.query
    import whoosh.reading
    import whoosh.scoring
    import whoosh.searching
    import whoosh.system
    import whoosh.util.numeric
    import whoosh.writing

# 7: a posting's positions as 32-bit integers (SpanPositions), not Whoosh's pickled list of gaps.
# 8: single characters in a field of their own without positions (chars), the bigrams' field (grams) apart.
FORMAT_VERSION = 8

# The n-gram field and the spelling table cover this much of a document (most articles are under 20,000
# characters): past it, a huge document is still found by its words, but its n-grams would cost hundreds of
# MB while it is indexed.
MAX_SHADOW_CHARS = 200_000
MARKER_FILE = "searcher.json"
SPELLINGS_FILE = "spellings.sqlite"
USER_DICTIONARY_FILE = "userdict.txt"
SYNONYMS_FILE = "synonyms.txt"
INDEX_NAME = "MAIN"

# Query-time field weights, tuned on the relevance evaluation (benchmarks/relevance.py). The title needs no
# extra weight: BM25F's length normalisation already makes a word of a short title count for more, and a
# boost of 2.5 ranked near-duplicates with the same title above the article itself (known-item MRR@10 0.77
# against 0.82 with 1.0). The n-gram fields carry the typed run as a whole, which is worth as much as its
# words (fragment MRR@10 0.83 with 0.3, 0.91 with 1.0).
FIELD_BOOSTS = {"title": 1.0, "body": 1.0, "chars": 1.0, "grams": 1.0}
# A pinyin query searches the body for the words spelled so (it is tried only when nothing else matches);
# a word whose initials were typed counts for half.
SPELLING_BOOSTS = {"pinyin": 1.0, "initials": 0.5}
# BM25's term-frequency saturation: above Whoosh's 1.2, a word that recurs through an article keeps counting
# for longer, which suits articles of a few thousand characters (known-item and InsuranceQA MRR@10 both rose).
BM25_K1 = 2.0


# Segments as separate files, not Whoosh's default compound file: opening a segment of a compound file
# copies each of its parts into memory (BytesIO over the mapped file), which cost a fresh query 225 ms on
# the news index; separate files are read where they lie.
WRITER_OPTIONS = {"limitmb": 256, "compound": False}


class SearcherIndexError(Exception):
    """Base of the index's errors; ``str(error)`` is one line that says what to do."""


class IndexNotFoundError(SearcherIndexError):
    pass


class IndexLockedError(SearcherIndexError):
    pass


class IndexFormatError(SearcherIndexError):
    """An index built by an incompatible version of searcher."""


@dataclass(frozen=True)
class IndexedFile:
    """What the index remembers about a file, to tell on the next run whether it changed."""

    content_hash: str
    mtime_ns: int
    size: int


@dataclass
class StoredHit:
    """One matching document as stored, with its score."""

    path: str
    title: str
    body: str
    author: str
    categories: list[str]
    date: dt.datetime | None
    metadata: dict
    score: float
    tier: int = 0  # which of the ranking tiers of the search it matched (see WhooshIndex.search)
    sketch: tuple[int, ...] = ()  # of its body, to tell near-duplicates (searcher.duplicates.sketch)
    folded_body: str = ""  # fold(body) of its first MAX_SHADOW_CHARS characters, so that snippets need not fold it


@dataclass
class EngineResults:
    total: int
    hits: list[StoredHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # value counts, most frequent first
    first_tier_total: int = 0  # how many of the matches are matches of the first tier


@dataclass
class IndexStats:
    path: str
    documents: int
    terms: int
    size_bytes: int
    last_update: dt.datetime | None


class SearcherAnalyzer(whoosh.analysis.Analyzer):
    """Whoosh's view of our analyzers: ``kind="words"`` is :func:`searcher.analysis.index_analyzer` (and, for
    query-mode calls, :func:`~searcher.analysis.query_analyzer`), ``kind="chars"`` and ``kind="grams"`` are
    :func:`~searcher.analysis.char_ngrams` of a text folded already (see :func:`_fields`), its characters and
    its pairs of neighbouring characters.

    The schema pickles analyzers into the index; this one pickles to its kind and dictionary checksum, so
    opening an index does not load jieba, and the analyzers are built on first use. Indexing does not go
    through Whoosh's token objects: :meth:`term_positions` gives what a field stores of a text as arrays.
    """

    def __init__(self, kind: str = "words", dictionary: str | None = None):
        self.kind = kind
        self.dictionary = dictionary  # checksum of the index's user dictionary, if it has one

    def __getstate__(self) -> dict:
        return {"kind": self.kind, "dictionary": self.dictionary}

    def __setstate__(self, state: dict) -> None:
        self.kind = state["kind"]
        self.dictionary = state["dictionary"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SearcherAnalyzer) and (other.kind, other.dictionary) == (self.kind, self.dictionary)

    def __hash__(self) -> int:
        return hash((SearcherAnalyzer, self.kind, self.dictionary))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = whoosh.analysis.Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        for word in self._tokens(value, mode):
            token.text = word.text
            if keeporiginal:
                token.original = word.text
            token.pos = start_pos + word.position
            token.startchar = start_char + word.start
            token.endchar = start_char + word.end
            yield token

    def _tokens(self, value: str, mode: str) -> analysis.Tokens:
        if self.kind in _NGRAM_SIZES:
            return analysis.char_ngrams(value, _NGRAM_SIZES[self.kind])
        segmenter = analysis.segmenter_for(self.dictionary)
        return (analysis.query_analyzer if mode == "query" else analysis.index_analyzer)(segmenter)(value)

    def term_positions(self, text: str, folded: bool = False) -> tuple[list[str] | np.ndarray, np.ndarray, np.ndarray]:
        """What a field of this kind stores of ``text`` (``folded``: whether it is folded already; the n-gram
        field's text always is): ``(terms, counts, positions)``, each distinct term (the words' texts, the
        n-grams' codes, see :meth:`term_texts`), how often it occurs, and the positions of each term in turn,
        ascending. The same as Whoosh's ``Positions.word_values`` of the tokens, in arrays, and with a huge text
        analysed a piece at a time."""
        if self.kind in _NGRAM_SIZES:
            codes, positions = analysis.ngram_codes(text, _NGRAM_SIZES[self.kind])
            order = np.lexsort((positions, codes))
            codes = codes[order]
            firsts = np.flatnonzero(np.diff(codes, prepend=-1))
            return codes[firsts], np.diff(np.append(firsts, len(codes))), positions[order]
        analyzer = analysis.folded_index_analyzer(analysis.segmenter_for(self.dictionary))
        vocabulary: dict[str, int] = {}
        ids, positions = [], []
        position = 0
        for piece in analysis.independent_pieces(text if folded else fold(text), ANALYSED_PIECE_CHARS):
            tokens = analyzer(piece)
            ids.append(np.array([vocabulary.setdefault(word, len(vocabulary)) for word in tokens.texts], np.int64))
            positions.append(np.array(tokens.positions, np.int64) + position)
            position += tokens.next_position
        word_ids, word_positions = np.concatenate(ids), np.concatenate(positions)
        order = np.lexsort((word_positions, word_ids))
        return list(vocabulary), np.bincount(word_ids, minlength=len(vocabulary)), word_positions[order]

    def term_texts(self, terms: list[str] | np.ndarray) -> list[str]:
        """The texts of the terms :meth:`term_positions` gives."""
        return analysis.ngram_texts(terms) if self.kind in _NGRAM_SIZES else terms


_NGRAM_SIZES = {"chars": 1, "grams": 2}  # the kinds of SearcherAnalyzer made of n-grams, by their size

# A text is analysed into words this much at a time (see analysis.independent_pieces): the tokens of a piece
# are held as Python lists, ~100 bytes each, and a 50 MB article would otherwise hold all of its at once.
ANALYSED_PIECE_CHARS = 100_000


class SpanPositions(whoosh.formats.Positions):
    """Whoosh's positions format, for the fields of :class:`SearcherAnalyzer`, with a posting's value its
    positions as 32-bit little-endian integers, ascending, rather than Whoosh's count and pickled list of
    gaps: indexing writes a segment's values as one array, and a phrase reads a posting's positions as one,
    where Whoosh's took a Python call to pickle and to unpickle each; and the news index is 16 % smaller
    (181 -> 152 MB). Whoosh's own matchers read them through the ``decode_*`` methods.

    >>> SpanPositions().encode([3, 300]), SpanPositions().decode_positions(b"\\x03\\x00\\x00\\x00,\\x01\\x00\\x00")
    (b'\\x03\\x00\\x00\\x00,\\x01\\x00\\x00', [3, 300])
    """

    def encode(self, positions) -> bytes:
        return _positions_bytes(array.array("I", positions))

    def decode_positions(self, value: bytes) -> list[int]:
        return list(_decoded_positions(value))

    def decode_frequency(self, value: bytes) -> int:
        return len(value) // 4

    def decode_weight(self, value: bytes) -> float:
        return len(value) // 4 * self.field_boost


def _positions_bytes(positions: array.array) -> bytes:
    if sys.byteorder == "big":
        positions.byteswap()
    return positions.tobytes()


def _decoded_positions(value: bytes) -> array.array:
    """A posting's positions (see :class:`SpanPositions`)."""
    positions = array.array("I", value)
    if sys.byteorder == "big":
        positions.byteswap()
    return positions


def _text_field(analyzer: SearcherAnalyzer, *, stored: bool = False) -> whoosh.fields.TEXT:
    field = whoosh.fields.TEXT(analyzer=analyzer, stored=stored, phrase=True)
    field.format = SpanPositions(field_boost=field.format.field_boost)
    return field


def make_schema(dictionary: str | None = None) -> whoosh.fields.Schema:
    """The fields of an index; ``dictionary``: the checksum of its user dictionary, if it has one."""
    words = SearcherAnalyzer("words", dictionary)
    return whoosh.fields.Schema(
        path=whoosh.fields.ID(unique=True, stored=True, sortable=True),
        title=_text_field(words, stored=True),
        body=_text_field(words, stored=True),
        # Characters and bigrams of title and body: they find any substring, whatever the segmentation did (a
        # character needs no positions: a longer substring is a phrase of bigrams).
        chars=whoosh.fields.TEXT(analyzer=SearcherAnalyzer("chars"), phrase=False),
        grams=_text_field(SearcherAnalyzer("grams")),
        author=whoosh.fields.ID(stored=True),
        categories=whoosh.fields.KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        date=whoosh.fields.DATETIME(sortable=True),
        # The article's wall-clock time in its own time zone (Whoosh keeps dates naive), so that date:2022-07-12
        # is that calendar day as the article dates itself; the stored ISO text keeps the zone.
        date_iso=whoosh.fields.STORED(),
        metadata=whoosh.fields.STORED(),
        # "mtime_ns size hash": a column only, so listing every file's state reads no stored bodies.
        file_state=whoosh.fields.COLUMN(whoosh.columns.VarBytesColumn()),
        # The body's near-duplicate sketch (searcher.duplicates), as unsigned 32-bit integers; stored, so that it
        # comes with a hit's other stored fields (a column read beside them went out of step with the hits of a
        # searcher while another process committed, under whoosh3).
        sketch=whoosh.fields.STORED(),
        # The body folded (searcher.folding), as far as the n-grams go: folding is ~200 ns a character in
        # Python, which was a fifth of a search's time when every snippet folded its article's text.
        folded_body=whoosh.fields.STORED(),
    )


class WhooshIndex:
    """A searcher index in a folder on disk.

    Besides Whoosh's files the folder holds ``searcher.json`` (format, analysis, user dictionary checksum),
    and copies of the user dictionary and the synonyms it was given, so that queries segment and expand
    exactly as the index was built, wherever the original files went.
    """

    def __init__(self, path: Path, whoosh_index: whoosh.index.Index, info: dict):
        self.path = path
        self._index = whoosh_index
        self._searcher = None
        self._scored: _Scoring | None = None
        self.dictionary_checksum: str | None = (info.get("user_dictionary") or {}).get("checksum")
        self.warnings: list[str] = []
        self._synonyms_text = _read_synonyms(path)
        self._spellings = Spellings(path / SPELLINGS_FILE)
        if self.dictionary_checksum is not None:
            self._register_user_dictionary(info["user_dictionary"])

    @property
    def segmenter(self) -> analysis.Segmenter:
        """The segmenter this index was built with (its user dictionary, if any)."""
        return analysis.segmenter_for(self.dictionary_checksum)

    def _register_user_dictionary(self, recorded: dict) -> None:
        stored = self.path / USER_DICTIONARY_FILE
        if not stored.is_file() or _checksum(stored) != self.dictionary_checksum:
            raise IndexFormatError(f"{stored} is missing or changed: rebuild the index with --rebuild --userdict FILE")
        analysis.register_user_dictionary(self.dictionary_checksum, stored)
        source = Path(recorded.get("source", ""))
        if source.is_file() and _checksum(source) != self.dictionary_checksum:
            self.warnings.append(
                f"the user dictionary {source} changed since {self.path} was built, which still segments with "
                f"the old one: rebuild with `searcher index FOLDER --rebuild --userdict {source}`"
            )

    @classmethod
    def open(cls, path: Path | str) -> WhooshIndex:
        path = Path(path)
        _recover_interrupted_swap(path)
        if not path.is_dir():
            raise IndexNotFoundError(f"no index at {path}: build one with `searcher index FOLDER --index {path}`")
        marker = path / MARKER_FILE
        not_an_index = f"{path} is not a searcher index: build one with `searcher index FOLDER --index {path}`"
        if not marker.is_file():
            raise IndexNotFoundError(not_an_index)
        # The marker first: Whoosh unpickles the schema as it opens, and an index of another format may hold
        # classes this version cannot rebuild, which would fail with some error of pickle's instead of this.
        info = _check_marker(marker)
        if not whoosh.index.exists_in(str(path), indexname=INDEX_NAME):
            raise IndexNotFoundError(not_an_index)
        return cls(path, _MappedStorage(str(path)).open_index(INDEX_NAME), info)

    @classmethod
    def open_or_create(cls, path: Path | str, user_dictionary: Path | None = None) -> WhooshIndex:
        """Open the index at ``path``, or create it (with ``user_dictionary`` added to jieba's). An existing
        index built with another user dictionary is refused: its words would not match the new ones."""
        path = Path(path)
        _recover_interrupted_swap(path)
        marker = path / MARKER_FILE
        if marker.is_file() and _check_marker(marker) and whoosh.index.exists_in(str(path), indexname=INDEX_NAME):
            index = cls.open(path)
            wanted = _checksum(user_dictionary) if user_dictionary else index.dictionary_checksum
            if wanted != index.dictionary_checksum:
                index.close()
                raise IndexFormatError(
                    f"{path} was built with another user dictionary: to segment with {user_dictionary}, rebuild "
                    f"it with `searcher index FOLDER --rebuild --userdict {user_dictionary} --index {path}`"
                )
            return index
        if path.exists() and any(entry.name != MARKER_FILE for entry in path.iterdir()):
            raise IndexNotFoundError(f"{path} is not empty and holds no searcher index: choose another --index")
        path.mkdir(parents=True, exist_ok=True)
        info: dict = {}
        if user_dictionary is not None:
            try:
                shutil.copyfile(user_dictionary, path / USER_DICTIONARY_FILE)
            except OSError as error:
                raise IndexNotFoundError(f"cannot read the user dictionary {user_dictionary}: {error.strerror}") from None
            checksum = _checksum(path / USER_DICTIONARY_FILE)
            info["user_dictionary"] = {"checksum": checksum, "source": str(Path(user_dictionary).resolve())}
        # The marker first, then Whoosh's table of contents: a folder with the marker and no contents yet is
        # a new index that a kill interrupted, which the next run creates again.
        _write_marker(path / MARKER_FILE, info)
        checksum = (info.get("user_dictionary") or {}).get("checksum")
        whoosh_index = _MappedStorage(str(path)).create_index(make_schema(checksum), INDEX_NAME)
        return cls(path, whoosh_index, info)

    @classmethod
    def create_replacement(cls, path: Path | str, user_dictionary: Path | None = None) -> WhooshIndex:
        """A new, empty index beside ``path``, to be built and then swapped in with :meth:`replace`."""
        staging = _sibling(Path(path), "rebuilding")
        shutil.rmtree(staging, ignore_errors=True)
        return cls.open_or_create(staging, user_dictionary)

    def synonyms_text(self) -> str:
        """The synonyms file given to this index, or "" if none (read when the index was opened or given)."""
        return self._synonyms_text

    def set_synonyms(self, source: Path) -> None:
        """Keep a copy of a synonyms file with the index (queries expand with it from now on)."""
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise IndexNotFoundError(f"cannot read the synonyms file {source}: {error}") from None
        temporary = self.path / (SYNONYMS_FILE + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path / SYNONYMS_FILE)
        self._synonyms_text = text

    def replace(self, target: Path | str) -> WhooshIndex:
        """Move this (replacement) index to ``target``, removing the index that was there; return it opened.

        Two renames: the old index moves aside, then this one takes its place. A crash between them leaves
        the old one aside, and opening ``target`` moves it back.
        """
        target = Path(target)
        self.close()
        kept_synonyms = target / SYNONYMS_FILE
        if kept_synonyms.is_file() and not (self.path / SYNONYMS_FILE).exists():
            shutil.copyfile(kept_synonyms, self.path / SYNONYMS_FILE)
        aside = _sibling(target, "old")
        shutil.rmtree(aside, ignore_errors=True)
        if target.exists():
            os.rename(target, aside)
        os.rename(self.path, target)
        shutil.rmtree(aside, ignore_errors=True)
        return WhooshIndex.open(target)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._scored = None
        self._spellings.close()
        self._index.close()

    def __enter__(self) -> WhooshIndex:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def indexed_files(self) -> dict[str, IndexedFile]:
        """Every indexed path with the state it had when indexed."""
        with self._index.reader() as reader:
            if reader.doc_count() == 0:
                return {}
            paths = reader.column_reader("path")
            states = reader.column_reader("file_state")
            files = {}
            for docnum in reader.all_doc_ids():
                mtime_ns, size, content_hash = states[docnum].decode("ascii").split(" ")
                files[paths[docnum]] = IndexedFile(content_hash, int(mtime_ns), int(size))
            return files

    @contextmanager
    def writer(self, wait_seconds: float = 0.0, on_wait: Callable[[], None] | None = None,
               workers: int | None = None) -> Iterator[IndexWriter]:
        """A batch of changes, committed atomically when the block ends and discarded if it raises; its
        documents are indexed by ``workers`` processes (one per core by default; see :class:`IndexWriter`).

        If another process holds the index's lock, wait up to ``wait_seconds`` for it, calling ``on_wait``
        once when the waiting starts. The lock is an OS file lock, so a killed writer leaves none behind.
        """
        try:
            whoosh_writer = self._index.writer(**WRITER_OPTIONS)
        except whoosh.index.LockError:
            if wait_seconds <= 0:
                raise IndexLockedError(
                    f"{self.path} is being updated by another process: wait for it, or pass --wait SECONDS"
                ) from None
            if on_wait:
                on_wait()
            try:
                whoosh_writer = self._index.writer(**WRITER_OPTIONS, timeout=wait_seconds, delay=0.25)
            except whoosh.index.LockError:
                raise IndexLockedError(
                    f"{self.path} was still being updated by another process after {wait_seconds:g} s"
                ) from None
        if workers is None:
            workers = indexing_workers()
        # Loaded here, once, so that every worker forked for this batch has it.
        self.segmenter.load()
        writer = IndexWriter(whoosh_writer, self._index, self.path, workers)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def search(
        self,
        tiers: Sequence[Query],
        limit: int,
        offset: int = 0,
        *,
        filters: Sequence[Query] = (),
        sort: str = "relevance",
        facets: Sequence[str] = (),
    ) -> EngineResults:
        """The ``offset:offset + limit`` page of the documents matching any of ``tiers`` and all ``filters``.

        By relevance, ranked tier by tier: every match of the first tier by score, then the matches of the
        second that were not in the first, and so on (see :func:`searcher.query.ranking_tiers`). By ``"date"``
        or ``"-date"`` (newest first), the matches of the first tier in that order, undated ones last.
        ``total`` counts every match, exactly; ``facets`` (of :data:`FACET_FIELDS`) count their values over
        all of them. Filters only narrow: the scores are those of the tiers' queries alone.
        """
        searcher = self._current_searcher()
        allowed = None
        if filters:
            filtered = searcher.docs_for_query(_all_of([_translate(f, self._spellings) for f in filters]))
            allowed = np.unique(np.fromiter(filtered, np.int64))
        if allowed is not None and not len(allowed):
            return EngineResults(total=0, hits=[], facets={field: [] for field in facets})
        if sort == "relevance":
            matched, hits, first_tier_total = self._ranked_by_tier(searcher, tiers, limit, offset, allowed)
        elif sort in ("date", "-date"):
            matched, hits = self._sorted_by_date(searcher, tiers[0], limit, offset, allowed, newest_first=sort == "-date")
            first_tier_total = len(matched)
        else:
            raise ValueError(f"unknown sort {sort!r}: relevance, date or -date")
        counted = {}
        if facets:
            inside = np.zeros(searcher.doc_count_all(), bool)
            inside[matched] = True
            counted = {field: _facet_counts(searcher.reader(), field, inside) for field in facets}
        return EngineResults(total=len(matched), hits=hits, facets=counted, first_tier_total=first_tier_total)

    def _ranked_by_tier(self, searcher, tiers: Sequence[Query], limit: int, offset: int,
                        allowed: np.ndarray | None) -> tuple[np.ndarray, list[StoredHit], int]:
        scoring = self._scoring(searcher)
        earlier = np.zeros(0, np.int64)  # document numbers matched by an earlier tier, ascending
        hits: list[StoredHit] = []
        first_tier_total = 0
        for tier, query in enumerate(tiers):
            found = _within(scoring.scores(_translate(query, self._spellings)), allowed, earlier)
            reach = offset + limit - len(earlier)  # how far down this tier's ranking the page reaches
            if reach > 0:
                skip = max(0, offset - len(earlier))
                hits += [_stored_hit(searcher.stored_fields(docnum), score, tier)
                         for docnum, score in _best(found, reach)[skip:]]
            # (two ascending runs without common docnums: a stable sort merges them)
            earlier = np.sort(np.concatenate([earlier, found.ids]), kind="stable")
            if tier == 0:
                first_tier_total = len(found)
        return earlier, hits, first_tier_total

    def _sorted_by_date(self, searcher, query: Query, limit: int, offset: int, allowed: np.ndarray | None,
                        newest_first: bool) -> tuple[np.ndarray, list[StoredHit]]:
        if isinstance(query, Everything):  # (filters alone: every document, which needs no scores)
            matched = np.fromiter(searcher.reader().all_doc_ids(), np.int64) if allowed is None else allowed
        else:
            matched = _within(self._scoring(searcher).scores(_translate(query, self._spellings)), allowed, None).ids
        if not len(matched):  # (an index without documents has no columns to read)
            return matched, []
        # The raw column: every date as one integer, and for an undated article the largest one there is.
        dates = searcher.reader().column_reader("date", translate=False)
        if newest_first:
            order = sorted(matched.tolist(), key=lambda docnum: (dates[docnum] == UNDATED, -dates[docnum], docnum))
        else:
            order = sorted(matched.tolist(), key=lambda docnum: (dates[docnum], docnum))
        page = order[offset : offset + limit]
        hits = [_stored_hit(searcher.stored_fields(docnum), 0.0, 0) for docnum in page]
        return matched, hits

    def count(self, query: Query) -> int:
        """How many documents match ``query``."""
        return len(self._scoring(self._current_searcher()).scores(_translate(query, self._spellings)))

    def word_frequencies(self, words: Iterable[str]) -> dict[str, int]:
        """For each word that the index holds as a word (in a title or a body), how many documents have it."""
        reader = self._current_searcher().reader()
        frequencies = {}
        for word in words:
            frequency = max(reader.doc_frequency(field, word) for field in TEXT_FIELDS)
            if frequency:
                frequencies[word] = frequency
        return frequencies

    def words_with_prefix(self, prefix: str) -> list[tuple[str, int]]:
        """The words of titles and bodies that start with ``prefix`` (folded), each with how many documents
        have it, in the index's order."""
        leaves = self._current_searcher().reader().leaf_readers()
        frequencies: dict[str, int] = {}
        for field_name in TEXT_FIELDS:
            # Each segment's terms in lexicon order, summed here: the index-wide iter_prefix looks every term
            # up again in every segment (a dozen hash lookups a word), 70 ms for 发 on the news index.
            in_field: collections.Counter = collections.Counter()
            for leaf, _ in leaves:
                for term, info in leaf.iter_prefix(field_name, fold(prefix)):
                    in_field[term] += info.doc_frequency()
            for term, documents in in_field.items():
                word = _text(term)
                frequencies[word] = max(frequencies.get(word, 0), documents)
        return sorted(frequencies.items())

    def spelled_words(self, prefix: str) -> list[tuple[str, str, int]]:
        """``(spelling, word, documents)`` for the words whose pinyin or initials start with ``prefix``."""
        reader = self._current_searcher().reader()
        found = []
        for spelling, word in self._spellings.with_prefix(prefix):
            documents = reader.doc_frequency("body", word)
            if documents:
                found.append((spelling, word, documents))
        return found

    def words_spelled(self, spelling: str) -> list[str]:
        """The words of the bodies whose pinyin or initials are exactly ``spelling``."""
        reader = self._current_searcher().reader()
        return [
            word for words in self._spellings.words(spelling).values() for word in words
            if reader.doc_frequency("body", word)
        ]

    def document(self, path: str) -> StoredHit | None:
        """The stored article indexed from ``path`` (absolute, as indexed), or None."""
        fields = self._current_searcher().document(path=path)
        return _stored_hit(fields, 0.0, 0) if fields else None

    def similar(self, path: str, limit: int) -> list[StoredHit] | None:
        """The ``limit`` articles most like the one indexed from ``path`` (None if there is none): Whoosh's
        more-like-this, a query of the article's most characteristic words (by the Bo1 model, against their
        frequency in the whole index), leaving out the article itself and copies of its text."""
        searcher = self._current_searcher()
        docnum = searcher.document_number(path=path)
        if docnum is None:
            return None
        article = searcher.stored_fields(docnum)
        text = f"{article.get('title', '')}\n{article.get('body', '')}"[:MAX_SHADOW_CHARS]
        similar: list[StoredHit] = []
        results = searcher.more_like(docnum, "body", text=text, top=limit + SIMILAR_COPIES, numterms=SIMILAR_TERMS)
        for hit in results:
            if len(similar) >= limit:
                break
            fields = hit.fields()
            if fields.get("body") != article.get("body"):
                similar.append(_stored_hit(fields, hit.score, 0))
        return similar

    def _current_searcher(self):
        """A searcher of the latest commit. When the index has changed, the old searcher is closed and a new
        one opened, rather than Whoosh's ``refresh()``, which reuses the readers of unchanged segments and
        leaves the column files of the others for the garbage collector to close."""
        if self._searcher is not None and self._searcher.reader().generation() != self._index.latest_generation():
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self._index.searcher(weighting=whoosh.scoring.BM25F(K1=BM25_K1))
        return self._searcher

    def _scoring(self, searcher) -> _Scoring:
        """The scoring of ``searcher`` (a :meth:`_current_searcher`), which caches per segment statistics."""
        if self._scored is None or self._scored.searcher is not searcher:
            self._scored = _Scoring(searcher)
        return self._scored

    def stats(self) -> IndexStats:
        with self._index.reader() as reader:
            documents = reader.doc_count()
            terms = sum(1 for field in TEXT_FIELDS for _ in reader.lexicon(field))
        files = _file_states(self.path)
        last = max((info.st_mtime for name, info in files.items() if name.endswith(".toc")), default=None)
        return IndexStats(
            path=str(self.path),
            documents=documents,
            terms=terms,
            size_bytes=sum(info.st_size for info in files.values()),
            last_update=dt.datetime.fromtimestamp(last, dt.timezone.utc) if last else None,
        )


class _MappedStorage(whoosh.filedb.filestore.FileStorage):
    """Whoosh's storage of an index folder, reading its files through memory maps.

    Whoosh reads with a seek and a read for every lookup (``StructFile.get``): a term's lookup in a
    segment's hash table takes several, and a query of a dozen terms over the 32 segments of 300,000 poems
    makes thousands of them. From a map, each is a slice of memory. A segment's files never change once
    written (Whoosh writes new ones), so a map stays valid for as long as it is open.
    """

    def open_file(self, name, **kwargs):
        handle = open(self._fpath(name), "rb")
        if not os.fstat(handle.fileno()).st_size:  # (an empty file cannot be mapped)
            return whoosh.filedb.structfile.StructFile(handle, name=name, **kwargs)
        return _MappedFile(handle, name=name, **kwargs)


class _MappedFile(whoosh.filedb.structfile.StructFile):
    """A file of the index read through a read-only memory map of it, which reads, seeks and tells as the
    file would (see :class:`_MappedStorage`). The file itself is closed once mapped: the map holds the one
    descriptor. (Whoosh's reader drops the segments it had opened when another one's files vanish under a
    concurrent commit, and retries: their maps are then freed with them, as its files would be, but
    without a file's ResourceWarning.)"""

    def __init__(self, handle, **kwargs):
        with handle:
            super().__init__(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ), **kwargs)

    def get(self, position: int, length: int) -> bytes:
        return self.file[position : position + length]


class Spellings:
    """The pinyin and the initials of the words of the index's bodies, in a SQLite table in its folder:
    ``chengshi`` and ``cs`` for 城市. A pinyin query looks its words up here and searches the body for them.

    The index held them as fields of their own until format 4, a posting per word and document twice over:
    a quarter of the build's time and of its terms, for what a word's spelling alone says. The table only
    grows (words are added before the index commits, never removed), so whatever it holds beyond the index
    is a word no document has, which a search finds nothing for.
    """

    def __init__(self, path: Path):
        self.path = path
        self._reading: sqlite3.Connection | None = None

    def record(self, words: list[str]) -> None:
        """Record the spellings of those of ``words`` that are Han characters (others have none) and that the
        table does not hold yet: pypinyin takes ~25 µs a word, and most of a segment's words are in the table
        already, from the segments before it."""
        try:
            with contextlib.closing(sqlite3.connect(self.path, timeout=60)) as database, database:
                database.executescript(
                    "CREATE TABLE IF NOT EXISTS spellings (word TEXT PRIMARY KEY, pinyin TEXT, initials TEXT)"
                    " WITHOUT ROWID;"
                    "CREATE INDEX IF NOT EXISTS by_pinyin ON spellings (pinyin);"
                    "CREATE INDEX IF NOT EXISTS by_initials ON spellings (initials);"
                )
                known = {word for (word,) in database.execute(
                    "SELECT word FROM spellings WHERE word IN (SELECT value FROM json_each(?))",
                    (json.dumps(words, ensure_ascii=False),))}
                database.executemany("INSERT OR IGNORE INTO spellings VALUES (?, ?, ?)", [
                    (word, *spelled) for word in words if word not in known and (spelled := analysis.pinyin_of(word))])
        except sqlite3.Error as error:
            # As Whoosh's own failed writes are: the caller reports an OSError as the index not written.
            raise OSError(f"{self.path.name}: {error}") from None

    def words(self, spelling: str) -> dict[str, list[str]]:
        """The words spelled exactly ``spelling``, by ``"pinyin"`` and by ``"initials"``."""
        return {
            column: [word for (word,) in self._query(f"SELECT word FROM spellings WHERE {column} = ?", (spelling,))]
            for column in SPELLING_BOOSTS
        }

    def with_prefix(self, prefix: str) -> list[tuple[str, str]]:
        """``(spelling, word)`` for the words whose pinyin or initials start with ``prefix``."""
        found = []
        for column in SPELLING_BOOSTS:
            found += self._query(
                f"SELECT {column}, word FROM spellings WHERE {column} >= ? AND {column} < ?", (prefix, prefix + "\uffff")
            )
        return found

    def _query(self, sql: str, parameters: tuple) -> list[tuple]:
        if self._reading is None:
            if not self.path.exists():  # no batch of this index has committed words yet
                return []
            # Read-only, so that an index in a folder this user cannot write to still answers.
            self._reading = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True, timeout=60, check_same_thread=False)
        return self._reading.execute(sql, parameters).fetchall()

    def close(self) -> None:
        if self._reading is not None:
            self._reading.close()
            self._reading = None


class IndexWriter:
    """Adds and deletes documents inside one :meth:`WhooshIndex.writer` batch.

    With ``workers`` > 1, once the batch holds :data:`PARALLEL_DOCUMENTS` documents (or
    :data:`PARALLEL_CHARS` of text) its documents are streamed to that many worker processes
    (:class:`_IndexingWorkers`), each writing segments of its own that the commit adds to the index; a smaller
    batch, or one with a single worker, is indexed by this process into segments of its own, the same way.
    Either way nothing is visible before the commit, and nothing of the batch survives a failure.
    """

    def __init__(self, whoosh_writer: whoosh.writing.IndexWriter, whoosh_index: whoosh.index.Index, index_path: Path,
                 workers: int):
        self._writer = whoosh_writer
        self._index = whoosh_index
        self._index_path = index_path
        self._parallel = workers if workers > 1 and _CAN_FORK else 0
        self._held: list[Document] = []  # until there are enough to be worth starting the workers for
        self._held_chars = 0
        self._streamed: _IndexingWorkers | None = None
        self._here: _HeldPostingsWriter | None = None  # the segment this process is writing
        self._written_here: list = []  # and those it has finished

    def add(self, document: Document, replace: bool = True) -> None:
        """Add a document; with ``replace``, first remove any earlier version with the same path."""
        if replace:
            self._writer.delete_by_term("path", document.path)
        if self._streamed is not None:
            self._streamed.add(document)
        elif not self._parallel:
            self._index_here(document)
        else:
            self._held.append(document)
            self._held_chars += _chars(document)
            if len(self._held) >= PARALLEL_DOCUMENTS or self._held_chars >= PARALLEL_CHARS:
                self._streamed = _IndexingWorkers(self._index_path, self._parallel)
                for held in self._held:
                    self._streamed.add(held)
                self._held, self._held_chars = [], 0

    def delete(self, path: str) -> None:
        self._writer.delete_by_term("path", path)

    def commit(self) -> None:
        segments = []
        try:
            if self._streamed is not None:
                segments = self._streamed.finish()
            for document in self._held:
                self._index_here(document)
            if self._here is not None:
                self._written_here.append(_finished(self._here, self._index_path))
                self._here = None
        except BaseException:
            self.cancel()
            raise
        segments += self._written_here

        def merge_small_ones(writer, existing):
            # The existing segments by the policy below, then the new ones beside them.
            return _merge_small_segments(writer, existing) + segments

        with _postings_pickled_natively():  # the merged segments
            self._writer.commit(mergetype=merge_small_ones)

    def cancel(self) -> None:
        """Discard the batch: stop the workers, and drop what the writers hold."""
        if self._streamed is not None:
            self._streamed.close()
        if self._here is not None:
            self._here._close_segment()
            self._here = None
        self._writer.cancel()

    def _index_here(self, document: Document) -> None:
        """Index a document in this process, into a segment of its own as a worker would (a new one when it
        holds :data:`SEGMENT_POSTINGS`)."""
        if self._here is None:
            self._here = _HeldPostingsWriter(self._index, _lk=False, compound=False)
        self._here.add_document(**_fields(document))
        if self._here.pool.postings >= SEGMENT_POSTINGS:
            self._written_here.append(_finished(self._here, self._index_path))
            self._here = None


# Segments are merged only while they hold fewer documents than this (those of small updates). Merging is
# Whoosh's slowest work (one process, posting by posting), and its own policy (MERGE_SMALL) merges ever
# larger segments as they accumulate: 28 segments of 10,000 poems would become one of 280,000 in one commit.
MERGED_SEGMENT_DOCS = 1_000


def _merge_small_segments(writer, segments: list) -> list:
    """Whoosh's MERGE_SMALL over the segments of fewer than :data:`MERGED_SEGMENT_DOCS` documents (those of
    small updates); larger segments stay as they are."""
    large = [segment for segment in segments if segment.doc_count_all() >= MERGED_SEGMENT_DOCS]
    small = [segment for segment in segments if segment.doc_count_all() < MERGED_SEGMENT_DOCS]
    return large + whoosh.writing.MERGE_SMALL(writer, small)


# A batch goes to worker processes from this many documents, or this much text, on (less is not worth
# starting processes for); they are sent in chunks of about CHUNK_CHARS of text, each to the worker that was
# sent the least text so far: small enough that the workers finish a batch together and that a queued chunk
# fits in the pipe, large enough that sending them costs nothing next to indexing them (≈0.3 s of a worker's
# time). With one chunk at a time instead of QUEUED_CHUNKS, a worker waited while this process waited on the
# other: the news build took 60 s instead of 51.
PARALLEL_DOCUMENTS = 64
PARALLEL_CHARS = 2_000_000
CHUNK_CHARS = 30_000
QUEUED_CHUNKS = 2
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def indexing_workers() -> int:
    """How many processes index a batch: one per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _chars(document: Document) -> int:
    return len(document.title) + len(document.body)


class _IndexingWorkers:
    """Forked processes that index the documents of one batch into new segments of the index, not yet part
    of it (the batch's commit adds them; see :func:`_index_sent_documents`).

    Documents are sent to them as they arrive, a chunk at a time, so that the batch is never held here and
    reading the files overlaps with indexing them. Which worker gets a chunk depends only on the text sent so
    far, not on timing, so the same files make the same segments. A worker whose segment is full hands it in
    and ends, and a fresh one takes its place: a process does not give the memory of its postings back to the
    system, so each segment starts from the memory of a new process. Forked, so that each worker starts with
    this process's jieba already loaded (and its user dictionaries registered).
    """

    def __init__(self, index_path: Path, count: int):
        self._index_path = index_path
        self._context = multiprocessing.get_context("fork")
        self._connections: list = [None] * count
        self._processes: list = [None] * count
        for worker in range(count):
            self._start(worker)
        self._sent_chars = [0] * count
        # The chunks each worker was sent and has not acknowledged yet (up to QUEUED_CHUNKS: the next one is
        # there when it finishes one, even while this process waits on another worker).
        self._queued: list[collections.deque[list[Document]]] = [collections.deque() for _ in range(count)]
        self._written: list = []  # the segments of workers that ended
        self._chunk: list[Document] = []
        self._chunk_chars = 0

    def add(self, document: Document) -> None:
        self._chunk.append(document)
        self._chunk_chars += _chars(document)
        if self._chunk_chars >= CHUNK_CHARS:
            self._send_chunk()

    def finish(self) -> list:
        """Wait for the workers to index everything sent; return their segments."""
        try:
            if self._chunk:
                self._send_chunk()
            for worker in range(len(self._connections)):
                while self._queued[worker]:
                    self._receive(worker)
                self._connections[worker].send(("finish", None))
            for worker in range(len(self._connections)):
                self._receive(worker, replace=False)
            return self._written
        finally:
            self.close()

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
        for process in self._processes:
            if process.is_alive():
                process.terminate()
            process.join()

    def _start(self, worker: int) -> None:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_index_sent_documents, args=(str(self._index_path), theirs), daemon=True)
        process.start()
        theirs.close()
        self._connections[worker], self._processes[worker] = ours, process

    def _send_chunk(self) -> None:
        worker = self._sent_chars.index(min(self._sent_chars))
        while len(self._queued[worker]) >= QUEUED_CHUNKS:
            self._receive(worker)
        self._queued[worker].append(self._chunk)
        try:
            self._connections[worker].send(("add", self._chunk))
        except OSError:  # a broken pipe: the worker ended (its replacement is sent the chunk) or died
            self._receive(worker)
        self._sent_chars[worker] += self._chunk_chars
        self._chunk, self._chunk_chars = [], 0

    def _receive(self, worker: int, replace: bool = True) -> None:
        """The worker's answer to the oldest chunk it has not acknowledged (or to ``finish``): taken in, or
        its segments, written as it ended; then, with ``replace``, a fresh worker takes its place and is sent
        the chunks the ended one had not taken."""
        try:
            kind, payload = self._connections[worker].recv()
        except (EOFError, OSError):
            raise self._died() from None
        if kind == "failed":
            raise payload
        queued = self._queued[worker]
        if queued:
            queued.popleft()
        if kind == "ended":
            self._written.extend(payload)
            self._connections[worker].close()
            self._processes[worker].join()
            if replace:
                self._start(worker)
                try:
                    for chunk in queued:
                        self._connections[worker].send(("add", chunk))
                except OSError:  # the replacement died at once (a fork under memory pressure)
                    raise self._died() from None

    def _died(self) -> SearcherIndexError:
        return SearcherIndexError(
            f"a process indexing into {self._index_path} died (out of memory?); the index keeps its last commit"
        )


def _index_sent_documents(index_path: str, connection) -> None:
    """In a worker: index the chunks of documents the parent sends into a segment of its own, left out of the
    index's table of contents, acknowledging each chunk; when the segment holds :data:`SEGMENT_POSTINGS` or
    the parent says ``finish``, finish it, send it back and end. The same internals Whoosh's own
    multi-process writer uses: a writer that does not take the lock, whose segment is finished without a
    commit."""
    _die_with_parent()
    # Ctrl-C reaches the whole process group: it is the parent's to handle, and the parent stops its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    writer = None
    try:
        while True:
            kind, documents = connection.recv()
            if kind == "finish":
                break
            if writer is None:
                writer = _HeldPostingsWriter(whoosh.index.open_dir(index_path, indexname=INDEX_NAME), _lk=False,
                                             compound=False)
            for document in documents:
                writer.add_document(**_fields(document))
            if writer.pool.postings >= SEGMENT_POSTINGS:
                break
            connection.send(("added", None))
        connection.send(("ended", [_finished(writer, Path(index_path))] if writer is not None else []))
    except EOFError:
        return  # the parent went away (it failed, or was interrupted): nothing of this batch is kept
    except Exception as error:  # the parent raises it, as if it had happened there
        try:
            connection.send(("failed", error))
        except Exception:  # an exception that does not pickle
            connection.send(("failed", SearcherIndexError(f"indexing failed: {type(error).__name__}: {error}")))


def _die_with_parent() -> None:
    """In a worker: die with the parent. A parent killed outright (``kill -9``) cannot stop its workers, which
    would otherwise wait for work forever; Linux's PR_SET_PDEATHSIG ends them with it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG


# A worker holds the postings of the segment it writes in memory, about 150 bytes each (measured on poems and
# on news articles); past this many it finishes the segment and a new worker starts another, so that memory
# stays bounded however large the batch: 300,000 poems in four batches peaked at 3.4 GB without the bound.
SEGMENT_POSTINGS = 3_000_000


def _finished(writer: _HeldPostingsWriter, index_path: Path) -> whoosh.codec.base.Segment:
    """The writer's segment, finished, its bodies' words recorded in the index's spellings (which may run
    ahead of the index; see :class:`Spellings`), here rather than by the parent, which then holds none of
    them."""
    words = writer.pool.words("body")
    with _postings_pickled_natively():
        segment = writer._finalize_segment()
    Spellings(index_path / SPELLINGS_FILE).record(words)
    return segment


# Whoosh's W3 codec pickles each block of postings, and the postings it inlines in a term info, with pickle
# protocol 2, which has no bytes type: every posting's value (its encoded positions) is pickled as a call to
# codecs.encode of a latin-1 string, and unpickled by calling it. Protocol 5 has bytes: the blocks of 一 in
# the n-gram field of 300,000 poems unpickle in 20 ms instead of 70 and take 61 % less disk. Every protocol
# is read back by the same pickle.loads, so the files stay Whoosh's own, readable by either version of it.
POSTINGS_PICKLE_PROTOCOL = 5


@contextmanager
def _postings_pickled_natively() -> Iterator[None]:
    """While the block runs, the W3 codec pickles with :data:`POSTINGS_PICKLE_PROTOCOL` (its module's
    ``dumps``, which pickles its blocks, their headers and inlined postings, and nothing else). Only a
    process writing a segment enters it; readers never call ``dumps``."""
    codec = whoosh.codec.whoosh3
    whoosh_dumps = codec.dumps
    codec.dumps = lambda value, protocol=None: pickle.dumps(value, POSTINGS_PICKLE_PROTOCOL)
    try:
        yield
    finally:
        codec.dumps = whoosh_dumps


class _HeldPostings:
    """In place of Whoosh's posting pool for a segment of new documents: the postings held in memory, so
    that writing them needs no sort of tuples and no bookkeeping per posting.

    Whoosh's pool keeps a tuple per posting, pickles them to temporary runs on disk when it holds
    ``limitmb``, and sorts and merges the runs; the segment's field writer then takes them one at a time.
    Here a text field's postings arrive a document at a time as arrays (:meth:`add_text`, kept by
    :class:`_HeldText`) and are grouped by term when the segment is written. The other fields' few postings
    (path, author, categories, date) come from Whoosh one at a time (:meth:`add`) and are grouped by term as
    they arrive; docnums arrive in order, so each term's postings are already sorted.
    """

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self.postings = 0
        self._texts: dict[str, _HeldText] = {}
        self._fields: dict[str, dict[bytes, tuple[array.array, array.array, list[bytes]]]] = {}

    def add(self, item: tuple) -> None:
        fieldname, term, docnum, weight, value = item
        if docnum < 0:  # Whoosh's marker of a spelling word; our fields have no separate spelling
            return
        terms = self._fields.get(fieldname)
        if terms is None:
            self.fieldnames.add(fieldname)
            terms = self._fields[fieldname] = {}
        postings = terms.get(term)
        if postings is None:
            postings = terms[term] = (array.array("I"), array.array("f"), [])
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(value)
        self.postings += 1

    def add_text(self, fieldname: str, field: whoosh.fields.FieldType, docnum: int, text: str, folded: bool) -> int:
        """Add the postings of ``text`` in a text field of :class:`SearcherAnalyzer` (see its
        :meth:`~SearcherAnalyzer.term_positions`) for the document ``docnum``; return the field's length in it
        (its number of tokens)."""
        held = self._texts.get(fieldname)
        if held is None:
            self.fieldnames.add(fieldname)
            held = self._texts[fieldname] = _HeldText(field)
        added, length = held.add(docnum, *field.analyzer.term_positions(text, folded))
        self.postings += added
        return length

    def write(self, field_writer, schema) -> None:
        """Write every posting through ``field_writer``, a segment's W3 field writer: for each term the
        blocks and term info Whoosh's ``FieldWriter.add_postings`` would write posting by posting, except
        that a term of a text field found in at most :data:`INLINE_POSTINGS` documents has its postings in
        its term info (the W3 format's inlined postings) instead of a block of the postings file."""
        for fieldname in sorted(self.fieldnames):
            field_writer.start_field(fieldname, schema[fieldname])
            if fieldname in self._texts:
                self._texts.pop(fieldname).write(field_writer)
            else:
                terms = self._fields.pop(fieldname)
                for term in sorted(terms):
                    _write_term(field_writer, term, *terms[term], None, 0)
            field_writer.finish_field()

    def words(self, fieldname: str) -> list[str]:
        """The distinct terms of a text field of words (the body's, for the spellings table)."""
        held = self._texts.get(fieldname)
        return held.words() if held is not None else []

    def iter_postings(self):
        raise NotImplementedError("a segment of held postings is written with write(), never merged into")

    def cleanup(self) -> None:
        self._texts.clear()
        self._fields.clear()


class _HeldText:
    """The postings of one text field in a segment being written, a document's at a time: its terms' keys
    (a word's number in this segment's vocabulary, an n-gram's code), how often each occurs, and their
    positions if the field keeps them (:class:`SpanPositions`; else its format is Whoosh's ``Frequency``).
    About 30 bytes a posting, against ~150 as a tuple, and no Python object per posting until the segment
    is written."""

    def __init__(self, field: whoosh.fields.FieldType):
        self.analyzer = field.analyzer
        self.keeps_positions = isinstance(field.format, SpanPositions)
        self._vocabulary: dict[str, int] | None = {} if self.analyzer.kind == "words" else None
        self._docnums: list[int] = []
        self._keys: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._positions: list[np.ndarray] = []
        self._length_bytes: dict[int, int] = {}  # Whoosh's length byte of each document's field length

    def add(self, docnum: int, terms: list[str] | np.ndarray, counts: np.ndarray, positions: np.ndarray) -> tuple[int, int]:
        """Hold a document's postings (as :meth:`SearcherAnalyzer.term_positions` gives them); return how many
        postings and how many tokens it has."""
        if self._vocabulary is not None:
            vocabulary = self._vocabulary
            terms = np.array([vocabulary.setdefault(word, len(vocabulary)) for word in terms], np.int64)
        self._docnums.append(docnum)
        self._keys.append(terms)
        self._counts.append(counts.astype(np.int32))
        if self.keeps_positions:
            self._positions.append(positions.astype(np.int32))
        length = len(positions)
        self._length_bytes[docnum] = whoosh.util.numeric.length_to_byte(length)
        return len(counts), length

    def words(self) -> list[str]:
        return list(self._vocabulary or ())

    def write(self, field_writer) -> None:
        """Write the postings, term after term in the order of their bytes, each term's by docnum."""
        keys = np.concatenate(self._keys)
        self._keys.clear()
        if self._vocabulary is not None:
            texts = [word.encode("utf-8") for word in self._vocabulary]
            order = sorted(range(len(texts)), key=texts.__getitem__)
            terms = [texts[number] for number in order]
            ranks = np.empty(len(order), np.int32)
            ranks[order] = np.arange(len(order))
            ranks = ranks[keys]
        else:  # (codes sort as the n-grams' bytes do)
            codes, ranks = np.unique(keys, return_inverse=True)
            terms = [gram.encode("utf-8") for gram in self.analyzer.term_texts(codes)]
        del keys
        counts = np.concatenate(self._counts)
        docnums = np.repeat(np.array(self._docnums, np.int32), [len(each) for each in self._counts])
        self._counts.clear()
        # A stable sort keeps each term's postings in the order they came: by docnum. Each posting's positions
        # are moved with it.
        order = np.argsort(ranks, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(np.bincount(ranks, minlength=len(terms)))])
        del ranks
        positions = None
        if self.keeps_positions:
            positions = np.concatenate(self._positions)
            self._positions.clear()
            first_positions = (np.cumsum(counts, dtype=np.int64) - counts)[order]
            moved = np.cumsum(counts[order], dtype=np.int64) - counts[order]
            positions = positions[np.repeat(first_positions - moved, counts[order]) + np.arange(len(positions))]
            del first_positions, moved
        counts, docnums = counts[order], docnums[order]
        del order
        lengths = np.zeros(max(self._length_bytes, default=0) + 1, np.uint8)
        lengths[list(self._length_bytes)] = list(self._length_bytes.values())
        _write_text_terms(field_writer, terms, bounds, docnums, counts, positions, lengths)


# Most terms of the n-gram and word fields are in one or two documents: a block of the postings file for
# each (pickled, compressed, framed) cost more than indexing their postings. Inlined, a worker's segment of
# 300 news articles was written in 6.8 s instead of 15.1 s, and the index was no larger.
INLINE_POSTINGS = 16

def _write_text_terms(field_writer, terms: list[bytes], bounds: np.ndarray, docnums: np.ndarray, counts: np.ndarray,
                      positions: np.ndarray | None, length_bytes: np.ndarray) -> None:
    """A text field's terms through a W3 field writer: ``terms[t]``'s postings are those from ``bounds[t]`` to
    ``bounds[t + 1]`` of ``docnums`` and ``counts`` (their weights), each posting's positions the next
    ``counts[p]`` of ``positions`` (their values, :class:`SpanPositions`), or, for a field of Whoosh's
    ``Frequency`` format, None (the count is the value); ``length_bytes``: each docnum's length byte in the
    field.

    What Whoosh's W3 writer makes posting by posting, term infos and posting blocks (a term in at most
    :data:`INLINE_POSTINGS` documents with its postings inlined in its term info, see :func:`_term_table_rows`),
    made here from statistics computed for all terms at once, and written to the files a chunk of about
    :data:`WRITTEN_POSTINGS` postings at a time, whose values and Python objects exist only then. Whoosh's
    writer asks the file for its position four times a term, a system call each, and builds each block's
    statistics and lists posting by posting; together 40 % of writing a segment's terms."""
    if not terms:
        return
    firsts = bounds[:-1]
    frequencies = np.diff(bounds)
    # Whoosh's blocks: each term's postings BLOCK at a time, their docnums as gaps from the block's previous.
    block = field_writer._postwriter._blocklimit
    block_starts = (np.arange(len(docnums)) - np.repeat(firsts, frequencies)) % block == 0
    gaps = np.diff(docnums, prepend=0)
    gaps[block_starts] = docnums[block_starts]
    posting_lengths = length_bytes[docnums]
    block_firsts = np.flatnonzero(block_starts)
    del block_starts
    blocks = _Columns(
        counts=np.add.reduceat(counts, block_firsts), max_weights=np.maximum.reduceat(counts, block_firsts),
        min_lengths=np.minimum.reduceat(posting_lengths, block_firsts),
        max_lengths=np.maximum.reduceat(posting_lengths, block_firsts),
        sizes=np.diff(np.append(block_firsts, len(docnums))))
    statistics = _TermStatistics(
        firsts=firsts, frequencies=frequencies, weights=np.add.reduceat(counts, firsts),
        max_weights=np.maximum.reduceat(counts, firsts), min_lengths=np.minimum.reduceat(posting_lengths, firsts),
        max_lengths=np.maximum.reduceat(posting_lengths, firsts), first_ids=docnums[firsts],
        last_ids=docnums[bounds[1:] - 1], first_blocks=np.searchsorted(block_firsts, firsts))
    del posting_lengths, block_firsts
    position_bounds = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
    prefix = whoosh.system.pack_ushort(field_writer._fieldid)
    postings_file = field_writer._postfile
    # Chunks of terms with about WRITTEN_POSTINGS postings (a term with more is a chunk by itself).
    cuts = np.unique(np.searchsorted(bounds, np.arange(0, bounds[-1], WRITTEN_POSTINGS), side="right") - 1)
    for first_term, end_term in zip(cuts.tolist(), [*cuts[1:].tolist(), len(terms)]):
        first, end = bounds[first_term], bounds[end_term]
        chunk = statistics.rows(first_term, end_term, first)
        if positions is None:  # (Whoosh's Frequency: the count, a big-endian unsigned int)
            values, value_ends = counts[first:end].astype(">u4").tobytes(), 4 * np.arange(1, end - first + 1)
        else:  # (SpanPositions)
            values = positions[position_bounds[first] : position_bounds[end]].astype("<u4").tobytes()
            value_ends = 4 * (position_bounds[first + 1 : end + 1] - position_bounds[first])
        extents, written = _posting_blocks(field_writer, chunk, blocks, docnums[first:end], gaps[first:end],
                                           counts[first:end], values, value_ends, postings_file.tell())
        postings_file.write(written)
        keys = [prefix + term for term in terms[first_term:end_term]]
        rows, row_starts = _term_table_rows(keys, chunk, extents, docnums[first:end], counts[first:end], values, value_ends)
        _add_rows(field_writer._tindex, keys, rows, row_starts)


# How many postings _write_text_terms writes at a time (~150 bytes each, then).
WRITTEN_POSTINGS = 250_000


class _Columns:
    """Arrays of the same length side by side; a slice is their slices, as Python lists."""

    def __init__(self, **columns: np.ndarray):
        self.columns = columns

    def __getitem__(self, rows: slice) -> dict[str, list]:
        return {name: column[rows].tolist() for name, column in self.columns.items()}


@dataclass
class _TermStatistics:
    """Each term's statistics (of a field, or of a chunk of its terms, see :meth:`rows`): where its postings
    start, how many there are, their summed and largest weight, the shortest and longest length byte of their
    documents, the first and last docnum, and the term's first block (of _write_text_terms's blocks)."""

    firsts: np.ndarray
    frequencies: np.ndarray
    weights: np.ndarray
    max_weights: np.ndarray
    min_lengths: np.ndarray
    max_lengths: np.ndarray
    first_ids: np.ndarray
    last_ids: np.ndarray
    first_blocks: np.ndarray

    def rows(self, start: int, end: int, first_posting: int) -> _TermStatistics:
        """Those of terms ``start`` to ``end``, ``firsts`` counted from their first posting."""
        chunk = _TermStatistics(**{name: column[start:end] for name, column in vars(self).items()})
        chunk.firsts = chunk.firsts - first_posting
        return chunk


def _posting_blocks(field_writer, terms: _TermStatistics, blocks: _Columns, docnums: np.ndarray, gaps: np.ndarray,
                    counts: np.ndarray, values: bytes, value_ends: np.ndarray, position: int) -> tuple[np.ndarray, bytes]:
    """The blocks of the postings file of the terms in more than :data:`INLINE_POSTINGS` documents, as
    Whoosh's ``W3PostingsWriter`` writes them (a header; then for each block its length, negative for the
    last, its pickled statistics and its pickled, compressed postings), to be written at ``position``; and
    each term's ``(offset, length)`` there (zeros for the inlined ones)."""
    block = field_writer._postwriter._blocklimit
    compression = field_writer._postwriter._compression
    fixed_size = field_writer._format.fixed_value_size()  # (Positions: None; Frequency: 4)
    extents = np.zeros((len(terms.firsts), 2), np.int64)
    written = []
    for term in np.flatnonzero(terms.frequencies > INLINE_POSTINGS).tolist():
        first, frequency, first_block = int(terms.firsts[term]), int(terms.frequencies[term]), int(terms.first_blocks[term])
        end = first + frequency
        term_gaps, term_ids = gaps[first:end].tolist(), docnums[first:end].tolist()
        weights = counts[first:end].astype(np.float64).tolist()
        ends = value_ends[first:end].tolist()
        term_values = [values[start:stop] for start, stop in zip([value_ends[first - 1] if first else 0, *ends[:-1]], ends)]
        pieces = [whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC]
        at = 0
        term_blocks = blocks[first_block : first_block - (-frequency // block)]
        for size, summed, max_weight, min_length, max_length in zip(
                term_blocks["sizes"], term_blocks["counts"], term_blocks["max_weights"], term_blocks["min_lengths"],
                term_blocks["max_lengths"]):
            if summed == size:
                mini_weights = None
            elif max_weight * size == summed:
                mini_weights = weights[at]
            else:
                mini_weights = tuple(weights[at : at + size])
            block_values = term_values[at : at + size]
            # (W3PostingsWriter._mini_values: a format of fixed-size values has them joined)
            block_values = b"".join(block_values) if fixed_size else tuple(block_values)
            data = pickle.dumps((tuple(term_gaps[at : at + size]), mini_weights, block_values), POSTINGS_PICKLE_PROTOCOL)
            compressed = compression if len(data) >= _COMPRESSED_BLOCK_BYTES else 0
            if compressed:
                data = zlib.compress(data, compressed)
            info = pickle.dumps((size, term_ids[at + size - 1], float(max_weight), compressed, min_length, max_length),
                                POSTINGS_PICKLE_PROTOCOL)
            at += size
            pieces += [whoosh.system.pack_int((len(info) + len(data)) * (-1 if at == frequency else 1)), info, data]
        term_bytes = b"".join(pieces)
        extents[term] = position, len(term_bytes)
        written.append(term_bytes)
        position += len(term_bytes)
    return extents, b"".join(written)


# A block's pickle shorter than this is written uncompressed (its compression level 0, which every reader
# honours): whoosh3's measured threshold, below which zlib's header and checksum outgrow what it saves.
_COMPRESSED_BLOCK_BYTES = 80

# W3TermInfo's statistics (its struct "!BfIBBfII"), as a NumPy record.
_TERM_INFO = np.dtype([("inlined", "u1"), ("weight", ">f4"), ("documents", ">u4"), ("min_length", "u1"),
                       ("max_length", "u1"), ("max_weight", ">f4"), ("first", ">u4"), ("last", ">u4")])


def _term_table_rows(keys: list[bytes], terms: _TermStatistics, extents: np.ndarray, docnums: np.ndarray,
                     counts: np.ndarray, values: bytes, value_ends: np.ndarray) -> tuple[bytes, np.ndarray]:
    """The rows of the term table for ``keys`` (a field's number, then a term), laid out one after another
    as Whoosh's ``HashWriter.add`` writes a row (the lengths of key and value as "!ii", the key, the value),
    and where each starts. A row's value is ``W3TermInfo.to_bytes()``: the term's statistics, then either
    the extent of its blocks in the postings file (a long and an int) or its postings inlined, a pickled
    tuple of three tuples (docnums, weights, values).

    Made for all rows at once as arrays: a Python call or two per term (struct, pickle, concatenation) was
    half of writing a segment's terms, most terms being in one or two documents. The pickles are made of
    the opcodes Whoosh's ``pickle.loads`` reads them with: MARK, BININT (a docnum), TUPLE; MARK, BINFLOAT
    (a weight), TUPLE; MARK, SHORT_BINBYTES or BINBYTES (a value), TUPLE; TUPLE3, STOP.

    >>> keys, terms = [b"\\x00\\x00ab"], _TermStatistics(*(np.array([v]) for v in (0, 2, 3, 2, 4, 9, 5, 7, 0)))
    >>> rows, starts = _term_table_rows(keys, terms, np.zeros((1, 2), np.int64), np.array([5, 7]), np.array([1, 2]), b"xyzw", np.array([1, 4]))
    >>> info = whoosh.codec.whoosh3.W3TermInfo.from_bytes(rows[8 + len(keys[0]) :])
    >>> info.inlined_postings(), info.doc_frequency(), info.weight()
    (((5, 7), (1.0, 2.0), (b'x', b'yzw')), 2, 3.0)
    """
    count = len(keys)
    frequencies = terms.frequencies
    inline = frequencies <= INLINE_POSTINGS
    # The inlined postings' pickles: 8 bytes of opcodes, and for each posting 14 (a docnum, a weight), its
    # value and the 2 or 5 bytes before it.
    value_sizes = np.diff(value_ends, prepend=0)
    value_heads = np.where(value_sizes < 256, 2, 5)
    pickle_sizes = 8 + np.add.reduceat(14 + value_heads + value_sizes, terms.firsts)
    info_sizes = _TERM_INFO.itemsize + np.where(inline, pickle_sizes, 12)
    key_sizes = np.fromiter(map(len, keys), np.int64, count)
    row_sizes = 8 + key_sizes + info_sizes
    row_starts = np.cumsum(row_sizes) - row_sizes
    out = np.zeros(int(row_starts[-1] + row_sizes[-1]), np.uint8)

    def put(at: np.ndarray, data: np.ndarray) -> None:  # each row of data (bytes) at its offset
        out[at[:, None] + np.arange(data.shape[1])] = data

    put(row_starts, np.stack([key_sizes, info_sizes], axis=1).astype(">i4").view(np.uint8))
    key_offsets = np.cumsum(key_sizes) - key_sizes
    out[np.repeat(row_starts + 8 - key_offsets, key_sizes) + np.arange(int(key_sizes.sum()))] = np.frombuffer(
        b"".join(keys), np.uint8)
    info_starts = row_starts + 8 + key_sizes
    header = np.zeros(count, _TERM_INFO)
    header["inlined"], header["weight"], header["documents"] = inline, terms.weights, frequencies
    header["min_length"], header["max_length"], header["max_weight"] = terms.min_lengths, terms.max_lengths, terms.max_weights
    header["first"], header["last"] = terms.first_ids, terms.last_ids
    put(info_starts, header.view(np.uint8).reshape(count, _TERM_INFO.itemsize))
    tails = info_starts + _TERM_INFO.itemsize  # where the extent or the pickle goes
    put(tails[~inline], extents[~inline, :1].astype(">i8").view(np.uint8))
    put(tails[~inline] + 8, extents[~inline, 1:].astype(">i4").view(np.uint8))

    # The inlined postings, each posting at its place in its term's pickle.
    inlined = np.flatnonzero(np.repeat(inline, frequencies))
    term_of = np.repeat(np.arange(count), frequencies)[inlined]
    nth = inlined - terms.firsts[term_of]  # the posting's place among its term's
    start, size = tails[term_of], frequencies[term_of]
    pickles, sizes = tails[inline], frequencies[inline]
    out[pickles] = out[pickles + 2 + 5 * sizes] = out[pickles + 4 + 14 * sizes] = ord("(")  # MARK
    out[pickles + 1 + 5 * sizes] = out[pickles + 3 + 14 * sizes] = ord("t")  # TUPLE
    out[start + 1 + 5 * nth] = ord("J")  # BININT
    put(start + 2 + 5 * nth, docnums[inlined].astype("<i4").reshape(-1, 1).view(np.uint8))
    out[start + 3 + 5 * size + 9 * nth] = ord("G")  # BINFLOAT
    put(start + 4 + 5 * size + 9 * nth, counts[inlined].astype(">f8").reshape(-1, 1).view(np.uint8))
    # Values: SHORT_BINBYTES and a byte of length, or BINBYTES and four, then the value.
    heads = (value_heads + value_sizes)[inlined]
    before = np.cumsum(heads) - heads
    value_at = start + 5 + 14 * size + before - (before[np.searchsorted(inlined, terms.firsts[term_of])])
    short = value_sizes[inlined] < 256
    out[value_at] = np.where(short, ord("C"), ord("B"))
    out[value_at[short] + 1] = value_sizes[inlined][short]
    put(value_at[~short] + 1, value_sizes[inlined][~short].astype("<u4").reshape(-1, 1).view(np.uint8))
    data_sizes, data_from = value_sizes[inlined], (value_ends - value_sizes)[inlined]
    data_at = value_at + value_heads[inlined]
    copied = np.arange(int(data_sizes.sum())) - np.repeat(np.cumsum(data_sizes) - data_sizes, data_sizes)
    out[np.repeat(data_at, data_sizes) + copied] = np.frombuffer(values, np.uint8)[np.repeat(data_from, data_sizes) + copied]
    ends = pickles + pickle_sizes[inline]
    out[ends - 3], out[ends - 2], out[ends - 1] = ord("t"), 0x87, ord(".")  # TUPLE, TUPLE3, STOP
    return out.tobytes(), row_starts


def _add_rows(table, keys: list[bytes], rows: bytes, row_starts: np.ndarray) -> None:
    """Whoosh's ``OrderedHashWriter.add`` of each key (ascending) and its row (:func:`_term_table_rows`), the
    rows written to its file at once: Whoosh writes each in three pieces, asking the file for its position."""
    if not keys:
        return
    if keys[0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{keys[0]!r}")
    positions = (row_starts + table.dbfile.tell()).tolist()
    hash_key, buckets = table.hashfn, table.buckets
    for key, position in zip(keys, positions):
        hashed = hash_key(key)
        buckets[hashed & 255].append((hashed, position))
    table.index.extend(positions)
    table.lastkey = keys[-1]
    table.dbfile.write(rows)


def _write_term(field_writer, term: bytes, docnums: array.array, weights: array.array, values: list[bytes],
                lengths: list[int] | None, inline: int) -> None:
    """One term's postings through a W3 field writer. Its postings writer's block buffer is filled as its
    ``add_posting`` fills it (ids, weights, non-empty values, the block's largest weight and its shortest
    and longest document), a block at a time, and it writes the blocks: the bytes are Whoosh's own."""
    field_writer.start_term(term)
    postings_writer = field_writer._postwriter
    limit = postings_writer._blocklimit
    total = len(docnums)
    for start in range(0, total, limit):
        end = min(start + limit, total)
        if start:
            postings_writer._write_block()
        block_docnums = postings_writer._ids = docnums[start:end]
        block_weights = postings_writer._weights = weights[start:end]
        postings_writer._values = [value for value in values[start:end] if value]
        postings_writer._maxweight = max(max(block_weights), 0)
        if lengths is not None:
            block_lengths = [lengths[docnum] for docnum in block_docnums if lengths[docnum]]
            if block_lengths:
                postings_writer._minlength = min(block_lengths)
                postings_writer._maxlength = max(block_lengths)
    if total > inline:
        field_writer.finish_term()
        return
    terminfo = postings_writer._terminfo
    terminfo.add_block(postings_writer)
    terminfo.set_inlined(postings_writer._ids, postings_writer._weights, postings_writer._values)
    postings_writer._terminfo = None
    field_writer._tindex.add(whoosh.system.pack_ushort(field_writer._fieldid) + term, terminfo.to_bytes())


class _HeldPostingsWriter(whoosh.writing.SegmentWriter):
    """Whoosh's segment writer with :class:`_HeldPostings` for its pool, for the segments of new documents
    (nothing merged into them), written in worker processes or in this one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool = _HeldPostings()

    def add_document(self, **fields) -> None:
        """Whoosh's ``SegmentWriter.add_document`` for searcher's schema (no boosts, vectors or separate
        spellings), except that a text field's postings are added for the whole document at once
        (:meth:`_HeldPostings.add_text`), from the folded title and body :func:`_fields` gives with the
        document: Whoosh's asks the field for them a tuple at a time, ~5,000,000 on the news corpus."""
        self._check_state()
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        folded = fields.get("_folded", {})
        perdocwriter.start_doc(docnum)
        for fieldname in sorted(name for name in fields if not name.startswith("_")):
            value = fields[fieldname]
            if value is None:
                continue
            field = self.schema[fieldname]
            length = 0
            if isinstance(field.analyzer, SearcherAnalyzer):
                text, is_folded = (folded[fieldname], True) if fieldname in folded else (value, field.analyzer.kind in _NGRAM_SIZES)
                length = self.pool.add_text(fieldname, field, docnum, text, is_folded)
            elif field.indexed:
                for term, _, weight, encoded in field.index(value):
                    self.pool.add((fieldname, term, docnum, weight, encoded))
            stored = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        self.pool.write(self.fieldwriter, self.schema)
        self.fieldwriter.close()


def _fields(document: Document) -> dict:
    """A document as the fields of the schema, with its folded title and body under ``_folded`` (a name
    Whoosh ignores): the character and bigram fields' text, the stored folded body and the sketch are made
    from them, and :class:`_HeldPostingsWriter` analyses them, so that a document is folded once."""
    title, body = fold(document.title), fold(document.body)
    shadow = _bounded(body)
    substrings = _bounded(f"{title}\n{shadow}")  # (the text of both n-gram fields)
    fields = {
        "path": document.path,
        "title": document.title,
        "body": document.body,
        "chars": substrings,
        "grams": substrings,
        "author": document.author,
        "categories": ",".join(category.replace(",", " ") for category in document.categories),
        "_stored_categories": document.categories,
        "metadata": document.metadata,
        "file_state": f"{document.mtime_ns} {document.size} {document.content_hash}".encode("ascii"),
        "sketch": array.array("I", duplicates.folded_sketch(shadow)).tobytes(),
        "folded_body": shadow,
        "_folded": {"title": title, "body": body},
    }
    if document.date is not None:
        fields["date"] = document.date.replace(tzinfo=None)
        fields["date_iso"] = document.date.isoformat()
    return fields


def _file_states(folder: Path) -> dict[str, os.stat_result]:
    """The files of a folder with their states, leaving out those that vanish while it is listed (a writer
    in another process merging segments deletes files at any moment)."""
    states = {}
    for entry in os.scandir(folder):
        try:
            if entry.is_file():
                states[entry.name] = entry.stat()
        except FileNotFoundError:
            continue
    return states


def _checksum(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _read_synonyms(path: Path) -> str:
    try:
        return (path / SYNONYMS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_SHADOW_CHARS else text[:MAX_SHADOW_CHARS]


def _write_marker(marker: Path, extra: dict) -> None:
    info = {
        "format": FORMAT_VERSION,
        "analysis": analysis.ANALYSIS_SIGNATURE,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(),
        **extra,
    }
    temporary = marker.with_name(marker.name + ".tmp")
    temporary.write_text(json.dumps(info) + "\n", encoding="utf-8")
    os.replace(temporary, marker)


def _check_marker(marker: Path) -> dict:
    """Refuse an index this version cannot read correctly: another format, or another analysis (whose
    query terms would not match the indexed ones, giving wrong results rather than an error)."""
    rebuild = f"rebuild it with `searcher index FOLDER --rebuild --index {marker.parent}`"
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        version, signature = info["format"], info["analysis"]
    except (OSError, ValueError, KeyError, TypeError):
        raise IndexFormatError(f"{marker} is unreadable or incomplete: {rebuild}") from None
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"{marker.parent} is in index format {version}, this searcher reads format {FORMAT_VERSION}: {rebuild}"
        )
    if signature != analysis.ANALYSIS_SIGNATURE:
        raise IndexFormatError(
            f"{marker.parent} was analysed as {signature!r}, this searcher analyses as "
            f"{analysis.ANALYSIS_SIGNATURE!r}: {rebuild}"
        )
    return info


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.name}.{suffix}")


def _recover_interrupted_swap(path: Path) -> None:
    aside = _sibling(path, "old")
    if not path.exists() and aside.is_dir():
        os.rename(aside, path)


def _within(found: _Matches, allowed: np.ndarray | None, excluded: np.ndarray | None) -> _Matches:
    """The matches of ``found`` in ``allowed`` (all if None) and not in ``excluded`` (ascending docnums)."""
    if allowed is None and (excluded is None or not len(excluded)):
        return found
    kept = np.ones(len(found), bool) if allowed is None else np.zeros(len(found), bool)
    if allowed is not None:
        kept[_common(found.ids, allowed)[0]] = True
    if excluded is not None:
        kept[_common(found.ids, excluded)[0]] = False
    return _Matches(found.ids[kept], found.scores[kept])


def _best(found: _Matches, count: int) -> list[tuple[int, float]]:
    """The ``count`` best matches as ``(docnum, score)``, in Whoosh's order: higher scores first, and of
    equal ones the earlier document."""
    scores = found.scores
    if len(scores) > count:  # only those scoring at least the count-th best can be among them
        candidates = np.flatnonzero(scores >= np.partition(scores, len(scores) - count)[len(scores) - count])
    else:
        candidates = np.arange(len(scores))
    best = candidates[np.lexsort((found.ids[candidates], -scores[candidates]))][:count]
    return list(zip(found.ids[best].tolist(), scores[best].tolist(), strict=True))


# More-like-this: the words of an article its query is made of, and how many copies of it to allow for.
SIMILAR_TERMS = 25
SIMILAR_COPIES = 20

UNDATED = 2**64 - 1  # the date column's value for a document without a date

# The fields a search can count values of, by the name the query language gives them.
FACET_FIELDS = {"author": "author", "category": "categories"}
FACET_VALUES = 10


def _facet_counts(reader, name: str, matched: np.ndarray) -> list[tuple[str, int]]:
    """The most frequent values of a facet among the matched documents (``matched``: for each docnum,
    whether it is one), with their counts."""
    field_name = FACET_FIELDS[name]
    if not matched.any():
        return []
    counts = []
    for term in reader.lexicon(field_name):
        count = int(np.count_nonzero(matched[np.fromiter(reader.postings(field_name, term).all_ids(), np.int64)]))
        if count:
            counts.append((_text(term), count))
    counts.sort(key=lambda pair: (-pair[1], pair[0]))
    return counts[:FACET_VALUES]


def _stored_hit(fields: dict, score: float, tier: int) -> StoredHit:
    date = fields.get("date_iso")
    return StoredHit(
        path=fields["path"],
        title=fields.get("title", ""),
        body=fields.get("body", ""),
        author=fields.get("author", ""),
        categories=list(fields.get("categories") or []),
        date=dt.datetime.fromisoformat(date) if isinstance(date, str) else None,
        metadata=fields.get("metadata") or {},
        score=float(score),
        tier=tier,
        sketch=tuple(array.array("I", fields.get("sketch") or b"")),
        folded_body=fields.get("folded_body", ""),
    )


def _translate(node: Query, spellings: Spellings) -> whoosh.query.Query:
    """Our query tree as a Whoosh query (``spellings``: the words of the index a pinyin query stands for)."""
    if isinstance(node, Words):
        fields = (node.field,) if node.field else TEXT_FIELDS
        words = _all_of([_in_any_field(fields, token) for token in node.tokens])
        if len(node.tokens) > 1:
            # All words are required; where they also stand together, as typed, the document ranks higher.
            words = whoosh.query.AndMaybe(words, _phrase(fields, node.tokens))
        if node.field or not node.text or len(node.text) > MAX_TYPED_RUN:
            return words
        return whoosh.query.Or([words, _substring(node.text)])
    if isinstance(node, Phrase):
        fields = (node.field,) if node.field else TEXT_FIELDS
        if node.field or not node.text:
            return _phrase(fields, node.tokens)
        return whoosh.query.AndMaybe(_substring(node.text), _phrase(fields, node.tokens))
    if isinstance(node, Pinyin):
        # Every word of the bodies spelled so, in full or by its initials.
        return whoosh.query.Or(
            [
                whoosh.query.Term("body", word, boost=SPELLING_BOOSTS[kind])
                for kind, words in spellings.words(node.text).items()
                for word in words
            ]
        )
    if isinstance(node, WordPrefix):
        return whoosh.query.Prefix(node.field, fold(node.text), boost=FIELD_BOOSTS[node.field], constantscore=False)
    if isinstance(node, Exact):
        return whoosh.query.Term(node.field, node.value)
    if isinstance(node, DateRange):
        return whoosh.query.DateRange("date", node.start, node.end, endexcl=True)
    if isinstance(node, Everything):
        return whoosh.query.Every()
    if isinstance(node, And):
        # Exclusions stay Not() children of the And (an intersection with an inverse matcher), never
        # whoosh.query.AndNot: its matcher returns excluded documents depending on the order they were
        # added (whoosh-community/whoosh#419, unfixed in 2.7.4 and in whoosh3).
        return _all_of([_translate(child, spellings) for child in node.children])
    if isinstance(node, Or):
        return whoosh.query.Or([_translate(child, spellings) for child in node.children])
    if isinstance(node, Not):
        return whoosh.query.Not(_translate(node.child, spellings))
    raise TypeError(f"not a query node: {node!r}")


def _text(term: bytes | str) -> str:
    """A term as text (Whoosh 2.7 gives lexicon terms as UTF-8 bytes)."""
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _in_any_field(fields: tuple[str, ...], token: str) -> whoosh.query.Query:
    terms = [whoosh.query.Term(field, token, boost=FIELD_BOOSTS[field]) for field in fields]
    return terms[0] if len(terms) == 1 else whoosh.query.Or(terms)


def _phrase(fields: tuple[str, ...], tokens: tuple[str, ...]) -> whoosh.query.Query:
    if len(tokens) == 1:
        return _in_any_field(fields, tokens[0])
    phrases = [whoosh.query.Phrase(field, list(tokens), boost=FIELD_BOOSTS[field]) for field in fields]
    return phrases[0] if len(phrases) == 1 else whoosh.query.Or(phrases)


def _substring(text: str) -> whoosh.query.Query:
    """Documents whose title or body contain ``text`` (folded), through the n-gram field."""
    grams = analysis.ngram_terms(text)
    if len(grams) == 1:
        field = "chars" if len(grams[0]) == 1 else "grams"
        return whoosh.query.Term(field, grams[0], boost=FIELD_BOOSTS[field])
    return whoosh.query.Phrase("grams", list(grams), boost=FIELD_BOOSTS["grams"])


def _all_of(queries: list[whoosh.query.Query]) -> whoosh.query.Query:
    return queries[0] if len(queries) == 1 else whoosh.query.And(queries)


@dataclass(frozen=True)
class _Matches:
    """The documents a query matches: their numbers, ascending, and their scores."""

    ids: np.ndarray  # int64
    scores: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.ids)

    @staticmethod
    def joined(parts: Sequence[_Matches | _SegmentPostings]) -> _Matches:
        """The matches of segments one after another (their docnums follow each other, so the result is in
        order)."""
        if not parts:
            return _NO_MATCHES
        return _Matches(np.concatenate([part.ids for part in parts]), np.concatenate([part.scores for part in parts]))


_NO_MATCHES = _Matches(np.zeros(0, np.int64), np.zeros(0))


@dataclass(frozen=True)
class _SegmentPostings:
    """A term's postings in one segment, deleted documents left out: index-wide docnums, BM25F scores, values."""

    ids: np.ndarray  # int64, ascending
    scores: np.ndarray  # float64
    values: list[bytes]


class _Scoring:
    """Every match of a query with its score, for the query shapes :func:`_translate` makes, computed a
    posting list at a time instead of through Whoosh's tree of matchers.

    Whoosh scores a query document by document: each of its matchers moves to the next match, asks its
    children, and scores a posting through several calls, about 40 µs per matched document for a query of a
    few words, and a phrase decodes its words' positions into span objects (a news phrase in 2,000 articles
    took 340 ms). Here a term's posting list is read a block at a time and its BM25F scores computed for
    the whole list at once (NumPy arrays), from the same statistics and in the same operations as Whoosh's
    scorer, so the scores are Whoosh's up to the order floating point sums are added in; Or, And, AndMaybe
    and phrases combine whole arrays. Done posting by posting in Python, scoring and combining cost more
    than reading the postings: 300,000 poems, a query of common characters matching 90,000 of them took
    300 ms. A query node of any other kind is run through Whoosh's own matcher.
    """

    def __init__(self, searcher):
        self.searcher = searcher
        self._weighting = searcher.weighting
        self._leaves = searcher.leaf_searchers()
        self._documents = searcher.doc_count_all()  # every docnum is below it
        self._lengths: dict[tuple[int, str], np.ndarray] = {}  # see _segment_lengths
        self._norms: dict[str, np.ndarray] = {}  # see _length_norms
        self._kept: dict[tuple[str, str], list[_SegmentPostings | None]] = {}  # see _scored_postings
        self._kept_postings = 0

    def scores(self, query: whoosh.query.Query) -> _Matches:
        """The matching documents, with their scores."""
        kind = type(query)
        if kind is whoosh.query.Term and self._is_scored(query.fieldname):
            found = self._term(query.fieldname, query.text)
        elif kind is whoosh.query.Phrase and query.slop == 1 and self._is_scored(query.fieldname):
            found = self._phrase(query.fieldname, query.words)
        elif kind is whoosh.query.Prefix and not query.constantscore and query.boost == 1.0 and self._is_scored(query.fieldname):
            # Whoosh's Prefix is an Or of the terms each segment has with the prefix.
            words = {_text(word) for subsearcher, _ in self._leaves
                     for word in subsearcher.reader().expand_prefix(query.fieldname, query.text) if word}
            return self.scores(whoosh.query.Or([whoosh.query.Term(query.fieldname, word) for word in sorted(words)]))
        elif kind is whoosh.query.Or and not query.scale:
            found = self._any_of([self.scores(child) for child in query.subqueries])
        elif kind is whoosh.query.And:
            found = self._all_of(query.subqueries)
        elif kind is whoosh.query.AndMaybe:
            found = self.scores(query.a)
            if len(found):
                maybe = self.scores(query.b)
                here, there = _common(found.ids, maybe.ids)
                scores = found.scores.copy()
                scores[here] += maybe.scores[there]
                found = _Matches(found.ids, scores)
        else:
            return self._by_whoosh(query)
        if query.boost != 1.0:
            found = _Matches(found.ids, found.scores * query.boost)
        return found

    def _any_of(self, matches: list[_Matches]) -> _Matches:
        """The documents of any of ``matches``, each scored the sum of its scores there, added in their order."""
        matches = [found for found in matches if len(found)]
        if len(matches) <= 1:
            return matches[0] if matches else _NO_MATCHES
        ids = np.concatenate([found.ids for found in matches])
        scores = np.concatenate([found.scores for found in matches])
        # bincount adds up each document's scores in the order it is given them, from 0.
        if len(ids) * 16 < self._documents:  # a few: sorted, rather than an array the size of the index
            ids, where = np.unique(ids, return_inverse=True)
            return _Matches(ids, np.bincount(where, weights=scores))
        summed = np.bincount(ids, weights=scores, minlength=self._documents)
        matched = np.zeros(self._documents, bool)
        matched[ids] = True
        ids = np.flatnonzero(matched)
        return _Matches(ids, summed[ids])

    def _all_of(self, queries: Sequence[whoosh.query.Query]) -> _Matches:
        wanted = [self.scores(child) for child in queries if not isinstance(child, whoosh.query.Not)]
        excluded = [child.query for child in queries if isinstance(child, whoosh.query.Not)]
        if not wanted:
            return self._by_whoosh(whoosh.query.And(list(queries)))
        wanted.sort(key=len)
        found = wanted[0]
        for other in wanted[1:]:
            here, there = _common(found.ids, other.ids)
            found = _Matches(found.ids[here], found.scores[here] + other.scores[there])
        for child in excluded:
            if not len(found):
                break
            found = _within(found, None, self.scores(child).ids)
            # Whoosh's matcher of an exclusion inside an intersection scores each document it lets through 1.
            found = _Matches(found.ids, found.scores + 1.0)
        return found

    def _is_scored(self, fieldname: str) -> bool:
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        return field is not None and field.scorable and isinstance(self._weighting, whoosh.scoring.BM25F)

    def _term(self, fieldname: str, text) -> _Matches:
        return _Matches.joined([postings for postings in self._scored_postings(fieldname, text) if postings is not None])

    def _phrase(self, fieldname: str, words: Sequence[str]) -> _Matches:
        """The documents where ``words`` stand one after another, each scored as the sum of its words' scores
        (what Whoosh's phrase matcher gives: its intersection's score)."""
        if len(words) == 1:
            return self._term(fieldname, words[0])
        found = []
        by_word = [self._scored_postings(fieldname, word) for word in words]
        for leaf in range(len(self._leaves)):
            lists = [postings[leaf] for postings in by_word]
            if any(postings is None for postings in lists):
                continue
            ids = lists[0].ids
            where = [np.arange(len(ids))]  # for each word, where each of the documents having them all is
            for postings in lists[1:]:
                here, there = _common(ids, postings.ids)
                ids, where = ids[here], [*(found_at[here] for found_at in where), there]
            columns = [found_at.tolist() for found_at in where]
            adjacent = [candidate for candidate in range(len(ids)) if _stand_together(
                [postings.values[column[candidate]] for postings, column in zip(lists, columns, strict=True)])]
            if adjacent:
                found.append(_Matches(ids[adjacent], _tree_sum(
                    [postings.scores[found_at[adjacent]] for postings, found_at in zip(lists, where, strict=True)])))
        return _Matches.joined(found)

    def _scored_postings(self, fieldname: str, text) -> list[_SegmentPostings | None]:
        """For each segment, a term's postings without deleted documents, scored, or None where the segment
        lacks the term. Kept for the next queries (the tiers of a search share their terms), up to
        :data:`SCORED_POSTINGS_KEPT` postings."""
        key = (fieldname, text)
        if key in self._kept:
            return self._kept[key]
        btext = self.searcher.schema[fieldname].to_bytes(text)
        raw = [_postings(subsearcher.reader(), fieldname, btext) for subsearcher, _ in self._leaves]
        # Whoosh's BM25F idf (WeightingModel.idf), from the index's document frequency of the term: the
        # postings of every segment, deleted documents included, as its term infos count them.
        frequency = sum(len(postings[0]) for postings in raw if postings is not None)
        if not frequency:
            return [None] * len(raw)
        idf = math.log(self._documents / (frequency + 1)) + 1
        k1_plus_1 = self._weighting.K1 + 1
        norms = self._length_norms(fieldname)
        scored: list[_SegmentPostings | None] = []
        for leaf, postings in enumerate(raw):
            if postings is None:
                scored.append(None)
                continue
            ids, weights, values, deleted = postings
            ids, weights = np.array(ids, np.int64), np.array(weights, np.float64)
            # Whoosh's BM25FScorer, operation for operation, with the length normalisation looked up.
            scores = idf * ((weights * k1_plus_1) / (weights + norms[self._segment_lengths(leaf, fieldname)[ids]]))
            if deleted:
                kept = ~np.isin(ids, np.fromiter(deleted, np.int64, len(deleted)))
                ids, scores = ids[kept], scores[kept]
                values = list(itertools.compress(values, kept.tolist()))
            scored.append(_SegmentPostings(ids + self._leaves[leaf][1], scores, values))
        self._kept_postings += frequency
        if self._kept_postings > SCORED_POSTINGS_KEPT:
            self._kept.clear()
            self._kept_postings = frequency
        self._kept[key] = scored
        return scored

    def _segment_lengths(self, leaf: int, fieldname: str) -> np.ndarray:
        """A segment's length bytes of a field (see :func:`_length_bytes`), one per docnum, 0 where the
        column has none (Whoosh's scorer reads those as a byte of 0 too)."""
        key = (leaf, fieldname)
        if key not in self._lengths:
            reader = self._leaves[leaf][0].reader()
            lengths = np.zeros(reader.doc_count_all(), np.uint8)
            column = _length_bytes(reader, fieldname)[: len(lengths)]
            lengths[: len(column)] = np.frombuffer(column, np.uint8)
            self._lengths[key] = lengths
        return self._lengths[key]

    def _length_norms(self, fieldname: str) -> np.ndarray:
        """For each field length byte, BM25's length normalisation ``K1 * ((1 - B) + B * length / average
        length)``: the same for every segment, since the average length is the index's."""
        if fieldname not in self._norms:
            weighting = self._weighting
            B, K1 = weighting.B, weighting.K1  # (the BM25F of _current_searcher: no B of its own per field)
            average = self.searcher.avg_field_length(fieldname) or 1
            self._norms[fieldname] = np.array([K1 * ((1 - B) + B * length / average) for length in _BYTE_LENGTHS])
        return self._norms[fieldname]

    def _by_whoosh(self, query: whoosh.query.Query) -> _Matches:
        ids, scores = [], []
        context = self.searcher.context()
        for subsearcher, offset in self._leaves:
            matcher = query.matcher(subsearcher, context)
            while matcher.is_active():
                ids.append(offset + matcher.id())
                scores.append(matcher.score())
                matcher.next()
        return _Matches(np.array(ids, np.int64), np.array(scores, np.float64))


def _common(ids: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the docnums that two ascending arrays both hold are: ``(positions in ids, positions in
    others)``. The shorter one is looked up in the longer, so a rare word's few documents cost a few binary
    searches of a common word's many."""
    if len(ids) > len(others):
        there, here = _common(others, ids)
        return here, there
    where = np.searchsorted(others, ids)
    inside = where < len(others)
    inside[inside] = others[where[inside]] == ids[inside]
    return np.flatnonzero(inside), where[inside]


def _stand_together(values: list[bytes]) -> bool:
    """Whether one document's postings of consecutive words (their values) have the words one after another:
    a position of the first word, the next position of the second, and so on."""
    starts: set[int] | None = None
    for shift, value in enumerate(values):
        positions = [position - shift for position in _decoded_positions(value)]
        starts = set(positions) if starts is None else starts.intersection(positions)
        if not starts:
            return False
    return True


# How many postings a searcher's scoring keeps read and scored for the next queries (about 100 bytes each).
SCORED_POSTINGS_KEPT = 1_000_000


def _postings(reader, fieldname: str, btext: bytes) -> tuple[list[int], list[float], list, frozenset] | None:
    """A term's postings in one segment, ``(docnums, weights, values, deleted documents)``, deleted documents
    included; None if the segment does not have the term."""
    try:
        matcher = reader.postings(fieldname, btext)
    except whoosh.reading.TermNotFound:
        return None
    deleted = frozenset()
    if isinstance(matcher, whoosh.matching.FilterMatcher):
        deleted, matcher = matcher._ids, matcher.child
    if isinstance(matcher, whoosh.matching.ListMatcher):  # inlined in the term info
        ids = list(matcher._ids)
        weights = list(matcher._weights) if matcher._weights is not None else [matcher._all_weights] * len(ids)
        return ids, weights, list(matcher._values or [b""] * len(ids)), deleted
    ids, weights, values = [], [], []
    while matcher.is_active():  # a block at a time
        # Whoosh's _read_ids and _read_weights, without their Python generators (the docnums' gaps summed one
        # by one, a block of equal weights made weight by weight): a third of the time of a query matching
        # 86,000 of 300,000 poems. (A field's postings are docnums: only term vectors have byte ids.)
        if matcher._data is None:
            matcher._read_data()
        block_ids, block_weights = matcher._data[0], matcher._data[1]
        ids.extend(itertools.accumulate(block_ids))
        if block_weights is None or isinstance(block_weights, float):
            weights.extend(array.array("f", [1.0 if block_weights is None else block_weights]) * len(block_ids))
        else:
            weights.extend(block_weights)
        matcher._read_values()
        values.extend(matcher._values)
        matcher._next_block()
    return ids, weights, values, deleted


def _tree_sum(scores: list[np.ndarray]) -> np.ndarray:
    """Arrays of scores added up as Whoosh's binary tree of intersection matchers adds them (halves,
    recursively)."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


# The field length each length byte stands for, as Whoosh's scorer reads it (a byte of 0, which no posting
# has, as 1).
_BYTE_LENGTHS = [whoosh.util.numeric.byte_to_length(byte) if byte else 1 for byte in range(256)]


def _length_bytes(reader, fieldname: str) -> bytes:
    """A segment's length column of a field (a byte per document, Whoosh's logarithmic length code)."""
    column = reader._perdoc._cached_reader(f"_{fieldname}_len", whoosh.codec.whoosh3.LENGTHS_COLUMN)
    if column is None:
        return b""
    return column._dbfile.get(column._basepos, column._count)
