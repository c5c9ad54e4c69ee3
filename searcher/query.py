"""Query language: parse what a user types into a small tree of plain Python values.

The tree is engine-neutral; the index module translates it for Whoosh. Words are analyzed here, with the
same analysis the index uses, so a node holds exactly the terms to look up.

Syntax: words are all required (``城市 更新``); ``"城市更新"`` is a phrase; ``OR`` between two parts means
either; ``-word`` or ``NOT word`` excludes; parentheses group; ``title:``, ``body:``, ``author:`` and
``category:`` restrict a part to one field (the last two match the whole value); ``date:2022-07``,
``date:2022-07-01..2022-07-31``, ``date:>2022-01-01`` keep the articles of those days (as the article
dates itself). Author, category and date parts of the query itself (not inside ``OR``) are filters: they
narrow the results without changing their scores (:func:`split_filters`).

>>> parse_query('北京 "城市的更新" -住房 author:证券时报网')
And(children=(Words(tokens=('北京',), field=None, text='北京'), Phrase(tokens=('城市', '的', '更新'), field=None, text='城市的更新'), Not(child=Words(tokens=('住房',), field=None, text='住房')), Exact(field='author', value='证券时报网')))
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .analysis import Analyzer, query_analyzer
from .folding import fold

MAX_QUERY_CHARS = 2000
MAX_NESTING = 32

TEXT_FIELDS = ("title", "body")
EXACT_FIELDS = {"author": "author", "category": "categories", "categories": "categories"}
FIELD_NAMES = ("title", "body", "author", "category", "date")

OPEN_QUOTES = '"“'
CLOSE_QUOTES = '"”'
_SPECIAL = set('"“”()')
_PINYIN_RUN = re.compile(r"[a-z]{2,}")
_FIELD_PREFIX = re.compile(r"([A-Za-z_]+):(.*)", re.DOTALL)


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed; ``str(error)`` is one line saying what is wrong."""


@dataclass(frozen=True)
class Words:
    """Text the user typed as one run: all of its words, in a text field or any (``field=None``), adjacent
    ones ranking higher; or, in any field, the run itself as a substring (``text``, folded, without spaces),
    so that nothing grep would find is missed."""

    tokens: tuple[str, ...]
    field: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Phrase:
    """A quoted run: exactly this text as a substring (``text``), its words ranking the matches."""

    tokens: tuple[str, ...]
    field: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Pinyin:
    """Words spelled in pinyin (``chengshigengxin``) or by their initials (``csgx``)."""

    text: str


@dataclass(frozen=True)
class WordPrefix:
    """Words that start with ``text`` (folded) in one field: what completes a word being typed."""

    text: str
    field: str


@dataclass(frozen=True)
class Exact:
    """A metadata field equal to a value (``author:证券时报网``, ``category:要闻``)."""

    field: str
    value: str


@dataclass(frozen=True)
class DateRange:
    """Articles dated from ``start`` (inclusive) to ``end`` (exclusive), either open; naive datetimes, the
    wall-clock time in the article's own time zone (``date:2022-07-12`` means that calendar day as dated)."""

    start: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True)
class Everything:
    """Every document: what is left to rank when a query is only filters (``author:新华社``)."""


@dataclass(frozen=True)
class And:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class Not:
    child: Query


Query = Words | Phrase | Pinyin | WordPrefix | Exact | DateRange | Everything | And | Or | Not

FILTERS = (Exact, DateRange)


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # "word", "phrase", "field", "(", ")", "OR", "AND", "NOT"
    text: str = ""


def parse_synonyms(text: str) -> dict[str, tuple[str, ...]]:
    """A synonyms file: one group per line (``浙大 浙江大学``), words separated by spaces or commas, ``#`` for
    comments. Maps each folded word to the other words of its group.

    >>> parse_synonyms("# 学校\\n浙大 浙江大学\\n北大, 北京大学")["浙大"]
    ('浙江大学',)
    """
    groups: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        words = [fold(word) for word in re.split(r"[\s,，]+", line.split("#", 1)[0]) if word]
        for word in words:
            groups[word] = tuple(other for other in words if other != word)
    return groups


