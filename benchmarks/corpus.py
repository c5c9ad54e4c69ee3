"""The benchmark's input: the article files both engines index, and a query set drawn from their own text.

Queries come from the corpus so that most of them have answers, and from a seeded generator so that every
run (and both engines) sees the same strings.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from searcher.documents import Document, DocumentError, discover_files, read_document

# jieba as the baseline module imports it: with its import-time warnings silenced and its logging quieted.
from .naive import jieba

SEED = 42

# Shares of the query set: single title words, two title words, quoted body phrases, rare/frequent words.
SHARE_WORDS, SHARE_PAIRS, SHARE_PHRASES = 0.4, 0.3, 0.2

PHRASE_CHARS = (4, 6)
FREQUENT_POOL = 20  # the title words in the most documents

# Phrases are cut from runs of Chinese characters only (CJK Unified Ideographs: no digits, Latin, punctuation).
_CJK_RUN = re.compile(f"[\u4e00-\u9fff]{{{PHRASE_CHARS[0]},}}")

MAX_PREFIXES = 200
_HAN = re.compile("[\u4e00-\u9fff]")

# Words that either engine's query parser would read as an operator rather than as a word to find.
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


class CorpusError(Exception):
    """The corpus cannot be benchmarked; ``str(error)`` is the one-line reason."""


@dataclass(frozen=True)
class Corpus:
    """The article files of one benchmark run."""

    folder: Path
    files: list[Path]
    limited: bool  # True when --limit-docs left out some of the folder's files

    @property
    def raw_bytes(self) -> int:
        """The files' size on disk: the yardstick for throughput (MB/s) and for index size."""
        return sum(path.stat().st_size for path in self.files)

    @property
    def sources(self) -> list[Path]:
        """What searcher's ``update`` receives: the folder itself, as a user would pass it, unless
        ``--limit-docs`` chose some of its files; ``update`` takes single files too."""
        return list(self.files) if self.limited else [self.folder]


def find_corpus(folder: Path, limit: int | None) -> Corpus:
    """The article files under ``folder`` in a stable order, the first ``limit`` of them if given."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    files = list(discover_files(folder))
    if not files:
        raise CorpusError(f"no article files in {folder}")
    chosen = files[:limit] if limit is not None else files
    return Corpus(folder=folder, files=chosen, limited=len(chosen) < len(files))


def read_documents(files: Sequence[Path]) -> list[Document]:
    """The documents the query set is drawn from (files that fail to parse are simply left out here)."""
    documents = []
    for path in files:
        try:
            documents.append(read_document(path))
        except DocumentError:
            continue
    return documents


def make_queries(documents: Sequence[Document], count: int, seed: int = SEED) -> list[str]:
    """``count`` queries in a shuffled mix: ~40% one title word, ~30% two words of one title, ~20% a quoted
    4–6 character phrase from a body, ~10% title words that are among the most frequent or appear only once.

    Everything that feeds the generator is in a deterministic order (no set iteration), so the same seed
    gives the same queries whatever the hash seed of the process.
    """
    rng = random.Random(seed)
    titles = [_title_words(document.title) for document in documents]
    with_word = [words for words in titles if words]
    with_pair = [words for words in titles if len(words) >= 2]
    phrase_runs = [runs for document in documents if (runs := _CJK_RUN.findall(document.body))]
    document_frequency = Counter(word for words in titles for word in words)
    frequent = [word for word, _ in document_frequency.most_common(FREQUENT_POOL)]
    rare = sorted(word for word, seen in document_frequency.items() if seen == 1)
    if not (with_pair and phrase_runs and rare):
        raise CorpusError("too few documents with Chinese titles and text to draw queries from")

    n_words = round(count * SHARE_WORDS)
    n_pairs = round(count * SHARE_PAIRS)
    n_phrases = round(count * SHARE_PHRASES)
    n_extremes = count - n_words - n_pairs - n_phrases

    queries = [rng.choice(rng.choice(with_word)) for _ in range(n_words)]
    queries += [" ".join(rng.sample(rng.choice(with_pair), 2)) for _ in range(n_pairs)]
    queries += [f'"{_phrase(rng, rng.choice(rng.choice(phrase_runs)))}"' for _ in range(n_phrases)]
    queries += [rng.choice(frequent if i % 2 == 0 else rare) for i in range(n_extremes)]
    rng.shuffle(queries)
    return queries


def make_prefixes(queries: Sequence[str], limit: int = MAX_PREFIXES) -> list[str]:
    """What a user types into a search box on the way to the queries: the first character, then the first two,
    of each query that starts with a Chinese character (two only when both are), without repeats, in the
    queries' order, at most ``limit`` of them. Drawn from the seeded query set, so every run sees the same.

    >>> make_prefixes(["城市更新", '"城市更新规划"', "城 乡", "AI 城市", "城市"])
    ['城', '城市']
    """
    prefixes: dict[str, None] = {}
    for text in queries:
        for length in (1, 2):
            if len(text) >= length and all(_HAN.fullmatch(char) for char in text[:length]):
                prefixes.setdefault(text[:length])
    return list(prefixes)[:limit]


def _title_words(title: str) -> list[str]:
    """A title's distinct words of two or more letters/ideographs, in order of appearance."""
    words = (word for word in jieba.lcut(title) if len(word) >= 2 and word.isalnum() and word not in _OPERATORS)
    return list(dict.fromkeys(words))


def _phrase(rng: random.Random, run: str) -> str:
    """A random substring of ``run`` (a run of Chinese characters) of 4 to 6 characters."""
    length = rng.randint(PHRASE_CHARS[0], min(PHRASE_CHARS[1], len(run)))
    start = rng.randrange(len(run) - length + 1)
    return run[start : start + length]
