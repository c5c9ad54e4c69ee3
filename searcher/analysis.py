"""Analysis: turn text into the tokens the index stores and a query looks up.

Small composable pieces in the manner of Whoosh's own ``analysis`` package: a tokenizer makes tokens, filters
transform the stream, and ``tokenizer | filter | filter`` builds an :class:`Analyzer`. Nothing here knows
about Whoosh; the index module adapts these analyzers to it.

Each token carries its *position* (the ordinal of the word in the text, which phrase queries compare) and its
character offsets into the original text (which highlighting uses):

>>> [(t.text, t.position, t.start, t.end) for t in index_analyzer()("城市更新 iPhone14")]
[('城市', 0, 0, 2), ('更新', 0, 2, 4), ('城市更新', 0, 0, 4), ('iphone14', 1, 5, 13), ('iphone', 1, 5, 11), ('14', 1, 11, 13)]
>>> [t.text for t in query_analyzer()("臺灣 ＩＰｈｏｎｅ１４")]
['台湾', 'iphone14']

Text is folded first (:mod:`searcher.folding`: width, case, traditional → simplified), and the offsets point
back into the text as it was.
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

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
HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")

# A word outside Han text: letters and digits, joined by . _ - @ when a letter or digit follows (5.3, v9.6.0,
# github.com, covid-19, a@b.cn), with a trailing % (3.5%) or the ++/# of C++ and C#.
# [^\W_] is "a letter or digit" in Unicode, which includes full-width ones.
WORD = re.compile(r"[^\W_]+(?:[._\-@][^\W_]+)*(?:%|\+\+|#)?")
_WORD_PART = re.compile(r"[^\W\d_]+|\d+(?:\.\d+)*")


@dataclass(slots=True)
class Token:
    """One token: its text, word position, and ``[start, end)`` character offsets into the source text."""

    text: str
    position: int
    start: int
    end: int


TokenStream = Iterator[Token]


class Analyzer:
    """A tokenizer followed by filters; call it with a text to get the token stream."""

    def __init__(self, tokenizer: Callable[[str], TokenStream], *filters: Callable[[Iterable[Token]], TokenStream]):
        self.tokenizer = tokenizer
        self.filters = filters

    def __or__(self, next_filter: Callable[[Iterable[Token]], TokenStream]) -> Analyzer:
        return Analyzer(self.tokenizer, *self.filters, next_filter)

    def __call__(self, text: str) -> TokenStream:
        tokens = self.tokenizer(text)
        for token_filter in self.filters:
            tokens = token_filter(tokens)
        return tokens


class Tokenizer:
    """Base class: ``tokenizer | filter`` makes an :class:`Analyzer`."""

    def __call__(self, text: str) -> TokenStream:
        raise NotImplementedError

    def __or__(self, next_filter: Callable[[Iterable[Token]], TokenStream]) -> Analyzer:
        return Analyzer(self, next_filter)


class Segmenter:
    """jieba, with its dictionary cache in searcher's cache folder, loaded lazily and once.

    A separate ``jieba.Tokenizer`` per segmenter (not jieba's global one), so that segmenters with different
    user dictionaries (jieba's format: ``word [frequency] [tag]`` per line, added to the main dictionary)
    never share state. A short text (a query) is segmented over the copy of jieba's dictionary on disk
    (:mod:`searcher.dictionary`) when there is one, which gives the same words without loading jieba; the
    first longer text loads jieba (≈0.7 s from its cache file, more when the cache has to be built), which
    then segments everything, and writes that copy if it is missing.

    >>> Segmenter().cut("北京城市更新联盟成立")
    ['北京', '城市更新', '联盟', '成立']
    """

    def __init__(self, user_dictionary: Path | None = None):
        # Read now (it is small), load later: the file may move before the first cut (an index swapped in).
        self.user_words = user_dictionary.read_bytes() if user_dictionary else None
        self._jieba = None
        self._table: WordTable | None | bool = False  # False: not looked for yet
        self._lock = threading.Lock()

    def _tokenizer(self):
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    self._jieba = _load_jieba(self.user_words)
        return self._jieba

    def load(self) -> Segmenter:
        """Load jieba now, so that every text is segmented by it: what indexing wants, where whole articles
        are segmented and the in-memory dictionary is faster than the table."""
        self._tokenizer()
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
        if self._jieba is None and len(han_text) <= TABLE_CUT_CHARS and (table := self._word_table()):
            return table.cut(han_text)
        return self._tokenizer().lcut(han_text, HMM=False)

    def is_word(self, text: str) -> bool:
        """True if the dictionary holds ``text`` as a word (not just as the prefix of one)."""
        if self._jieba is None and (table := self._word_table()):
            return bool(table.frequency(text))
        return bool(self._tokenizer().FREQ.get(text))

    def words_among(self, texts: list[str]) -> set[str]:
        """Those of ``texts`` that :meth:`is_word`, asked of the dictionary table all at once."""
        if self._jieba is None and (table := self._word_table()):
            return table.words_among(texts)
        frequencies = self._tokenizer().FREQ
        return {text for text in texts if frequencies.get(text)}


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

    def __call__(self, text: str) -> TokenStream:
        position = 0
        offset = 0
        for run in HAN_RUN.finditer(text):
            for word in WORD.finditer(text, offset, run.start()):
                yield Token(word.group(), position, word.start(), word.end())
                position += 1
            start = run.start()
            for word in self.segmenter.cut(run.group()):
                yield Token(word, position, start, start + len(word))
                position += 1
                start += len(word)
            offset = run.end()
        for word in WORD.finditer(text, offset):
            yield Token(word.group(), position, word.start(), word.end())
            position += 1


class Folded:
    """Run an analyzer on the folded text. Folding keeps the length, so offsets still point into the
    original text.

    >>> [(t.text, t.start, t.end) for t in Folded(ChineseTokenizer())("……臺灣ＡＢＣ")]
    [('台湾', 2, 4), ('abc', 4, 7)]
    """

    def __init__(self, analyzer: Callable[[str], TokenStream]):
        self.analyzer = analyzer

    def __call__(self, text: str) -> TokenStream:
        return self.analyzer(fold(text))


def char_ngrams(text: str) -> Iterator[tuple[str, int, int, int]]:
    """Every character and every pair of neighbouring characters, spaces left out, at the position of the
    first character, as ``(gram, position, start, end)``: the n-gram field behind grep-exact recall. Any
    substring of the text is then a phrase of these bigrams (or a single character), whatever the
    segmentation did with it. Plain tuples, not tokens: there are two per character.

    >>> [(gram, position) for gram, position, _, _ in char_ngrams("座头 鲸")]
    [('座', 0), ('座头', 0), ('头', 1), ('头鲸', 1), ('鲸', 2)]
    """
    chars = [(index, char) for index, char in enumerate(text) if not char.isspace()]
    for position, (index, char) in enumerate(chars):
        yield char, position, index, index + 1
        if position + 1 < len(chars):
            following, second = chars[position + 1]
            yield char + second, position, index, following + 1


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

    >>> [(t.text, t.position) for t in SubwordFilter()([Token("中华人民共和国", 0, 0, 7)])]
    [('中华', 0), ('华人', 0), ('人民', 0), ('共和', 0), ('共和国', 0), ('中华人民共和国', 0)]
    """

    def __init__(self, segmenter: Segmenter | None = None):
        self.segmenter = segmenter or default_segmenter()

    def __call__(self, tokens: Iterable[Token]) -> TokenStream:
        for token in tokens:
            word = token.text
            if len(word) > 2 and HAN_RUN.fullmatch(word):
                for size in (2, 3):
                    if len(word) <= size:
                        break
                    for i in range(len(word) - size + 1):
                        gram = word[i : i + size]
                        if self.segmenter.is_word(gram):
                            yield Token(gram, token.position, token.start + i, token.start + i + size)
            yield token


class WordPartsFilter:
    """Add the parts of a compound Latin token at its position, so that a part finds the whole.

    Letters and numbers are split apart; a plain number (``5.3``, ``601939``) is left whole, and a percentage
    also yields its number.

    >>> [t.text for t in WordPartsFilter()([Token("iphone14", 0, 0, 8), Token("3.5%", 1, 9, 13)])]
    ['iphone14', 'iphone', '14', '3.5%', '3.5']
    """

    def __call__(self, tokens: Iterable[Token]) -> TokenStream:
        for token in tokens:
            yield token
            word = token.text
            if HAN_RUN.match(word):
                continue
            if word.endswith("%"):
                yield replace(token, text=word[:-1], end=token.end - 1)
                continue
            if not any(char.isalpha() for char in word):
                continue
            parts = [part for part in _WORD_PART.finditer(word) if part.end() - part.start() < len(word)]
            for part in parts:
                if len(part.group()) > 1:
                    yield Token(part.group(), token.position, token.start + part.start(), token.start + part.end())


CACHED_TEXT_CHARS = 200_000


def index_tokens(text: str, segmenter: Segmenter | None = None) -> Iterable[Token]:
    """The word tokens of ``text``, remembered for the last few texts: the word fields and the pinyin
    fields of one document all read them, and segmenting a body once is costly enough. A text longer than
    :data:`CACHED_TEXT_CHARS` is streamed instead, so that its tokens are never all in memory at once."""
    if len(text) > CACHED_TEXT_CHARS:
        return index_analyzer(segmenter)(text)
    return _remembered_index_tokens(text, segmenter)


@lru_cache(maxsize=4)
def _remembered_index_tokens(text: str, segmenter: Segmenter | None) -> tuple[Token, ...]:
    return tuple(index_analyzer(segmenter)(text))


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
    segmenter = (segmenter or default_segmenter()).load()
    return Folded(ChineseTokenizer(segmenter) | SubwordFilter(segmenter) | WordPartsFilter())


def query_analyzer(segmenter: Segmenter | None = None) -> Folded:
    """What a query looks up in the word fields: the words of the folded text's most probable segmentation.
    Each of them is also in the index, whether the article has it as a word or inside a longer one."""
    return Folded(ChineseTokenizer(segmenter or default_segmenter()))