def parse_query(
    text: str, analyzer: Analyzer | None = None, synonyms: dict[str, tuple[str, ...]] | None = None
) -> Query:
    """Parse and analyze a query; raise :class:`QuerySyntaxError` if it is malformed or finds nothing.
    A run that is one of the ``synonyms`` (see :func:`parse_synonyms`) also finds the others of its group."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    lexemes = _lex(text)
    if not lexemes:
        raise QuerySyntaxError("empty query")
    parser = _Parser(lexemes, analyzer or query_analyzer(), synonyms or {})
    tree = parser.parse()
    if tree is None:
        raise QuerySyntaxError(f"nothing to search for in {text.strip()!r} (no words, only punctuation)")
    if not _has_positive(tree):
        raise QuerySyntaxError("a query needs at least one term that is not excluded")
    return tree


def _lex(text: str) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in OPEN_QUOTES or char == "”":
            close = _find_any(text, CLOSE_QUOTES + "“", i + 1)
            if close < 0:
                raise QuerySyntaxError(f"unclosed quote at character {i + 1}")
            lexemes.append(_Lexeme("phrase", text[i + 1 : close]))
            i = close + 1
        elif char in "()":
            lexemes.append(_Lexeme(char))
            i += 1
        elif char == "-" and i + 1 < end and not text[i + 1].isspace() and text[i + 1] not in ")-":
            lexemes.append(_Lexeme("NOT"))
            i += 1
        else:
            start = i
            while i < end and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            lexemes.extend(_lex_chunk(text[start:i], at_quote_or_paren=i < end and text[i] in _SPECIAL))
    return lexemes


def _lex_chunk(chunk: str, at_quote_or_paren: bool) -> list[_Lexeme]:
    if chunk in ("OR", "AND", "NOT"):
        return [_Lexeme(chunk)]
    field = _FIELD_PREFIX.fullmatch(chunk)
    if field is None or field.group(2).startswith("//"):
        return [_Lexeme("word", chunk)]
    name, value = field.group(1), field.group(2)
    if name.lower() not in FIELD_NAMES and name.lower() != "categories":
        raise QuerySyntaxError(f"unknown field {name!r} (fields: {', '.join(FIELD_NAMES)})")
    if not value and not at_quote_or_paren:
        raise QuerySyntaxError(f"field {name!r} needs a value, as in {name}:城市更新")
    lexemes = [_Lexeme("field", name.lower())]
    if value:
        lexemes.append(_Lexeme("word", value))
    return lexemes


def _find_any(text: str, chars: str, start: int) -> int:
    positions = [p for p in (text.find(c, start) for c in chars) if p >= 0]
    return min(positions) if positions else -1


class _Parser:
    """Recursive descent over the lexemes: or := and (OR and)*; and := unary+; unary := NOT unary | atom."""

    def __init__(self, lexemes: list[_Lexeme], analyzer: Analyzer, synonyms: dict[str, tuple[str, ...]]):
        self.lexemes = lexemes
        self.at = 0
        self.analyzer = analyzer
        self.synonyms = synonyms

    def parse(self) -> Query | None:
        tree = self._or(field=None, depth=0)
        if self.at < len(self.lexemes):
            raise QuerySyntaxError("unbalanced ')'")
        return tree

    def _peek(self) -> str | None:
        return self.lexemes[self.at].kind if self.at < len(self.lexemes) else None

    def _or(self, field: str | None, depth: int) -> Query | None:
        if depth > MAX_NESTING:
            raise QuerySyntaxError(f"query nested more than {MAX_NESTING} levels deep")
        if self._peek() == "OR":
            raise QuerySyntaxError("'OR' needs a search term on each side")
        branches = [self._and(field, depth)]
        while self._peek() == "OR":
            self.at += 1
            if self._peek() in (None, ")", "OR"):
                raise QuerySyntaxError("'OR' needs a search term on each side")
            branches.append(self._and(field, depth))
        kept = tuple(branch for branch in branches if branch is not None)
        if len(kept) > 1 and not all(_has_positive(branch) for branch in kept):
            raise QuerySyntaxError("each side of 'OR' needs a term that is not excluded")
        return _combine(Or, kept)

    def _and(self, field: str | None, depth: int) -> Query | None:
        parts: list[Query | None] = []
        while self._peek() not in (None, ")", "OR"):
            if self._peek() == "AND":
                self.at += 1
                if not parts or self._peek() in (None, ")", "OR", "AND"):
                    raise QuerySyntaxError("'AND' needs a search term on each side")
                continue
            parts.append(self._unary(field, depth))
        return _combine(And, tuple(part for part in parts if part is not None))

    def _unary(self, field: str | None, depth: int) -> Query | None:
        if self._peek() == "NOT":
            self.at += 1
            if self._peek() in (None, ")", "OR", "AND"):
                raise QuerySyntaxError("'-' or 'NOT' needs a term to exclude")
            child = self._unary(field, depth + 1)
            return Not(child) if child is not None else None
        return self._atom(field, depth)

    def _atom(self, field: str | None, depth: int) -> Query | None:
        lexeme = self.lexemes[self.at]
        self.at += 1
        if lexeme.kind == "(":
            inner = self._or(field, depth + 1)
            if self._peek() != ")":
                raise QuerySyntaxError("unbalanced '(': a ')' is missing")
            self.at += 1
            return inner
        if lexeme.kind == "field":
            if self._peek() in (None, ")", "OR", "AND"):
                raise QuerySyntaxError(f"field {lexeme.text!r} needs a value")
            return self._atom(lexeme.text, depth + 1)
        if lexeme.kind == "phrase":
            return self._text(Phrase, lexeme.text, field)
        if lexeme.kind == "word":
            return self._text(Words, lexeme.text, field)
        raise QuerySyntaxError(f"unexpected {lexeme.kind!r}")

    def _text(self, node: type[Words] | type[Phrase], text: str, field: str | None) -> Query | None:
        if field == "date":
            return parse_date_range(text)
        if field in EXACT_FIELDS:
            value = text.strip()
            return Exact(EXACT_FIELDS[field], value) if value else None
        run = _folded_run(text)
        typed = self._run(node, text, field)
        if typed is None or run not in self.synonyms:
            return typed
        alternatives = [self._run(Words, synonym, field) for synonym in self.synonyms[run]]
        return Or((typed, *(alternative for alternative in alternatives if alternative is not None)))

    def _run(self, node: type[Words] | type[Phrase], text: str, field: str | None) -> Query | None:
        tokens = tuple(token.text for token in self.analyzer(text))
        if not tokens:
            return None
        return node(tokens, field, _folded_run(text))


_DAY = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def parse_date_range(text: str) -> DateRange:
    """A ``date:`` value: a year, month or day (``2022``, ``2022-07``, ``2022-07-12``), a range of them
    (``2022-07-01..2022-07-31``, both ends included, either may be left out), or one bound (``>2022-01-01``,
    ``>=``, ``<``, ``<=``).

    >>> parse_date_range("2022-07")
    DateRange(start=datetime.datetime(2022, 7, 1, 0, 0), end=datetime.datetime(2022, 8, 1, 0, 0))
    >>> parse_date_range(">2022-07-12").start
    datetime.datetime(2022, 7, 13, 0, 0)
    """
    value = text.strip()
    for operator, start, end in (
        (">=", lambda period: period[0], None),
        ("<=", None, lambda period: period[1]),
        (">", lambda period: period[1], None),
        ("<", None, lambda period: period[0]),
    ):
        if value.startswith(operator):
            period = _period(value[len(operator) :], text)
            return DateRange(start(period) if start else None, end(period) if end else None)
    if ".." in value:
        first, last = value.split("..", 1)
        return DateRange(_period(first, text)[0] if first else None, _period(last, text)[1] if last else None)
    return DateRange(*_period(value, text))


def _period(value: str, text: str) -> tuple[dt.datetime, dt.datetime]:
    """The start of a year, month or day and the start of the next one."""
    match = _DAY.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(part) if part else None for part in match.groups())
        if month is None:
            return dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
        if day is None:
            start = dt.datetime(year, month, 1)
            return start, (start + dt.timedelta(days=32)).replace(day=1)
        start = dt.datetime(year, month, day)
        return start, start + dt.timedelta(days=1)
    except (ValueError, OverflowError):
        raise QuerySyntaxError(
            f"bad date {text!r}: use 2022, 2022-07, 2022-07-12, a range 2022-07-01..2022-07-31, or >2022-01-01"
        ) from None


def split_filters(tree: Query) -> tuple[Query, tuple[Query, ...]]:
    """The part of a query that ranks, and its filters: the author, category and date parts required by the
    query as a whole, which only narrow what the rest finds. A query of filters alone ranks
    :class:`Everything` they keep.

    >>> split_filters(parse_query("城市更新 author:新华社"))
    (Words(tokens=('城市更新',), field=None, text='城市更新'), (Exact(field='author', value='新华社'),))
    """
    parts = tree.children if isinstance(tree, And) else (tree,)
    filters = tuple(part for part in parts if isinstance(part, FILTERS))
    ranked = tuple(part for part in parts if not isinstance(part, FILTERS))
    if not filters:
        return tree, ()
    if not any(_has_positive(part) for part in ranked):
        ranked = (Everything(), *ranked)
    return _combine(And, ranked), filters


def option_filters(author: str | None = None, category: str | None = None, since: str | None = None,
                   until: str | None = None) -> tuple[Query, ...]:
    """The filters of the command line's ``--author``, ``--category``, ``--since`` and ``--until`` (both
    dates included, in any form ``date:`` takes: ``2022``, ``2022-07``, ``2022-07-12``).

    >>> option_filters(author="新华社", since="2022-07")
    (Exact(field='author', value='新华社'), DateRange(start=datetime.datetime(2022, 7, 1, 0, 0), end=None))
    """
    filters: list[Query] = []
    if author:
        filters.append(Exact("author", author.strip()))
    if category:
        filters.append(Exact("categories", category.strip()))
    if since or until:
        filters.append(DateRange(_period(since, since)[0] if since else None, _period(until, until)[1] if until else None))
    return tuple(filters)


def _folded_run(text: str) -> str:
    """Typed text as the n-gram field and the synonyms compare it: folded, without spaces."""
    return "".join(fold(text).split())


def _combine(node: type[And] | type[Or], children: tuple[Query, ...]) -> Query | None:
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    return node(children)


def _has_positive(tree: Query) -> bool:
    if isinstance(tree, Not):
        return False
    if isinstance(tree, And):
        return any(_has_positive(child) for child in tree.children)
    if isinstance(tree, Or):
        return all(_has_positive(child) for child in tree.children)
    return True


# A run of up to this many characters is also searched as a substring (through the n-gram field). A longer
# one is a question or a sentence: a document containing all of it contains its words, which find it, and a
# substring of that length would cost a phrase of as many n-grams.
MAX_TYPED_RUN = 12

# A query of this many words or more reads as a question or a sentence, not as a list of keywords: not every
# word of it is essential, and requiring them all ranks documents by the least important ones (measured on
# InsuranceQA questions: MRR@10 0.13 with that, 0.19 without).
QUESTION_WORDS = 4


def ranking_tiers(tree: Query) -> tuple[Query, ...]:
    """The queries whose matches are ranked one tier after another: every match of the first, by score, then
    the matches of the second that were not in the first, and so on.

    A few keywords rank the documents with all of them first, then those with only some
    (``北京 城市更新 -住房`` relaxes to ``(北京 OR 城市更新) -住房``: phrases, fields and groups stay
    required). A question (:data:`QUESTION_WORDS` words or more) is one tier: documents with any
    of its words, by score, where containing a typed run as a whole (up to :data:`MAX_TYPED_RUN` characters,
    so a remembered fragment of text) scores higher.

    >>> ranking_tiers(parse_query("北京 上海"))
    (And(children=(Words(tokens=('北京',), field=None, text='北京'), Words(tokens=('上海',), field=None, text='上海'))), Or(children=(Words(tokens=('北京',), field=None, text=''), Words(tokens=('上海',), field=None, text=''))))
    """
    required, optional, runs = _split_words(tree)
    if len(optional) < 2:
        return (tree,)
    if len(optional) < QUESTION_WORDS:
        return (tree, _any_of(required, optional))
    whole_runs = [
        Phrase(run.tokens, None, run.text) for run in runs if run.field is None and 1 < len(run.text) <= MAX_TYPED_RUN
    ]
    return (_any_of(required, [*optional, *whole_runs]),)


def _split_words(tree: Query) -> tuple[list[Query], list[Words], list[Words]]:
    """The parts of a query that stay required, each of its words as a query of its own, and its runs."""
    parts = tree.children if isinstance(tree, And) else (tree,)
    required: list[Query] = []
    optional: list[Words] = []
    runs: list[Words] = []
    for part in parts:
        if isinstance(part, Words):
            runs.append(part)
            optional.extend(Words((token,), part.field) for token in part.tokens)
        else:
            required.append(part)
    return required, optional, runs


def _any_of(required: list[Query], optional: list[Query]) -> Query:
    """The query with only some of its words required: ``(北京 OR 城市更新) -住房``."""
    return _combine(And, (*required, Or(tuple(optional))))


def query_runs(tree: Query) -> list[Words | Phrase]:
    """The typed runs (words and phrases) of a query that are not excluded, in the order typed."""
    if isinstance(tree, (Words, Phrase)):
        return [tree] if tree.field is None and tree.text else []
    if isinstance(tree, (And, Or)):
        return [run for child in tree.children for run in query_runs(child)]
    return []


def text_matches(tree: Query, text: str) -> bool:
    """Whether a folded text holds what the query asks for, judged by its words and phrases as substrings
    (fields and pinyin, which the text alone cannot tell, count as matching).

    >>> text_matches(parse_query("北京 -住房"), "北京的城市更新"), text_matches(parse_query("北京 上海"), "北京")
    (True, False)
    """
    if isinstance(tree, Words):
        return all(token in text for token in tree.tokens)
    if isinstance(tree, Phrase):
        return tree.text in text if tree.text else all(token in text for token in tree.tokens)
    if isinstance(tree, And):
        return all(text_matches(child, text) for child in tree.children)
    if isinstance(tree, Or):
        return any(text_matches(child, text) for child in tree.children)
    if isinstance(tree, Not):
        return not text_matches(tree.child, text)
    return True


def with_pinyin(tree: Query) -> Query | None:
    """The query with each run of Latin letters also read as pinyin, or None if it has no such run.

    Searching uses it only when the query as typed finds nothing, so pinyin never competes with, or ranks
    above, matches of what was typed; and a query in Chinese characters is never turned into pinyin, so two
    different words that sound alike (景点, 经典) never match each other.

    >>> with_pinyin(parse_query("chengshi gengxin"))
    And(children=(Or(children=(Words(tokens=('chengshi',), field=None, text='chengshi'), Pinyin(text='chengshi'))), Or(children=(Words(tokens=('gengxin',), field=None, text='gengxin'), Pinyin(text='gengxin')))))
    """
    if isinstance(tree, Words) and tree.field is None and _PINYIN_RUN.fullmatch(tree.text):
        return Or((tree, Pinyin(tree.text)))
    if isinstance(tree, (And, Or)):
        children = [with_pinyin(child) for child in tree.children]
        if all(child is None for child in children):
            return None
        return type(tree)(tuple(new or old for new, old in zip(children, tree.children, strict=True)))
    return None


def pinyin_terms(tree: Query) -> list[str]:
    """The pinyin spellings a query looks for."""
    if isinstance(tree, Pinyin):
        return [tree.text]
    if isinstance(tree, (And, Or)):
        return [text for child in tree.children for text in pinyin_terms(child)]
    return []


def highlight_terms(tree: Query) -> list[str]:
    """The strings to highlight for a query: its positive words and phrases, longest first.

    >>> highlight_terms(parse_query('北京城市更新 -住房'))
    ['北京城市更新', '城市更新', '北京']
    """
    terms: set[str] = set()
    _collect_terms(tree, terms)
    return sorted(terms, key=lambda term: (-len(term), term))


def _collect_terms(tree: Query, terms: set[str]) -> None:
    if isinstance(tree, (And, Or)):
        for child in tree.children:
            _collect_terms(child, terms)
    elif isinstance(tree, (Words, Phrase)) and (tree.field is None or tree.field in TEXT_FIELDS):
        terms.update(tree.tokens)
        # The typed run as a whole, so that a match of all of it is one highlight.
        if tree.text:
            terms.add(tree.text)
