"""Analysis: turn text into the tokens the index stores and a query looks up.

Small composable pieces in the manner of Whoosh's own ``analysis`` package: a tokenizer makes tokens, filters
add to them, and ``tokenizer | filter | filter`` builds an :class:`Analyzer`. Nothing here knows about
Whoosh; the index module adapts these analyzers to it.

Each token carries its *position* (the ordinal of the word in the text, which phrase queries compare) and its
character offsets into the original text (which highlighting uses). Iterating an analyzer's result gives them
in the order of their positions:

>>> [(t.text, t.position, t.start, t.end) for t in index_analyzer()("城市更新 iPhone14")]
[('城市更新', 0, 0, 4), ('城市', 0, 0, 2), ('更新', 0, 2, 4), ('iphone14', 1, 5, 13), ('iphone', 1, 5, 11), ('14', 1, 11, 13)]
>>> [t.text for t in query_analyzer()("臺灣 ＩＰｈｏｎｅ１４")]
['台湾', 'iphone14']

Text is folded first (:mod:`searcher.folding`: width, case, traditional → simplified), and the offsets point
back into the text as it was.

Tokens travel as columns (:class:`Tokens`), not as an object each: indexing analyses millions of them, and an
object and a generator step per token cost more than segmenting the text. For the same reason the n-grams
are computed as whole arrays (:func:`ngram_codes`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import itertools
import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from .dictionary import TABLE_FORMAT, WordTable, user_overlay
from .folding import fold

# What the index records of how it was analysed; a change here means indexes must be rebuilt, because
# query terms would no longer match the indexed ones. Bump the trailing number when the analysis changes.
ANALYSIS_SIGNATURE = (
    f"jieba {importlib.metadata.version('jieba')}, HMM off, search-mode sub-words, word parts, "
    f"NFKC + lowercase + OpenCC {importlib.metadata.version('opencc')} t2s, character bigrams, "
    f"pypinyin {importlib.metadata.version('pypinyin')} words, v3"
)

# Han ideographs: CJK Unified Ideographs with extension A, compatibility ideographs, and extensions B-H.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RUN = re.compile(f"[{_HAN}]+")

# A word outside Han text: letters and digits, joined by . _ - @ when a letter or digit follows (5.3, v9.6.0,
# github.com, covid-19, a@b.cn), with a trailing % (3.5%) or the ++/# of C++ and C#.
# [^\W_] is "a letter or digit" in Unicode, which includes full-width ones (and Han characters, left out).
WORD = re.compile(rf"[^\W_{_HAN}]+(?:[._\-@][^\W_{_HAN}]+)*(?:%|\+\+|#)?")
# A run of Han characters (group 1), or a word outside them.
_RUN_OR_WORD = re.compile(f"({HAN_RUN.pattern})|{WORD.pattern}")
_WORD_PART = re.compile(r"[^\W\d_]+|\d+(?:\.\d+)*")


@dataclass(slots=True)
class Token:
    """One token: its text, word position, and ``[start, end)`` character offsets into the source text."""

    text: str
    position: int
    start: int
    end: int


@dataclass(slots=True)
class Tokens:
    """A stream of tokens as columns: ``texts[i]`` at word position ``positions[i]``, from character
    ``starts[i]`` to ``ends[i]``. A tokenizer makes one and filters add to it; ``next_position`` is the
    position the tokenizer would give its next word.

    Filters append the tokens they add after the others, so the columns are not in the order of positions;
    iterating gives :class:`Token` objects in that order (a filter's tokens after the token they came from).

    >>> tokens = Tokens()
    >>> tokens.add("城市更新", 0, 0, 4); tokens.add("iphone", 1, 5, 11); tokens.add("城市", 0, 0, 2)
    >>> [(token.text, token.position) for token in tokens]
    [('城市更新', 0), ('城市', 0), ('iphone', 1)]
    """

    texts: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    next_position: int = 0

    def add(self, text: str, position: int, start: int, end: int) -> None:
        self.texts.append(text)
        self.positions.append(position)
        self.starts.append(start)
        self.ends.append(end)

    def add_words(self, words: list[str], start: int) -> None:
        """Add consecutive words, the first at character ``start``, each at the next position."""
        offsets = list(itertools.accumulate(map(len, words), initial=start))
        self.texts += words
        self.positions += range(self.next_position, self.next_position + len(words))
        self.starts += offsets[:-1]
        self.ends += offsets[1:]
        self.next_position += len(words)

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[Token]:
        for i in sorted(range(len(self.texts)), key=self.positions.__getitem__):
            yield Token(self.texts[i], self.positions[i], self.starts[i], self.ends[i])


class Analyzer:
    """A tokenizer followed by filters; call it with a text to get its :class:`Tokens`."""

    def __init__(self, tokenizer: Callable[[str], Tokens], *filters: Callable[[Tokens], Tokens]):
        self.tokenizer = tokenizer
        self.filters = filters

    def __or__(self, next_filter: Callable[[Tokens], Tokens]) -> Analyzer:
        return Analyzer(self.tokenizer, *self.filters, next_filter)

    def __call__(self, text: str) -> Tokens:
        tokens = self.tokenizer(text)
        for token_filter in self.filters:
            tokens = token_filter(tokens)
        return tokens


class Tokenizer:
    """Base class: ``tokenizer | filter`` makes an :class:`Analyzer`."""

    def __call__(self, text: str) -> Tokens:
        raise NotImplementedError

    def __or__(self, next_filter: Callable[[Tokens], Tokens]) -> Analyzer:
        return Analyzer(self, next_filter)


class Segmenter:
    """jieba, with its dictionary cache in searcher's cache folder, loaded lazily and once.

    A separate ``jieba.Tokenizer`` per segmenter (not jieba's global one), so that segmenters with different
    user dictionaries (jieba's format: ``word [frequency] [tag]`` per line, added to the main dictionary)
    never share state. A short text (a query) is segmented over the copy of jieba's dictionary on disk
    (:mod:`searcher.dictionary`) when there is one, which gives the same words without loading jieba; the
    first longer text loads jieba (≈0.7 s from its cache file, more when the cache has to be built), which
    then segments everything, and writes that copy if it is missing.

    For the default dictionary, :meth:`load` (indexing) loads rjieba instead: jieba's algorithm and
    dictionary compiled (jieba-rs), which cuts the news corpus's Han runs 13x faster (0.65 s against 8.47 s),
    looks a word up 2x faster, and loads in 0.1 s, with the same words (tests compare the two on every run of
    the corpus sample; measured on all 444,729 runs of the news corpus, and on all 498,113 entries of jieba's
    dictionary: identical). Not for a user dictionary: rjieba cannot be given jieba's total of frequencies after one, on which the best cut
    depends.

    >>> Segmenter().cut("北京城市更新联盟成立")
    ['北京', '城市更新', '联盟', '成立']
    """

    def __init__(self, user_dictionary: Path | None = None):
        # Read now (it is small), load later: the file may move before the first cut (an index swapped in).
        self.user_words = user_dictionary.read_bytes() if user_dictionary else None
        self._jieba = None
        self._compiled = None  # rjieba, once loaded
        self._table: WordTable | None | bool = False  # False: not looked for yet
        self._lock = threading.Lock()

    def _tokenizer(self):
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    self._jieba = _load_jieba(self.user_words)
        return self._jieba

    def load(self) -> Segmenter:
        """Load the dictionary into memory now, so that every text is segmented there: what indexing wants,
        where whole articles are segmented. The default dictionary is rjieba's (jieba itself is loaded only
        when the dictionary table for queries is yet to be written); a user dictionary is jieba's."""
        if self.user_words is not None:
            self._tokenizer()
        elif self._compiled is None:
            import rjieba

            self._compiled = rjieba
            if (paths := _table_paths(None)) and not paths[0].exists():
                self._tokenizer()  # (which writes the table)
        return self

    def _word_table(self) -> WordTable | None:
        if self._table is False:
            with self._lock:
                if self._table is False:
                    self._table = _open_word_table(self.user_words)
        return self._table or None

    def cut(self, han_text: str) -> list[str]:
        """Default-mode (most probable) segmentation of a run of Han characters.

        HMM is off: with it, jieba guesses unknown words from their context, so the same name can be
        segmented one way in an article and another in a query; without it, unknown words fall apart into
        single characters the same way everywhere, and phrase matching still finds them.
        """
        if self._compiled is not None:
            if JIEBA_HAN_RUN.fullmatch(han_text):
                return self._compiled.cut(han_text, False)
            # jieba makes a word of each character outside its Han range, and cuts the runs between them.
            pieces = _OUTSIDE_JIEBA_HAN.split(han_text)
            return [word for i, piece in enumerate(pieces) if piece
                    for word in ([piece] if i % 2 else self._compiled.cut(piece, False))]
        if self._jieba is None and len(han_text) <= TABLE_CUT_CHARS and (table := self._word_table()):
            return table.cut(han_text)
        return self._tokenizer().lcut(han_text, HMM=False)

    def is_word(self, text: str) -> bool:
        """True if the dictionary holds ``text`` as a word (not just as the prefix of one)."""
        if self._compiled is not None:
            return self._compiled.has_word(text)
        if self._jieba is None and (table := self._word_table()):
            return bool(table.frequency(text))
        return bool(self._tokenizer().FREQ.get(text))

    def words_among(self, texts: list[str]) -> set[str]:
        """Those of ``texts`` that :meth:`is_word`, asked of the dictionary table all at once."""
        if self._compiled is not None:
            return {text for text in texts if self._compiled.has_word(text)}
        if self._jieba is None and (table := self._word_table()):
            return table.words_among(texts)
        frequencies = self._tokenizer().FREQ
        return {text for text in texts if frequencies.get(text)}


# The Han characters jieba segments with its dictionary (its re_han_default; it makes every other character
# a word by itself), and so the runs rjieba is given: rjieba's own class is wider.
JIEBA_HAN_RUN = re.compile("[\u4e00-\u9fd5]+")
_OUTSIDE_JIEBA_HAN = re.compile("([^\u4e00-\u9fd5])")

# Texts up to this long are segmented over the dictionary table when jieba is not loaded: a query, a title.
# A longer one (an article) is worth loading jieba for, whose in-memory lookups are faster.
TABLE_CUT_CHARS = 200


def _table_paths(user_words: bytes | None) -> tuple[Path, Path | None] | None:
    """Where the copy of jieba's dictionary and a user dictionary's overlay are kept, if anywhere."""
    folder = cache_folder()
    if folder is None:
        return None
    stem = f"jieba-{importlib.metadata.version('jieba')}-words-v{TABLE_FORMAT}"
    overlay = None
    if user_words is not None:
        overlay = folder / f"{stem}-user-{hashlib.sha256(user_words).hexdigest()[:16]}.json"
    return folder / f"{stem}.sqlite", overlay


def _open_word_table(user_words: bytes | None) -> WordTable | None:
    paths = _table_paths(user_words)
    return WordTable.open(*paths) if paths else None


def _load_jieba(user_words: bytes | None):
    import jieba

    # jieba logs its dictionary loading at DEBUG level to stderr; a CLI must not print that.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    cache_dir = cache_folder()
    if cache_dir is not None:
        tokenizer.tmp_dir = str(cache_dir)
    tokenizer.initialize()
    paths = _table_paths(user_words)
    if paths and not paths[0].exists():
        with contextlib.suppress(OSError, sqlite3.Error):
            WordTable.build(paths[0], tokenizer.FREQ, tokenizer.total)
    if user_words is not None:
        # A file object, not a path: given a path, jieba opens the file and never closes it.
        tokenizer.load_userdict(io.BytesIO(user_words))
        if paths and paths[1] is not None and not paths[1].exists():
            overlay = user_overlay(tokenizer.FREQ, tokenizer.total, user_words.decode("utf-8", "replace").splitlines())
            with contextlib.suppress(OSError):
                _write_atomically(paths[1], json.dumps(overlay, ensure_ascii=False))
    return tokenizer


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def cache_folder() -> Path | None:
    """Where searcher keeps caches: ``$SEARCHER_CACHE_DIR``, else ``$XDG_CACHE_HOME/searcher``, else
    ``~/.cache/searcher``; None when none of them can be created (jieba then uses the temp folder)."""
    configured = os.environ.get("SEARCHER_CACHE_DIR")
    if configured:
        folder = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = Path(base, "searcher")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


@cache
def default_segmenter() -> Segmenter:
    return Segmenter()


_SEGMENTERS: dict[str, Segmenter] = {}


def register_user_dictionary(checksum: str, path: Path) -> None:
    """Make the user dictionary with this checksum available to :func:`segmenter_for` in this process."""
    if checksum not in _SEGMENTERS:
        _SEGMENTERS[checksum] = Segmenter(path)


def segmenter_for(checksum: str | None) -> Segmenter:
    """The segmenter of an index: the default one, or one with the user dictionary of that checksum (an
    index records the checksum, so that its queries segment exactly as its articles were)."""
    if checksum is None:
        return default_segmenter()
    try:
        return _SEGMENTERS[checksum]
    except KeyError:
        raise LookupError(f"user dictionary {checksum} is not registered") from None


class ChineseTokenizer(Tokenizer):
    """Split text into Han runs, segmented by jieba, and the words between them; drop punctuation and space.

    >>> [(t.text, t.position) for t in ChineseTokenizer()("投资达到5.3万亿元，增长3.5%。")]
    [('投资', 0), ('达到', 1), ('5.3', 2), ('万亿元', 3), ('增长', 4), ('3.5%', 5)]
    """

    def __init__(self, segmenter: Segmenter | None = None):
        self.segmenter = segmenter or default_segmenter()

    def __call__(self, text: str) -> Tokens:
        tokens = Tokens()
        cut = self.segmenter.cut
        for found in _RUN_OR_WORD.finditer(text):
            if found.lastindex:
                tokens.add_words(cut(found.group()), found.start())
            else:
                tokens.add(found.group(), tokens.next_position, found.start(), found.end())
                tokens.next_position += 1
        return tokens


class Folded:
    """Run an analyzer on the folded text. Folding keeps the length, so offsets still point into the
    original text.

    >>> [(t.text, t.start, t.end) for t in Folded(ChineseTokenizer())("……臺灣ＡＢＣ")]
    [('台湾', 2, 4), ('abc', 4, 7)]
    """

    def __init__(self, analyzer: Callable[[str], Tokens]):
        self.analyzer = analyzer

    def __call__(self, text: str) -> Tokens:
        return self.analyzer(fold(text))


# Where a text can be cut so that no token spans the cut: before a space, or where a Han run starts.
_INDEPENDENT_CUT = re.compile(rf"\s|(?<!{HAN_RUN.pattern[:-1]})(?={HAN_RUN.pattern[:-1]})")


def independent_pieces(text: str, size: int) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters or more, each cut where no token can span the cut
    (before a space, or where a Han run starts). The tokens of the pieces, one after another with their
    positions carried on, are the tokens of the whole text; so a huge text can be analysed a piece at a time.

    >>> list(independent_pieces("城市更新 iphone14 北京", 3))
    ['城市更新', ' iphone14', ' 北京']
    """
    start = 0
    while len(text) - start > size:
        cut = _INDEPENDENT_CUT.search(text, start + size)
        if cut is None:
            break
        yield text[start : cut.start()]
        start = cut.start()
    yield text[start:]


# Every whitespace character (str.isspace), by code point: all of them are below U+3001.
_SPACE = np.array([chr(code).isspace() for code in range(0x3001)])
# An n-gram's code: its first character's code point shifted left by this, plus one more than its second
# character's (0 for a character alone). 21 bits hold any code point.
_GRAM_SHIFT = 21


def ngram_codes(text: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every character (``size`` 1) or every pair of neighbouring characters (``size`` 2) of ``text``, spaces
    left out, at the position of the first character: the character and n-gram fields behind grep-exact
    recall. Any substring of the text is a phrase of these pairs (or a single character), whatever the
    segmentation did with it.

    Returned as arrays of integer codes and positions: there are as many n-grams as characters, too many for a
    Python object each. Codes sort as the n-grams' UTF-8 bytes do; :func:`ngram_texts` turns them into text.

    >>> codes, positions = ngram_codes("座头 鲸", 2)
    >>> list(zip(ngram_texts(codes), positions.tolist())), ngram_texts(ngram_codes("座头 鲸", 1)[0])
    ([('座头', 0), ('头鲸', 1)], ['座', '头', '鲸'])
    """
    chars = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    chars = chars[~_SPACE[np.minimum(chars, len(_SPACE) - 1)] | (chars >= len(_SPACE))].astype(np.int64)
    codes = chars << _GRAM_SHIFT
    if size == 2:
        codes = codes[:-1] | (chars[1:] + 1)
    return codes, np.arange(len(codes), dtype=np.int64)


def ngram_texts(codes: np.ndarray) -> list[str]:
    """The n-grams that :func:`ngram_codes` gives these codes of.

    >>> ngram_texts(ngram_codes("城市", 1)[0]), ngram_texts(ngram_codes("城市", 2)[0])
    (['城', '市'], ['城市'])
    """
    firsts, seconds = codes >> _GRAM_SHIFT, (codes & ((1 << _GRAM_SHIFT) - 1)) - 1
    pairs = np.empty((len(codes), 2), np.uint32)
    pairs[:, 0] = firsts
    pairs[:, 1] = np.maximum(seconds, 0)
    # NumPy drops a text's trailing NUL characters, which makes a single character of a pair ending in NUL;
    # the n-grams with a NUL character in them are made one by one.
    texts = pairs.view("<U2").ravel().tolist()
    for i in np.flatnonzero((firsts == 0) | (seconds == 0)).tolist():
        texts[i] = chr(firsts[i]) + (chr(seconds[i]) if seconds[i] >= 0 else "")
    return texts


def char_ngrams(text: str, size: int) -> Tokens:
    """The n-grams of :func:`ngram_codes` as tokens, with their offsets.

    >>> [(t.text, t.position, t.start, t.end) for t in char_ngrams("座头 鲸", 2)]
    [('座头', 0, 0, 2), ('头鲸', 1, 1, 4)]
    """
    codes, positions = ngram_codes(text, size)
    where = [index for index, char in enumerate(text) if not char.isspace()]  # of each kept character
    return Tokens(
        texts=ngram_texts(codes),
        positions=positions.tolist(),
        starts=[where[position] for position in positions.tolist()],
        ends=[where[position + size - 1] + 1 for position in positions.tolist()],
        next_position=len(codes),
    )


def ngram_terms(text: str) -> tuple[str, ...]:
    """What the n-gram field is searched for to find ``text`` as a substring: its bigrams, in order (a
    phrase), or the character itself. Text is folded, spaces dropped.

    >>> ngram_terms("城市 更新"), ngram_terms("鲸")
    (('城市', '市更', '更新'), ('鲸',))
    """
    chars = [char for char in fold(text) if not char.isspace()]
    if len(chars) == 1:
        return (chars[0],)
    return tuple(first + second for first, second in itertools.pairwise(chars))


class SubwordFilter:
    """Add the dictionary words inside a long Chinese word, at the same position: search-mode segmentation.

    This is what ``jieba.cut_for_search`` does (its 2- and 3-character sub-words that are dictionary words),
    redone here because jieba's own search mode does not say which word a sub-word came from, and a phrase
    query needs the sub-words at their parent word's position.

    >>> tokens = Tokens()
    >>> tokens.add("中华人民共和国", 0, 0, 7)
    >>> [(t.text, t.position) for t in SubwordFilter()(tokens)]
    [('中华人民共和国', 0), ('中华', 0), ('华人', 0), ('人民', 0), ('共和', 0), ('共和国', 0)]
    """

    def __init__(self, segmenter: Segmenter | None = None):
        self.segmenter = segmenter or default_segmenter()

    def __call__(self, tokens: Tokens) -> Tokens:
        is_word = self.segmenter.is_word
        for i in [i for i, word in enumerate(tokens.texts) if len(word) > 2]:
            word, position, start = tokens.texts[i], tokens.positions[i], tokens.starts[i]
            if not HAN_RUN.fullmatch(word):
                continue
            for size in (2, 3):
                for offset in range(len(word) - size + 1 if len(word) > size else 0):
                    gram = word[offset : offset + size]
                    if is_word(gram):
                        tokens.add(gram, position, start + offset, start + offset + size)
        return tokens


class WordPartsFilter:
    """Add the parts of a compound Latin token at its position, so that a part finds the whole.

    Letters and numbers are split apart; a plain number (``5.3``, ``601939``) is left whole, and a percentage
    also yields its number.

    >>> tokens = Tokens()
    >>> tokens.add("iphone14", 0, 0, 8); tokens.add("3.5%", 1, 9, 13)
    >>> [t.text for t in WordPartsFilter()(tokens)]
    ['iphone14', 'iphone', '14', '3.5%', '3.5']
    """

    def __call__(self, tokens: Tokens) -> Tokens:
        texts = tokens.texts
        # The words that do not start with a Han character (a Han word does, and no other word): the ranges of
        # HAN_RUN, compared as strings, which costs a third of its match.
        others = [i for i, word in enumerate(texts) if not ("\u3400" <= word < "\u4dc0" or "\u4e00" <= word < "\ua000"
                                                             or "\uf900" <= word < "\ufb00" or "\U00020000" <= word < "\U00031350")]
        for i in others:
            word, position, start = texts[i], tokens.positions[i], tokens.starts[i]
            if word.endswith("%"):
                tokens.add(word[:-1], position, start, tokens.ends[i] - 1)
                continue
            if not any(char.isalpha() for char in word):
                continue
            for part in _WORD_PART.finditer(word):
                if 1 < part.end() - part.start() < len(word):
                    tokens.add(part.group(), position, start + part.start(), start + part.end())
        return tokens


@lru_cache(maxsize=200_000)
def pinyin_of(word: str) -> tuple[str, str] | None:
    """The full pinyin (toneless, joined) and the initials of a Chinese word, or None for a word that is
    not all Han characters. pypinyin reads the word as a whole, so 银行 is yinhang and 行长 hangzhang.

    >>> pinyin_of("城市更新"), pinyin_of("银行"), pinyin_of("iphone")
    (('chengshigengxin', 'csgx'), ('yinhang', 'yh'), None)
    """
    if not HAN_RUN.fullmatch(word):
        return None
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    if len(syllables) != len(word):
        return None
    return "".join(syllables), "".join(syllable[0] for syllable in syllables)


_TONELESS = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeiiiioooouuuuvvvvvnnnm")


@cache
def _characters_by_sound() -> dict[str, tuple[str, ...]]:
    """Toneless pinyin → the Han characters (CJK Unified Ideographs) pypinyin reads that way. pypinyin has
    no reverse lookup, so this inverts its character table once (under a second), when a query first needs it."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, list[str]] = {}
    for codepoint, readings in pinyin_dict.items():
        if 0x4E00 <= codepoint <= 0x9FFF:
            for reading in set(readings.translate(_TONELESS).split(",")):
                table.setdefault(reading, []).append(chr(codepoint))
    return {sound: tuple(chars) for sound, chars in table.items()}


# Sounds that speakers of many dialects (and pinyin typists) do not tell apart, as pinyin input methods'
# fuzzy-sound settings have them: zh/z, ch/c, sh/s and n/l at the start, ang/an, eng/en and ing/in at the end.
_FUZZY_START = re.compile("^(zh|ch|sh|n)")
_FUZZY_END = re.compile("(an|en|in)g$")


def _fuzzy(reading: str) -> str:
    """A toneless reading with the sounds above merged: ``zheng`` and ``zen`` are both ``zen``."""
    return _FUZZY_END.sub(r"\1", _FUZZY_START.sub(lambda start: {"n": "l"}.get(start.group(), start.group()[0]), reading))


@cache
def _characters_by_fuzzy_sound() -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for sound, chars in _characters_by_sound().items():
        table.setdefault(_fuzzy(sound), set()).update(chars)
    return {sound: tuple(sorted(chars)) for sound, chars in table.items()}


def _readings(char: str) -> set[str]:
    from pypinyin.pinyin_dict import pinyin_dict

    return set(pinyin_dict.get(ord(char), "").translate(_TONELESS).split(",")) - {""}


@lru_cache(maxsize=4096)
def near_homophones(char: str) -> tuple[str, ...]:
    """The Han characters that sound like ``char`` only when the fuzzy sounds are merged (zh/z, n/l, ing/in
    …), not already among its :func:`homophones`.

    >>> "城" in near_homophones("成"), "陈" in near_homophones("成"), "城" in near_homophones("城")
    (False, True, False)
    """
    table = _characters_by_fuzzy_sound()
    exact = set(homophones(char)) | {char}
    return tuple(sorted({other for reading in _readings(char) for other in table.get(_fuzzy(reading), ())} - exact))


@lru_cache(maxsize=4096)
def homophones(char: str) -> tuple[str, ...]:
    """The other Han characters that sound like ``char`` in any of its readings, tones ignored.

    >>> "市" in homophones("事"), "事" in homophones("事")
    (True, False)
    """
    table = _characters_by_sound()
    return tuple(sorted({other for reading in _readings(char) for other in table.get(reading, ()) if other != char}))


def index_analyzer(segmenter: Segmenter | None = None) -> Folded:
    """What the word fields store: every word of the folded text, its dictionary sub-words and compound
    parts."""
    return Folded(folded_index_analyzer(segmenter))


def folded_index_analyzer(segmenter: Segmenter | None = None) -> Analyzer:
    """:func:`index_analyzer` of a text that is folded already (indexing folds a document's text once for
    all of its fields)."""
    segmenter = (segmenter or default_segmenter()).load()
    return ChineseTokenizer(segmenter) | SubwordFilter(segmenter) | WordPartsFilter()


def query_analyzer(segmenter: Segmenter | None = None) -> Folded:
    """What a query looks up in the word fields: the words of the folded text's most probable segmentation.
    Each of them is also in the index, whether the article has it as a word or inside a longer one."""
    return Folded(ChineseTokenizer(segmenter or default_segmenter()))

